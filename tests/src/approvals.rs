//! The approval functions' set-up that the `approvals` and `hold_release` tests share:
//! the signing secret, "now", and the requester's and handler's workflows over the real
//! adapters (CodePipeline and CodeCommit at the recorded-response double, Slack at the
//! local server, the approval store in moto's DynamoDB).

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::approval_results::CodePipelineResults;
use aws_adapters::approval_store::DynamoStore;
use aws_adapters::pipeline_facts::AwsPipelineFacts;
use aws_adapters::slack_http::SlackHttp;
use serde_json::{Value, json};
use slack_approval::memory::MemoryQueue;
use slack_approval::{ApprovalsConfig, Clicks, Limits, Requests, ResponseUrlPolicy, SigningSecret};

use crate::{AwsDouble, sdk};

/// Slack's documented example signing secret.
pub const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
/// "Now" for every test: 2026-11-03T09:45:00Z.
pub const NOW: i64 = 1_793_699_100;

/// The requester's workflow: the double's CodePipeline and CodeCommit, `slack`, `store`.
pub fn requests(
    config: &Arc<ApprovalsConfig>,
    double: &AwsDouble,
    slack: &SlackHttp,
    store: DynamoStore,
) -> Requests<AwsPipelineFacts, SlackHttp, DynamoStore> {
    Requests {
        config: Arc::clone(config),
        facts: AwsPipelineFacts::new(
            sdk::codepipeline(&double.endpoint()),
            sdk::codecommit(&double.endpoint()),
        ),
        slack: slack.clone(),
        store,
        lookup_timeout: Duration::from_secs(2),
    }
}

/// Slack's limits, with 2 s per call (a test machine may be slow).
pub fn limits() -> Limits {
    Limits {
        call: Duration::from_secs(2),
        ..Limits::SLACK
    }
}

/// The handler's click workflow: the double's `PutApprovalResult`, `slack`, `store`,
/// loopback `response_url`s allowed, continuations in memory.
pub fn clicks(
    config: Arc<ApprovalsConfig>,
    secret: SigningSecret,
    double: &AwsDouble,
    slack: SlackHttp,
    store: DynamoStore,
) -> Clicks<CodePipelineResults, SlackHttp, DynamoStore, MemoryQueue> {
    Clicks {
        config,
        secret,
        codepipeline: CodePipelineResults::new(sdk::codepipeline(&double.endpoint())),
        slack,
        store,
        urls: ResponseUrlPolicy::SlackOrLoopback,
        later: MemoryQueue::default(),
        limits: limits(),
    }
}

/// A `block_actions` payload as Slack sends it when `user` (of the workspace `T0ACME`)
/// clicks `button` (its `action_id`, `block_id`, `value` and `type`) on the message with
/// `blocks`, `ts` `1793699000.000001`, in `channel`.
pub fn block_actions(
    user: &str,
    channel: &str,
    blocks: Value,
    button: Value,
    response_url: &str,
) -> Value {
    json!({
        "type": "block_actions",
        "token": "ignored-verification-token",
        "user": {"id": user, "username": user.trim_start_matches("U0").to_lowercase(), "team_id": "T0ACME"},
        "api_app_id": "A0APPROVE",
        "team": {"id": "T0ACME", "domain": "acme"},
        "trigger_id": "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
        "response_url": response_url,
        "container": {"type": "message", "message_ts": "1793699000.000001", "channel_id": channel},
        "channel": {"id": channel},
        "message": {"ts": "1793699000.000001", "blocks": blocks},
        "actions": [button]
    })
}
