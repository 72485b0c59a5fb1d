//! Verification of Slack's request signatures, exactly as Slack specifies it.
//!
//! Slack sends two headers with every request (names are case-insensitive):
//! `X-Slack-Request-Timestamp` (Unix seconds) and `X-Slack-Signature`
//! (`v0=` + lowercase hex). The signature is HMAC-SHA256, keyed with the app's signing
//! secret, of the base string `v0:{timestamp}:{raw body}`, where the raw body is the bytes
//! Slack sent, before any form or JSON decoding.
//!
//! A request is accepted only when:
//! 1. each header is present exactly once;
//! 2. the timestamp is plain decimal digits and within ±300 s of `now` (replays of a
//!    captured request are refused after five minutes, and so are timestamps from the
//!    future);
//! 3. the signature is `v0=` followed by 64 hex digits;
//! 4. the HMAC matches, compared in constant time ([`hmac::Mac::verify_slice`]).
//!
//! Lambda Function URLs and API Gateway may hand the body over base64-encoded, with an
//! `isBase64Encoded` flag; [`verify_request`] decodes it first when flagged, and signs
//! the decoded bytes. The deprecated verification `token` field inside payloads is never
//! looked at: the signature replaces it.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Header carrying the request time in Unix seconds.
pub const TIMESTAMP_HEADER: &str = "X-Slack-Request-Timestamp";
/// Header carrying the `v0=` signature.
pub const SIGNATURE_HEADER: &str = "X-Slack-Signature";
/// Largest accepted difference between the request timestamp and now, in seconds.
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// Standard base64, padded or not (gateways differ).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The app's signing secret, kept as a keyed HMAC state. Its `Debug` never shows it.
#[derive(Clone)]
pub struct SigningSecret {
    keyed: HmacSha256,
}

/// A signing secret that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The secret is empty (or only whitespace).
    #[error("the Slack signing secret is empty")]
    Empty,
}

impl SigningSecret {
    /// The secret from its text as shown in the Slack app's settings; surrounding
    /// whitespace (a trailing newline from a file or parameter) is ignored.
    pub fn new(secret: &str) -> Result<Self, SecretError> {
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(SecretError::Empty);
        }
        // HMAC takes keys of any length, so this cannot fail; map it anyway.
        let keyed =
            HmacSha256::new_from_slice(secret.as_bytes()).map_err(|_| SecretError::Empty)?;
        Ok(Self { keyed })
    }

    fn mac(&self, timestamp: &str, body: &[u8]) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(b"v0:");
        mac.update(timestamp.as_bytes());
        mac.update(b":");
        mac.update(body);
        mac
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningSecret(<redacted>)")
    }
}

/// Why a request is not accepted as Slack's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No `X-Slack-Request-Timestamp` header.
    #[error("missing X-Slack-Request-Timestamp header")]
    MissingTimestamp,
    /// No `X-Slack-Signature` header.
    #[error("missing X-Slack-Signature header")]
    MissingSignature,
    /// A signing header appears more than once.
    #[error("header {0} appears more than once")]
    DuplicateHeader(&'static str),
    /// The timestamp is not plain decimal digits.
    #[error("X-Slack-Request-Timestamp is not a Unix time in seconds")]
    BadTimestamp,
    /// The timestamp is more than 300 s before or after now.
    #[error("request timestamp {timestamp} is more than 300 s from now ({now})")]
    Stale {
        /// The request's timestamp.
        timestamp: i64,
        /// Now, as given.
        now: i64,
    },
    /// The signature has another version than `v0`.
    #[error("signature version is not v0")]
    UnsupportedVersion,
    /// The signature is not `v0=` followed by 64 hex digits.
    #[error("X-Slack-Signature is not v0= followed by 64 hex digits")]
    BadSignatureEncoding,
    /// The signature does not match the timestamp and body.
    #[error("signature does not match the request")]
    Mismatch,
    /// The body is flagged base64 but is not valid base64.
    #[error("body is flagged base64-encoded but is not valid base64")]
    BadBase64,
}

/// An HTTP request as Lambda Function URLs and API Gateway deliver it.
#[derive(Clone, Copy, Debug)]
pub struct HttpRequest<'a> {
    /// Header names and values, in any letter case.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body as delivered (base64 text when `is_base64_encoded`).
    pub body: &'a str,
    /// The event's `isBase64Encoded` flag.
    pub is_base64_encoded: bool,
}

/// The value of header `name` (case-insensitive), `None` when absent, or the name back as
/// an error when it appears more than once.
pub fn find_header<'a>(
    headers: &[(&'a str, &'a str)],
    name: &'static str,
) -> Result<Option<&'a str>, VerifyError> {
    let mut found = None;
    for (key, value) in headers {
        if key.eq_ignore_ascii_case(name) {
            if found.is_some() {
                return Err(VerifyError::DuplicateHeader(name));
            }
            found = Some(*value);
        }
    }
    Ok(found)
}

/// The raw body bytes: `body` itself, or its base64 decoding when flagged.
pub fn decode_body(body: &str, is_base64_encoded: bool) -> Result<Cow<'_, [u8]>, VerifyError> {
    if is_base64_encoded {
        BASE64
            .decode(body.trim_end())
            .map(Cow::Owned)
            .map_err(|_| VerifyError::BadBase64)
    } else {
        Ok(Cow::Borrowed(body.as_bytes()))
    }
}

