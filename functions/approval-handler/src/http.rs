//! The HTTP request as a Lambda Function URL delivers it, and the response it expects.
//! API Gateway HTTP API (payload format 2.0) uses the same shape, so both work.
//!
//! Only what verification needs is read: `headers` (names lower-cased by AWS; Function
//! URLs join repeated headers with commas, which then fail verification), `body`,
//! `isBase64Encoded` and `requestContext.http.method`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use slack_approval::verify::sign;
use slack_approval::{HttpReply, HttpRequest, LogDecision, SigningSecret};

/// The request, as far as it is read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct FunctionUrlRequest {
    /// Header names (lower case) and values.
    #[serde(default)]
    pub headers: HashMap<String, String>,
    /// The body, as delivered.
    #[serde(default)]
    pub body: Option<String>,
    /// Whether `body` is base64.
    #[serde(rename = "isBase64Encoded", default)]
    pub is_base64_encoded: bool,
    /// `requestContext`.
    #[serde(rename = "requestContext", default)]
    pub request_context: RequestContext,
}

/// `requestContext`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct RequestContext {
    /// `requestContext.http`.
    #[serde(default)]
    pub http: HttpContext,
}

/// `requestContext.http`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct HttpContext {
    /// `GET`, `POST`, ...
    #[serde(default)]
    pub method: String,
}

impl FunctionUrlRequest {
    /// Reads the event; `None` when it is not an HTTP request event.
    pub fn from_event(event: Value) -> Option<Self> {
        serde_json::from_value(event).ok()
    }
}

/// The POSTed request of an HTTP request event, or the 400 / 405 to answer (logged).
pub(crate) fn read_request(event: Value) -> Result<FunctionUrlRequest, FunctionUrlResponse> {
    let Some(request) = FunctionUrlRequest::from_event(event) else {
        tracing::warn!(
            decision = LogDecision::HttpError.as_str(),
            status = 400,
            "not an HTTP request event"
        );
        return Err(FunctionUrlResponse::text(400, "not an HTTP request"));
    };
    let method = &request.request_context.http.method;
    if !method.eq_ignore_ascii_case("POST") {
        tracing::warn!(decision = LogDecision::HttpError.as_str(), status = 405, method = %method, "not a POST");
        return Err(FunctionUrlResponse::text(405, "POST only"));
    }
    Ok(request)
}

impl FunctionUrlRequest {
    /// The headers as name/value pairs.
    pub(crate) fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The request as the domain reads it, over `headers` (from [`Self::header_pairs`]).
    pub(crate) fn http<'a>(&'a self, headers: &'a [(&'a str, &'a str)]) -> HttpRequest<'a> {
        HttpRequest {
            headers,
            body: self.body.as_deref().unwrap_or_default(),
            is_base64_encoded: self.is_base64_encoded,
        }
    }
}

/// The response: status, content type and body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FunctionUrlResponse {
    /// HTTP status.
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    /// Response headers.
    pub headers: HashMap<String, String>,
    /// Response body.
    pub body: String,
    /// Always false: bodies are text.
    #[serde(rename = "isBase64Encoded")]
    pub is_base64_encoded: bool,
}

impl FunctionUrlResponse {
    /// A response with a plain-text body.
    pub fn text(status: u16, body: &str) -> Self {
        Self::from(HttpReply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.to_owned(),
        })
    }
}

impl From<HttpReply> for FunctionUrlResponse {
    fn from(reply: HttpReply) -> Self {
        Self {
            status_code: reply.status,
            headers: HashMap::from([("content-type".to_owned(), reply.content_type.to_owned())]),
            body: reply.body,
            is_base64_encoded: false,
        }
    }
}

/// A Function URL event of Slack POSTing `form_body` (`payload=<url-encoded JSON>`),
/// signed with `secret` at Unix time `timestamp`, the body base64-encoded as Function
/// URLs deliver form bodies. For `pipeline-router slack sign` and tests.
pub fn signed_request_event(form_body: &str, secret: &SigningSecret, timestamp: i64) -> Value {
    use base64::Engine as _;
    let ts = timestamp.to_string();
    let signature = sign(secret, &ts, form_body.as_bytes());
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            "x-slack-request-timestamp": ts,
            "x-slack-signature": signature,
        },
        "requestContext": {
            "http": {"method": "POST", "path": "/", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "Slackbot 1.0 (+https://api.slack.com/robots)"},
            "routeKey": "$default",
            "stage": "$default",
            "timeEpoch": timestamp * 1000,
        },
        "body": base64::engine::general_purpose::STANDARD.encode(form_body),
        "isBase64Encoded": true,
    })
}

/// `payload=<url-encoded JSON>`: the form body Slack sends for an interaction.
pub fn form_body(payload: &Value) -> String {
    let mut serializer = String::new();
    serializer.push_str("payload=");
    serializer.extend(percent_encode(&payload.to_string()));
    serializer
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn percent_encode(text: &str) -> impl Iterator<Item = String> + '_ {
    text.bytes().map(|b| match b {
        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
            (b as char).to_string()
        }
        b' ' => "+".to_owned(),
        _ => format!("%{b:02X}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_function_url_and_http_api_events() {
        let event = serde_json::json!({
            "version": "2.0", "routeKey": "$default", "rawPath": "/",
            "headers": {"x-slack-signature": "v0=ab"},
            "body": "cGF5bG9hZD0x", "isBase64Encoded": true,
            "requestContext": {"http": {"method": "POST", "path": "/"}, "routeKey": "$default"}
        });
        let request = FunctionUrlRequest::from_event(event).unwrap();
        assert_eq!(request.request_context.http.method, "POST");
        assert!(request.is_base64_encoded);
        assert!(FunctionUrlRequest::from_event(serde_json::json!([1])).is_none());
        let response = serde_json::to_value(FunctionUrlResponse::text(401, "no")).unwrap();
        assert_eq!(response["statusCode"], 401);
    }
}
