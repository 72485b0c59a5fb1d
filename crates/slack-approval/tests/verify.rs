//! Slack request signature verification: Slack's published example and every rejection.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use common::{SECRET, borrow, secret, signed_headers};
use slack_approval::SigningSecret;
use slack_approval::verify::{HttpRequest, VerifyError, sign, verify_request, verify_signature};

/// The example in Slack's "Verifying requests from Slack" guide.
const VECTOR_TS: &str = "1531420618";
const VECTOR_BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const VECTOR_SIG: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
const VECTOR_NOW: i64 = 1_531_420_618;

fn vector(
    body: &str,
    is_base64_encoded: bool,
    headers: &[(&str, &str)],
    now: i64,
) -> Result<Vec<u8>, VerifyError> {
    let request = HttpRequest {
        headers,
        body,
        is_base64_encoded,
    };
    verify_request(&request, &secret(), now).map(|b| b.into_owned())
}

#[test]
fn slacks_published_example_signs_and_verifies() {
    assert_eq!(
        sign(&secret(), VECTOR_TS, VECTOR_BODY.as_bytes()),
        VECTOR_SIG
    );
    let headers = [
        ("X-Slack-Request-Timestamp", VECTOR_TS),
        ("X-Slack-Signature", VECTOR_SIG),
    ];
    assert_eq!(
        vector(VECTOR_BODY, false, &headers, VECTOR_NOW).unwrap(),
        VECTOR_BODY.as_bytes()
    );
}

#[test]
fn header_names_are_case_insensitive() {
    for (ts_name, sig_name) in [
        ("x-slack-request-timestamp", "x-slack-signature"),
        ("X-SLACK-REQUEST-TIMESTAMP", "X-SLACK-SIGNATURE"),
        ("x-Slack-Request-timestamp", "X-slack-Signature"),
    ] {
        let headers = [(ts_name, VECTOR_TS), (sig_name, VECTOR_SIG), ("host", "x")];
        assert!(vector(VECTOR_BODY, false, &headers, VECTOR_NOW).is_ok());
    }
}

#[test]
fn accepts_the_window_edges_and_refuses_past_them() {
    let headers = [
        ("x-slack-request-timestamp", VECTOR_TS),
        ("x-slack-signature", VECTOR_SIG),
    ];
    for now in [VECTOR_NOW - 300, VECTOR_NOW + 300] {
        assert!(vector(VECTOR_BODY, false, &headers, now).is_ok(), "{now}");
    }
    // Stale: the request is older than five minutes (a replay).
    assert_eq!(
        vector(VECTOR_BODY, false, &headers, VECTOR_NOW + 301),
        Err(VerifyError::Stale {
            timestamp: VECTOR_NOW,
            now: VECTOR_NOW + 301
        })
    );
    // From the future.
    assert!(matches!(
        vector(VECTOR_BODY, false, &headers, VECTOR_NOW - 301),
        Err(VerifyError::Stale { .. })
    ));
    // Extreme clocks do not overflow.
    assert!(matches!(
        vector(VECTOR_BODY, false, &headers, i64::MIN),
        Err(VerifyError::Stale { .. })
    ));
    assert!(matches!(
        vector(VECTOR_BODY, false, &headers, i64::MAX),
        Err(VerifyError::Stale { .. })
    ));
}

#[test]
fn refuses_missing_duplicate_and_malformed_headers() {
    let cases: Vec<(Vec<(&str, &str)>, VerifyError)> = vec![
        (vec![], VerifyError::MissingTimestamp),
        (
            vec![("x-slack-signature", VECTOR_SIG)],
            VerifyError::MissingTimestamp,
        ),
        (
            vec![("x-slack-request-timestamp", VECTOR_TS)],
            VerifyError::MissingSignature,
        ),
        (
            vec![
                ("x-slack-request-timestamp", VECTOR_TS),
                ("x-slack-request-timestamp", VECTOR_TS),
                ("x-slack-signature", VECTOR_SIG),
            ],
            VerifyError::DuplicateHeader("X-Slack-Request-Timestamp"),
        ),
        (
            vec![
                ("x-slack-request-timestamp", VECTOR_TS),
                ("x-slack-signature", VECTOR_SIG),
                ("X-Slack-Signature", VECTOR_SIG),
            ],
            VerifyError::DuplicateHeader("X-Slack-Signature"),
        ),
        (
            vec![
                ("x-slack-request-timestamp", "1531420618.5"),
                ("x-slack-signature", VECTOR_SIG),
            ],
            VerifyError::BadTimestamp,
        ),
        (
            vec![
                ("x-slack-request-timestamp", ""),
                ("x-slack-signature", VECTOR_SIG),
            ],
            VerifyError::BadTimestamp,
        ),
        (
            vec![
                ("x-slack-request-timestamp", VECTOR_TS),
                ("x-slack-signature", ""),
            ],
            VerifyError::BadSignatureEncoding,
        ),
        (
            vec![
                ("x-slack-request-timestamp", VECTOR_TS),
                (
                    "x-slack-signature",
                    "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
                ),
            ],
            VerifyError::UnsupportedVersion,
        ),
        (
            vec![
                ("x-slack-request-timestamp", VECTOR_TS),
                (
                    "x-slack-signature",
                    "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
                ),
            ],
            VerifyError::BadSignatureEncoding,
        ),
        (
            vec![
                ("x-slack-request-timestamp", VECTOR_TS),
                (
                    "x-slack-signature",
                    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b5",
                ),
            ],
            VerifyError::BadSignatureEncoding,
        ),
        (
            vec![
                ("x-slack-request-timestamp", VECTOR_TS),
                (
                    "x-slack-signature",
                    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503, v0=00",
                ),
            ],
            VerifyError::BadSignatureEncoding,
        ),
    ];
    for (headers, expected) in cases {
        assert_eq!(
            vector(VECTOR_BODY, false, &headers, VECTOR_NOW),
            Err(expected.clone()),
            "{headers:?}"
        );
    }
}

