//! The approval handler's hot path: verify the signature, parse the form and payload,
//! authorize and build the decision, for a realistic Approve click.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use slack_approval::message::APPROVE_ACTION_ID;
use slack_approval::verify::{sign, verify_request};
use slack_approval::{ApprovalsConfig, HttpRequest, ResolvedFacts, SigningSecret, decide};

#[path = "../tests/common/mod.rs"]
mod common;
use common::{CONFIG, NOW};

fn body() -> String {
    let value = common::approval().to_button_value().unwrap_or_default();
    let section = |text: &str| json!({"type": "section", "text": {"type": "mrkdwn", "text": text}});
    let payload = json!({
        "type": "block_actions",
        "user": {"id": "U0ALICE", "username": "alice", "name": "alice", "team_id": "T0ACME"},
        "api_app_id": "A0APPROVE",
        "token": "xyzz0WbapA4vBCDEFasx0q6G",
        "container": {"type": "message", "message_ts": "1793699000.000200", "channel_id": "C0DEPLOYS", "is_ephemeral": false},
        "trigger_id": "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
        "team": {"id": "T0ACME", "domain": "acme"},
        "channel": {"id": "C0DEPLOYS", "name": "deploys"},
        "message": {
            "type": "message", "ts": "1793699000.000200", "bot_id": "B0BOT",
            "text": "Approval needed: web-prod / Production / ApproveRelease",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Approval needed: web-prod"}},
                section("*Pipeline*\n<https://console.aws.amazon.com/codepipeline/home?region=eu-west-1#/view/web-prod|web-prod>"),
                section("*Comments*\nStaging smoke tests passed. Check the release notes, then approve."),
                section("*Commit* <https://console.aws.amazon.com/codesuite/codecommit/repositories/web/commit/9fceb02|9fceb02> by Carol\n>Fix checkout totals"),
                section("<https://console.aws.amazon.com/codepipeline/home|Review in the CodePipeline console>"),
                {"type": "actions", "block_id": "codepipeline_approval", "elements": [
                    {"type": "button", "action_id": APPROVE_ACTION_ID, "value": value, "style": "primary"}
                ]}
            ]
        },
        "state": {"values": {}},
        "response_url": "https://hooks.slack.com/actions/T0ACME/1234567890/abcdefABCDEF",
        "actions": [{"action_id": APPROVE_ACTION_ID, "block_id": "codepipeline_approval", "value": value,
                     "type": "button", "action_ts": "1793699098.123456",
                     "text": {"type": "plain_text", "text": "Approve"}, "style": "primary"}]
    });
    form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &payload.to_string())
        .finish()
}

fn bench(c: &mut Criterion) {
    let Ok(secret) = SigningSecret::new(common::SECRET) else {
        return;
    };
    let Ok(config) = ApprovalsConfig::from_yaml(CONFIG, "bench") else {
        return;
    };
    let body = body();
    let signature = sign(&secret, &NOW.to_string(), body.as_bytes());
    let timestamp = NOW.to_string();
    let headers = [
        ("x-slack-request-timestamp", timestamp.as_str()),
        ("x-slack-signature", signature.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let request = HttpRequest {
        headers: &headers,
        body: &body,
        is_base64_encoded: false,
    };
    assert_eq!(
        decide(&request, &secret, NOW, &config, &ResolvedFacts::default()).kind(),
        "approve"
    );

    let mut group = c.benchmark_group(format!("approve click ({} byte body)", body.len()));
    group.bench_function("verify only", |b| {
        b.iter(|| verify_request(black_box(&request), &secret, NOW).is_ok())
    });
    group.bench_function("verify + parse + decide", |b| {
        b.iter(|| {
            decide(
                black_box(&request),
                &secret,
                NOW,
                &config,
                &ResolvedFacts::default(),
            )
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
