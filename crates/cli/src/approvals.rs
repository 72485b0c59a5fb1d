//! `pipeline-router slack sign` and `pipeline-router invoke approval-requester |
//! approval-handler`: the Slack approval functions' handlers on event files, locally.
//!
//! Local backends: Slack calls are recorded (and printed by the command) instead of sent,
//! `PutApprovalResult` is recorded instead of sent, approval messages are kept in memory,
//! and no CodePipeline / CodeCommit look-ups are made. The signing secret comes from a
//! flag or an environment variable, never from a file in the repository.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use approval_handler::http::{form_body, signed_request_event};
use approval_handler::{ApprovalHandler, FunctionUrlResponse};
use approval_requester::{ApprovalRequester, HandlerError, RequesterOutput};
use serde_json::Value;
use slack_approval::memory::{
    MemoryQueue, MemoryStore, NoPipelineFacts, RecordedResult, RecordingResults, RecordingSlack,
    SlackCall,
};
use slack_approval::verify::decode_body;
use slack_approval::{ApprovalsConfig, Clicks, Limits, Requests, ResponseUrlPolicy, SigningSecret};

/// The environment variable `slack sign` and `invoke approval-handler` read the signing
/// secret from when no flag gives it.
pub const SIGNING_SECRET_ENV: &str = "SLACK_SIGNING_SECRET";

/// The current Unix time.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The signing secret from `flag`, else from [`SIGNING_SECRET_ENV`].
pub fn signing_secret(flag: Option<&str>) -> Result<SigningSecret> {
    let text = match flag {
        Some(text) => text.to_owned(),
        None => std::env::var(SIGNING_SECRET_ENV).with_context(|| {
            format!("no signing secret: pass --signing-secret or set {SIGNING_SECRET_ENV}")
        })?,
    };
    Ok(SigningSecret::new(&text)?)
}

/// A Function URL event of Slack POSTing the interaction in `payload_file`, signed with
/// `secret` at `timestamp` (Unix seconds). The file is either the interaction payload
/// JSON (`{"type": "block_actions", ...}`) or an existing request event (like
/// `events/approval-handler/approve-click.json`), whose body is signed again.
pub fn sign_slack_request(payload_file: &Path, secret: &str, timestamp: i64) -> Result<Value> {
    let text = std::fs::read_to_string(payload_file)
        .with_context(|| format!("cannot read {}", payload_file.display()))?;
    let doc: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not JSON", payload_file.display()))?;
    let secret = SigningSecret::new(secret)?;
    let form = match (doc.get("body").and_then(Value::as_str), doc.get("headers")) {
        (Some(body), Some(_)) => {
            let flagged = doc
                .get("isBase64Encoded")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let bytes = decode_body(body, flagged)
                .map_err(|e| anyhow::anyhow!("{}: body: {e}", payload_file.display()))?;
            String::from_utf8(bytes.into_owned())
                .with_context(|| format!("{}: body is not UTF-8", payload_file.display()))?
        }
        _ if doc.get("type").is_some() => form_body(&doc),
        _ => bail!(
            "{}: neither an interaction payload (with `type`) nor a request event (with `headers` and `body`)",
            payload_file.display()
        ),
    };
    Ok(signed_request_event(&form, &secret, timestamp))
}

/// What `invoke approval-requester` did.
#[derive(Debug)]
pub struct RequesterInvocation {
    /// The handler's result.
    pub output: Result<RequesterOutput, HandlerError>,
    /// The Slack calls it would have made.
    pub slack_calls: Vec<SlackCall>,
}

/// Runs the requester on `event` (an SNS approval notification, or an action state
/// change) with the approvals file at `config_path`.
pub async fn invoke_approval_requester(
    event: Value,
    config_path: &Path,
) -> Result<RequesterInvocation> {
    let config = ApprovalsConfig::from_path(config_path)?;
    let requester = ApprovalRequester {
        requests: Requests {
            config: Arc::new(config),
            facts: NoPipelineFacts,
            slack: RecordingSlack::default(),
            store: MemoryStore::default(),
            lookup_timeout: Duration::from_secs(1),
        },
    };
    let output = requester.handle(event).await;
    Ok(RequesterInvocation {
        output,
        slack_calls: requester.requests.slack.calls(),
    })
}

/// What `invoke approval-handler` did.
#[derive(Debug)]
pub struct HandlerInvocation {
    /// The HTTP response Slack would get.
    pub response: FunctionUrlResponse,
    /// The Slack calls it would have made (response_url posts, views.open, ...).
    pub slack_calls: Vec<SlackCall>,
    /// The `PutApprovalResult` calls it would have made.
    pub approval_results: Vec<RecordedResult>,
}

/// Runs the handler on `event` (a Function URL request, see `slack sign`) with the
/// approvals file at `config_path`, verifying with `secret` as if at `now` (Unix
/// seconds; the sample events verify only within 300 s of their timestamp).
pub async fn invoke_approval_handler(
    event: Value,
    config_path: &Path,
    secret: SigningSecret,
    now: i64,
) -> Result<HandlerInvocation> {
    let config = ApprovalsConfig::from_path(config_path)?;
    let handler = ApprovalHandler {
        clicks: Clicks {
            config: Arc::new(config),
            secret,
            codepipeline: RecordingResults::default(),
            slack: RecordingSlack::default(),
            store: MemoryStore::default(),
            urls: ResponseUrlPolicy::SlackOnly,
            later: MemoryQueue::default(),
            limits: Limits {
                call: Duration::from_secs(1),
                ..Limits::SLACK
            },
        },
    };
    let response = handler.handle(event, now).await;
    Ok(HandlerInvocation {
        response,
        slack_calls: handler.clicks.slack.calls(),
        approval_results: handler.clicks.codepipeline.recorded(),
    })
}