/// The `v0=` signature Slack would send for `timestamp` and `body` (for tests, the CLI's
/// request signer and sample events).
pub fn sign(secret: &SigningSecret, timestamp: &str, body: &[u8]) -> String {
    let tag = secret.mac(timestamp, body).finalize().into_bytes();
    let mut out = String::with_capacity(3 + 2 * tag.len());
    out.push_str("v0=");
    for byte in tag {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Checks the two header values against `body` at time `now` (Unix seconds).
pub fn verify_signature(
    secret: &SigningSecret,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let timestamp = timestamp.ok_or(VerifyError::MissingTimestamp)?;
    let signature = signature.ok_or(VerifyError::MissingSignature)?;
    let ts = parse_timestamp(timestamp)?;
    if now.abs_diff(ts) > MAX_CLOCK_SKEW_SECS {
        return Err(VerifyError::Stale { timestamp: ts, now });
    }
    let tag = parse_signature(signature)?;
    secret
        .mac(timestamp, body)
        .verify_slice(&tag)
        .map_err(|_| VerifyError::Mismatch)
}

/// Verifies a whole request and returns its raw body (decoded when flagged base64).
pub fn verify_request<'a>(
    request: &HttpRequest<'a>,
    secret: &SigningSecret,
    now: i64,
) -> Result<Cow<'a, [u8]>, VerifyError> {
    let timestamp = find_header(request.headers, TIMESTAMP_HEADER)?;
    let signature = find_header(request.headers, SIGNATURE_HEADER)?;
    if timestamp.is_none() {
        return Err(VerifyError::MissingTimestamp);
    }
    if signature.is_none() {
        return Err(VerifyError::MissingSignature);
    }
    let body = decode_body(request.body, request.is_base64_encoded)?;
    verify_signature(secret, timestamp, signature, &body, now)?;
    Ok(body)
}

fn parse_timestamp(text: &str) -> Result<i64, VerifyError> {
    // Plain digits only: no sign, no spaces, no fraction; 15 digits is far past any date.
    if text.is_empty() || text.len() > 15 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::BadTimestamp);
    }
    text.parse().map_err(|_| VerifyError::BadTimestamp)
}

fn parse_signature(text: &str) -> Result<[u8; 32], VerifyError> {
    let (version, hex) = text
        .split_once('=')
        .ok_or(VerifyError::BadSignatureEncoding)?;
    if version != "v0" {
        return Err(VerifyError::UnsupportedVersion);
    }
    let hex = hex.as_bytes();
    if hex.len() != 64 {
        return Err(VerifyError::BadSignatureEncoding);
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let (Some(hi), Some(lo)) = (hex_value(pair[0]), hex_value(pair[1])) else {
            return Err(VerifyError::BadSignatureEncoding);
        };
        *byte = (hi << 4) | lo;
    }
    Ok(out)
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_slack() {
        let secret = SigningSecret::new("secret").unwrap();
        let sig = sign(&secret, "1", b"body");
        assert!(sig.starts_with("v0=") && sig.len() == 67, "{sig}");
        assert_eq!(
            verify_signature(&secret, Some("1"), Some(&sig), b"body", 1),
            Ok(())
        );
        let upper = format!("v0={}", sig[3..].to_ascii_uppercase());
        assert_eq!(
            verify_signature(&secret, Some("1"), Some(&upper), b"body", 1),
            Ok(())
        );
    }

    #[test]
    fn secret_is_never_shown() {
        let secret = SigningSecret::new("  8f742231b10e8888abcd99yyyzzz85a5\n").unwrap();
        assert_eq!(format!("{secret:?}"), "SigningSecret(<redacted>)");
        assert_eq!(SigningSecret::new(" \n").unwrap_err(), SecretError::Empty);
    }

    #[test]
    fn timestamp_and_signature_syntax() {
        for bad in [
            "",
            "+1",
            "-1",
            " 1",
            "1 ",
            "1.0",
            "1e3",
            "0x10",
            "1234567890123456",
            "١",
        ] {
            assert_eq!(
                parse_timestamp(bad),
                Err(VerifyError::BadTimestamp),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_signature("v1=00"),
            Err(VerifyError::UnsupportedVersion)
        );
        assert_eq!(parse_signature("=00"), Err(VerifyError::UnsupportedVersion));
        assert_eq!(
            parse_signature("v0"),
            Err(VerifyError::BadSignatureEncoding)
        );
        assert_eq!(
            parse_signature("v0=zz"),
            Err(VerifyError::BadSignatureEncoding)
        );
        let bad_digit = format!("v0={}g", "0".repeat(63));
        assert_eq!(
            parse_signature(&bad_digit),
            Err(VerifyError::BadSignatureEncoding)
        );
        let multibyte = format!("v0={}é", "0".repeat(62));
        assert_eq!(
            parse_signature(&multibyte),
            Err(VerifyError::BadSignatureEncoding)
        );
    }

    #[test]
    fn headers_are_case_insensitive_and_unique() {
        let headers = [
            ("x-slack-signature", "a"),
            ("X-SLACK-REQUEST-TIMESTAMP", "1"),
        ];
        assert_eq!(find_header(&headers, SIGNATURE_HEADER), Ok(Some("a")));
        assert_eq!(find_header(&headers, TIMESTAMP_HEADER), Ok(Some("1")));
        let twice = [("x-slack-signature", "a"), ("X-Slack-Signature", "b")];
        assert_eq!(
            find_header(&twice, SIGNATURE_HEADER),
            Err(VerifyError::DuplicateHeader(SIGNATURE_HEADER))
        );
    }

    #[test]
    fn decodes_base64_with_or_without_padding() {
        assert_eq!(decode_body("YWI=", true).unwrap().as_ref(), b"ab");
        assert_eq!(decode_body("YWI", true).unwrap().as_ref(), b"ab");
        assert_eq!(decode_body("YWI=", false).unwrap().as_ref(), b"YWI=");
        assert_eq!(
            decode_body("payload=%7B%7D", true),
            Err(VerifyError::BadBase64)
        );
    }
}