#[test]
fn refuses_altered_bodies_timestamps_and_wrong_secrets() {
    let headers = [
        ("x-slack-request-timestamp", VECTOR_TS),
        ("x-slack-signature", VECTOR_SIG),
    ];
    let altered = VECTOR_BODY.replace("roadrunner", "coyote");
    assert_eq!(
        vector(&altered, false, &headers, VECTOR_NOW),
        Err(VerifyError::Mismatch)
    );
    let appended = format!("{VECTOR_BODY}&user_id=U0EVIL");
    assert_eq!(
        vector(&appended, false, &headers, VECTOR_NOW),
        Err(VerifyError::Mismatch)
    );
    assert_eq!(
        vector("", false, &headers, VECTOR_NOW),
        Err(VerifyError::Mismatch)
    );

    // The same signature under another timestamp inside the window.
    let moved = [
        ("x-slack-request-timestamp", "1531420619"),
        ("x-slack-signature", VECTOR_SIG),
    ];
    assert_eq!(
        vector(VECTOR_BODY, false, &moved, VECTOR_NOW),
        Err(VerifyError::Mismatch)
    );

    // One flipped hex digit.
    let flipped = VECTOR_SIG.replace("a2114d", "a2114e");
    let flipped_headers = [
        ("x-slack-request-timestamp", VECTOR_TS),
        ("x-slack-signature", flipped.as_str()),
    ];
    assert_eq!(
        vector(VECTOR_BODY, false, &flipped_headers, VECTOR_NOW),
        Err(VerifyError::Mismatch)
    );

    // Another secret.
    let other = SigningSecret::new("8f742231b10e8888abcd99yyyzzz85a6").unwrap();
    assert_eq!(
        verify_signature(
            &other,
            Some(VECTOR_TS),
            Some(VECTOR_SIG),
            VECTOR_BODY.as_bytes(),
            VECTOR_NOW
        ),
        Err(VerifyError::Mismatch)
    );
    // Surrounding whitespace of the configured secret does not matter.
    let padded = SigningSecret::new(&format!(" {SECRET}\n")).unwrap();
    assert_eq!(
        verify_signature(
            &padded,
            Some(VECTOR_TS),
            Some(VECTOR_SIG),
            VECTOR_BODY.as_bytes(),
            VECTOR_NOW
        ),
        Ok(())
    );
}

#[test]
fn base64_bodies_are_decoded_when_flagged_and_only_then() {
    let headers = [
        ("x-slack-request-timestamp", VECTOR_TS),
        ("x-slack-signature", VECTOR_SIG),
    ];
    let encoded = STANDARD.encode(VECTOR_BODY);
    let unpadded = STANDARD_NO_PAD.encode(VECTOR_BODY);

    // Flagged and encoded: decoded, then verified.
    assert_eq!(
        vector(&encoded, true, &headers, VECTOR_NOW).unwrap(),
        VECTOR_BODY.as_bytes()
    );
    assert!(vector(&unpadded, true, &headers, VECTOR_NOW).is_ok());
    // Encoded but not flagged: the base64 text is not what Slack signed.
    assert_eq!(
        vector(&encoded, false, &headers, VECTOR_NOW),
        Err(VerifyError::Mismatch)
    );
    // Flagged but not encoded: not base64 at all.
    assert_eq!(
        vector(VECTOR_BODY, true, &headers, VECTOR_NOW),
        Err(VerifyError::BadBase64)
    );
    // Signed over the base64 text instead of the bytes: refused.
    let text_signed = signed_headers(&encoded, VECTOR_NOW);
    assert_eq!(
        vector(&encoded, true, &borrow(&text_signed), VECTOR_NOW),
        Err(VerifyError::Mismatch)
    );
    // URL-safe alphabet is not what gateways send.
    let url_safe = encoded.replace('+', "-").replace('/', "_");
    if url_safe != encoded {
        assert_eq!(
            vector(&url_safe, true, &headers, VECTOR_NOW),
            Err(VerifyError::BadBase64)
        );
    }
}
