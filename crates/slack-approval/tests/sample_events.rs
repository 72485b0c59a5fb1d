//! The sample events in `events/approval-handler/` verify and decide as documented there.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

use std::path::PathBuf;

use serde_json::Value;
use slack_approval::{
    ApprovalStatus, ApprovalsConfig, HttpRequest, Outcome, ResolvedFacts, SigningSecret, decide,
};

/// Slack's documented example secret, which signed the sample events.
const SAMPLE_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events/approval-handler")
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(events_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Decides a Function URL event at `now`.
fn decide_event(event: &Value, now: i64) -> Outcome {
    let headers: Vec<(&str, &str)> = event["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
        .collect();
    let request = HttpRequest {
        headers: &headers,
        body: event["body"].as_str().unwrap(),
        is_base64_encoded: event["isBase64Encoded"].as_bool().unwrap(),
    };
    let config = ApprovalsConfig::from_path(&events_dir().join("approvals.yaml")).unwrap();
    let secret = SigningSecret::new(SAMPLE_SECRET).unwrap();
    decide(&request, &secret, now, &config, &ResolvedFacts::default())
}

fn signed_at(event: &Value) -> i64 {
    event["headers"]["x-slack-request-timestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn approve_click_approves_at_its_timestamp_and_is_stale_after() {
    let event = load("approve-click.json");
    let ts = signed_at(&event);
    let Outcome::Approve(v) = decide_event(&event, ts) else {
        panic!("not approved")
    };
    assert_eq!(v.status, ApprovalStatus::Approved);
    assert_eq!(v.approval.pipeline, "web-prod");
    assert_eq!(v.approval.token, "3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34");
    assert_eq!(v.summary, "Approved in Slack by alice (U0ALICE).");
    assert_eq!(decide_event(&event, ts + 301).http_reply().status, 401);
}

#[test]
fn reason_submission_rejects_with_the_reason() {
    let event = load("reject-reason-submission.json");
    let Outcome::Reject(v) = decide_event(&event, signed_at(&event)) else {
        panic!("not rejected")
    };
    assert_eq!(
        v.summary,
        "Rejected in Slack by bob (U0BOB): Checkout totals are wrong on staging for orders with coupons."
    );
    assert_eq!(v.channel_id.as_deref(), Some("C0DEPLOYS"));
}
