//! Helpers shared by the integration tests: a config, payloads and signed requests.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code
#![allow(dead_code)]

use serde_json::{Value, json};
use slack_approval::message::{
    APPROVE_ACTION_ID, ModalMetadata, REASON_ACTION_ID, REASON_BLOCK_ID, REASON_CALLBACK_ID,
};
use slack_approval::verify::sign;
use slack_approval::{ApprovalRef, ApprovalsConfig, SigningSecret};

/// Slack's documented example signing secret.
pub const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
/// "Now" for every test: 2026-11-03T09:45:00Z.
pub const NOW: i64 = 1_793_699_100;

pub const CONFIG: &str = "\
version: 1
default_channel: C0DEPLOYS
team_id: T0ACME
app_id: A0APPROVE
pipelines:
  - name: web-prod
    approvers: [U0ALICE, U0BOB]
    approver_groups: [S0RELEASE]
    stage: Production
    action: ApproveRelease
    forbid_self_approval: true
  - name: api-staging
    channel: C0STAGING
    approvers: [U0ALICE]
";

pub fn secret() -> SigningSecret {
    SigningSecret::new(SECRET).unwrap()
}

pub fn config() -> ApprovalsConfig {
    ApprovalsConfig::from_yaml(CONFIG, "approvals.yaml").unwrap()
}

pub fn approval() -> ApprovalRef {
    ApprovalRef {
        pipeline: "web-prod".into(),
        stage: "Production".into(),
        action: "ApproveRelease".into(),
        token: "3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34".into(),
        commit_id: Some("9fceb02d0ae598e95dc970b74767f19372d61af8".into()),
        commit_author: Some("U0CAROL".into()),
    }
}

pub const RESPONSE_URL: &str = "https://hooks.slack.com/actions/T0ACME/1234567890/abcdefABCDEF";

/// A `block_actions` payload of `user` clicking button `action_id` with `value`.
pub fn click_with(action_id: &str, user: &str, value: Option<String>) -> Value {
    let mut action = json!({
        "type": "button",
        "action_id": action_id,
        "block_id": "codepipeline_approval",
        "text": {"type": "plain_text", "text": "Approve"},
        "action_ts": "1793699098.123456"
    });
    if let Some(value) = value {
        action["value"] = json!(value);
    }
    json!({
        "type": "block_actions",
        "token": "xyzz0WbapA4vBCDEFasx0q6G",
        "user": {"id": user, "username": "alice", "name": "alice", "team_id": "T0ACME"},
        "api_app_id": "A0APPROVE",
        "team": {"id": "T0ACME", "domain": "acme"},
        "enterprise": null,
        "is_enterprise_install": false,
        "trigger_id": "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
        "container": {"type": "message", "message_ts": "1793699000.000200", "channel_id": "C0DEPLOYS", "is_ephemeral": false},
        "channel": {"id": "C0DEPLOYS", "name": "deploys"},
        "message": {
            "type": "message", "ts": "1793699000.000200", "bot_id": "B0BOT",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Approval needed: web-prod"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "details"}},
                {"type": "actions", "block_id": "codepipeline_approval", "elements": []}
            ]
        },
        "state": {"values": {}},
        "response_url": RESPONSE_URL,
        "actions": [action]
    })
}

/// Alice (an approver) clicking Approve on the web-prod approval.
/// Alice clicks Approve on the sample approval as `change` leaves it.
pub fn alice_approves(change: impl FnOnce(&mut ApprovalRef)) -> Value {
    let mut a = approval();
    change(&mut a);
    click_with(
        APPROVE_ACTION_ID,
        "U0ALICE",
        Some(a.to_button_value().unwrap()),
    )
}

pub fn click(action_id: &str) -> Value {
    click_with(
        action_id,
        "U0ALICE",
        Some(approval().to_button_value().unwrap()),
    )
}

pub fn approve_click() -> Value {
    click(APPROVE_ACTION_ID)
}

/// A `view_submission` of the reject-reason modal by `user` with `reason`.
pub fn submission(user: &str, reason: Option<&str>) -> Value {
    let meta = ModalMetadata {
        approval: approval(),
        response_url: Some(RESPONSE_URL.into()),
        channel_id: Some("C0DEPLOYS".into()),
        message_ts: Some("1793699000.000200".into()),
    };
    submission_with(user, reason, REASON_CALLBACK_ID, &meta.encode().unwrap())
}

pub fn submission_with(
    user: &str,
    reason: Option<&str>,
    callback_id: &str,
    metadata: &str,
) -> Value {
    let mut input = json!({"type": "plain_text_input"});
    if let Some(reason) = reason {
        input["value"] = json!(reason);
    }
    json!({
        "type": "view_submission",
        "team": {"id": "T0ACME", "domain": "acme"},
        "user": {"id": user, "username": "alice", "name": "alice", "team_id": "T0ACME"},
        "api_app_id": "A0APPROVE",
        "token": "xyzz0WbapA4vBCDEFasx0q6G",
        "trigger_id": "1.2.3",
        "view": {
            "id": "V0MODAL",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": metadata,
            "state": {"values": {REASON_BLOCK_ID: {REASON_ACTION_ID: input}}},
            "hash": "1.abc"
        },
        "response_urls": [],
        "is_enterprise_install": false,
        "enterprise": null
    })
}

/// `payload=<json>`, form-encoded like Slack sends it.
pub fn form(payload: &Value) -> String {
    form_raw(&payload.to_string())
}

pub fn form_raw(payload: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", payload)
        .finish()
}

/// The two signing headers for `body` at `ts` with the test secret.
pub fn signed_headers(body: &str, ts: i64) -> Vec<(String, String)> {
    vec![
        ("x-slack-request-timestamp".into(), ts.to_string()),
        (
            "x-slack-signature".into(),
            sign(&secret(), &ts.to_string(), body.as_bytes()),
        ),
        (
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ),
    ]
}

pub fn borrow(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}
