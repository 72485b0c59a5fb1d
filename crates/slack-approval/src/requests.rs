//! The requester's workflows: post an approval notification to Slack (with the commit
//! being approved, when the pipeline facts say), and close the message of an approval
//! that ended without a click. Over the [`ports`](crate::ports), so the same code runs in
//! Lambda and in the CLI.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::approval::ApprovalRef;
use crate::authorize::undecidable_from_slack;
use crate::config::ApprovalsConfig;
use crate::log::LogDecision;
use crate::message::{CommitInfo, MessageError, approval_notice, approval_request, closed_update};
use crate::notification::{NotificationError, parse_notification};
use crate::ports::{
    ApprovalMessage, ApprovalStore, KEEP_AFTER_EXPIRY_SECS, PipelineFacts, PostedMessage, SlackApi,
    SlackError, StoreError, approval_key, codecommit_repository, execution_key, hash_prefix,
    token_hash,
};
use crate::timestamp::Timestamp;

/// The `detail` of a `CodePipeline Action Execution State Change`, as far as it is used.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct ActionStateChange {
    /// Pipeline name.
    pub pipeline: String,
    /// Pipeline execution id.
    #[serde(rename = "execution-id")]
    pub execution_id: String,
    /// Stage name.
    pub stage: String,
    /// Action name.
    pub action: String,
    /// `STARTED`, `SUCCEEDED`, `FAILED`, `ABANDONED`, `CANCELED`.
    pub state: String,
    /// The action type.
    #[serde(rename = "type", default)]
    pub action_type: ActionType,
    /// When it happened (Unix seconds, from the event's `time`; 0 when absent).
    #[serde(skip)]
    pub time: i64,
}

/// `detail.type`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ActionType {
    /// `Approval`, `Build`, ...
    #[serde(default)]
    pub category: String,
}

/// A message posted.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Posted {
    /// Pipeline.
    pub pipeline: String,
    /// Stage.
    pub stage: String,
    /// Action.
    pub action: String,
    /// Channel id.
    pub channel: String,
    /// Message ts.
    pub ts: String,
    /// The commit shown, if found.
    pub commit_id: Option<String>,
    /// Whether the message was recorded in the store (else it cannot be closed later).
    pub recorded: bool,
    /// Whether it has Approve / Reject buttons: not when nobody could decide it from
    /// Slack (the approvals file does not list the pipeline, or allows another stage or
    /// action); the message then says why instead.
    pub buttons: bool,
}

/// A message closed because its approval ended outside Slack.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Closed {
    /// Channel id.
    pub channel: String,
    /// Message ts.
    pub ts: String,
    /// The action's final state.
    pub state: String,
}

/// What one invocation did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct RequesterOutput {
    /// Messages posted.
    pub posted: Vec<Posted>,
    /// Messages closed.
    pub closed: Vec<Closed>,
    /// What was not acted on, and why.
    pub skipped: Vec<String>,
    /// Held pushes announced with a "Release now" button ([`crate::held`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub announced: Vec<Announced>,
}

/// A held push announced in Slack.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Announced {
    /// Pipeline.
    pub pipeline: String,
    /// Branch.
    pub branch: String,
    /// The held commit shown.
    pub commit_id: String,
    /// Channel id.
    pub channel: String,
    /// Message ts.
    pub ts: String,
}

/// Why a notification or a state change could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// A notification could not be read; retrying will not help.
    #[error("malformed approval notification: {0}")]
    MalformedNotification(#[from] NotificationError),
    /// The notification reads, but its message cannot be built; retrying will not help.
    #[error("malformed approval notification: {0}")]
    Message(#[from] MessageError),
    /// Slack refused or did not answer; worth retrying.
    #[error("Slack: {0}")]
    Slack(#[from] SlackError),
    /// The store could not be read; worth retrying.
    #[error("approval store: {0}")]
    Store(#[from] StoreError),
}

impl RequestError {
    /// The error type reported to Lambda.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::MalformedNotification(_) | Self::Message(_) => "MalformedNotification",
            Self::Slack(_) => "SlackFailed",
            Self::Store(_) => "StoreFailed",
        }
    }
}

/// The line closing a message whose action ended in `state` at `at`.
pub fn closing_line(state: &str, at: Timestamp) -> Option<String> {
    let when = at.slack_date();
    let line = match state {
        "SUCCEEDED" => {
            format!(":white_check_mark: *Approved outside Slack* (console, CLI or API) at {when}.")
        }
        "FAILED" => format!(":x: *Rejected outside Slack, or expired* at {when}."),
        "ABANDONED" | "CANCELED" => format!(
            ":heavy_minus_sign: *No longer needed*: the pipeline run was stopped or superseded at {when}."
        ),
        _ => return None,
    };
    Some(line)
}

/// The requester's workflows: the approvals file and the three ports.
pub struct Requests<F, S, D> {
    /// The approvals file, loaded once per container.
    pub config: Arc<ApprovalsConfig>,
    /// CodePipeline / CodeCommit look-ups.
    pub facts: F,
    /// Slack.
    pub slack: S,
    /// Where messages are recorded.
    pub store: D,
    /// Limit of each look-up (the message goes out without what did not answer in time).
    pub lookup_timeout: Duration,
}

async fn within<T, E: std::fmt::Display>(
    limit: Duration,
    what: &str,
    call: impl Future<Output = Result<Option<T>, E>>,
) -> Option<T> {
    match tokio::time::timeout(limit, call).await {
        Ok(Ok(found)) => found,
        Ok(Err(error)) => {
            tracing::warn!(lookup = what, error = %error, "look-up failed; posting without it");
            None
        }
        Err(_) => {
            tracing::warn!(
                lookup = what,
                timeout_ms = limit.as_millis() as u64,
                "look-up timed out; posting without it"
            );
            None
        }
    }
}

impl<F, S, D> Requests<F, S, D>
where
    F: PipelineFacts + Sync,
    S: SlackApi + Sync,
    D: ApprovalStore + Sync,
{
    async fn commit_for(
        &self,
        pipeline: &str,
        execution_id: Option<&str>,
    ) -> (Option<CommitInfo>, Option<String>) {
        let Some(execution_id) = execution_id else {
            return (None, None);
        };
        let Some(revision) = within(
            self.lookup_timeout,
            "GetPipelineExecution",
            self.facts.revision(pipeline, execution_id),
        )
        .await
        else {
            return (None, None);
        };
        let mut commit = CommitInfo {
            id: revision.commit_id.clone(),
            message: revision.message.clone(),
            author_name: String::new(),
            author_slack_id: None,
            url: revision.url.clone(),
        };
        let mut email = None;
        if let Some(repository) = revision.url.as_deref().and_then(codecommit_repository)
            && let Some(author) = within(
                self.lookup_timeout,
                "GetCommit",
                self.facts.author(repository, &revision.commit_id),
            )
            .await
        {
            commit.author_name = author.name;
            email = author.email;
        }
        let forbids_self_approval = self
            .config
            .pipeline(pipeline)
            .is_some_and(|p| self.config.self_approval_forbidden(p));
        if forbids_self_approval && let Some(address) = &email {
            commit.author_slack_id = within(
                self.lookup_timeout,
                "users.lookupByEmail",
                self.slack.user_id_by_email(address),
            )
            .await;
        }
        (Some(commit), email)
    }

    /// Posts the approval notification `message` (the SNS message's JSON text) to its
    /// pipeline's channel and records where it is.
    pub async fn post(
        &self,
        message: &str,
        output: &mut RequesterOutput,
    ) -> Result<(), RequestError> {
        let notification = parse_notification(message).inspect_err(|e| {
            tracing::error!(error = %e, error_type = "MalformedNotification", "notification rejected");
        })?;
        let a = &notification.approval;
        let hash = token_hash(&a.token);
        let Some(channel) = self.config.channel_for(&a.pipeline_name) else {
            tracing::error!(decision = LogDecision::NotPosted.as_str(), pipeline = %a.pipeline_name, stage = %a.stage_name, action = %a.action_name, token_hash = hash_prefix(&hash), why = "no channel: the approvals file has no default_channel and does not list the pipeline", "approval not posted");
            output
                .skipped
                .push(format!("{}: no channel configured", a.pipeline_name));
            return Ok(());
        };
        let execution_id = within(
            self.lookup_timeout,
            "GetPipelineState",
            self.facts
                .execution_of(&a.pipeline_name, &a.stage_name, &a.action_name, &a.token),
        )
        .await;
        let (commit, author_email) = self
            .commit_for(&a.pipeline_name, execution_id.as_deref())
            .await;
        // Buttons only where a click could decide: the handler would refuse every click
        // on an approval the file does not allow, so such a message says why instead.
        let undecidable = undecidable_from_slack(
            &self.config,
            &a.pipeline_name,
            &a.stage_name,
            &a.action_name,
        );
        let body = match &undecidable {
            None => approval_request(channel, &notification, commit.as_ref())?,
            Some(why) => approval_notice(channel, &notification, commit.as_ref(), &why.to_string()),
        };
        let PostedMessage { channel, ts } = self.slack.post_message(&body).await.inspect_err(|e| {
            tracing::error!(pipeline = %a.pipeline_name, token_hash = hash_prefix(&hash), error = %e, error_type = "SlackFailed", "approval not posted");
        })?;
        let record = ApprovalMessage {
            key: approval_key(&a.pipeline_name, &a.stage_name, &a.action_name, &a.token),
            execution_key: execution_id
                .as_deref()
                .map(|id| execution_key(&a.pipeline_name, id, &a.stage_name, &a.action_name)),
            pipeline: a.pipeline_name.clone(),
            stage: a.stage_name.clone(),
            action: a.action_name.clone(),
            channel: channel.clone(),
            ts: ts.clone(),
            blocks: body
                .get("blocks")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            author_email,
            expires_at: a.expires.unix() + KEEP_AFTER_EXPIRY_SECS,
        };
        // The message is out: a store failure is logged, not retried (a retry would post
        // the message twice); that message just keeps its buttons if the approval ends
        // outside Slack.
        let recorded = match self.store.save(&record).await {
            Ok(()) => true,
            Err(error) => {
                tracing::error!(pipeline = %a.pipeline_name, token_hash = hash_prefix(&hash), error = %error, error_type = "StoreFailed", "approval message not recorded; it will not be closed if the approval ends outside Slack");
                false
            }
        };
        let commit_id = commit.map(|c| c.id);
        tracing::info!(
            decision = LogDecision::Posted.as_str(),
            pipeline = %a.pipeline_name,
            stage = %a.stage_name,
            action = %a.action_name,
            execution_id = execution_id.as_deref().unwrap_or("unknown"),
            channel = %channel,
            ts = %ts,
            commit_id = commit_id.as_deref().unwrap_or("unknown"),
            token_hash = hash_prefix(&hash),
            recorded,
            buttons = undecidable.is_none(),
            why = undecidable.as_ref().map_or("", |why| why.code()),
            "approval posted to Slack"
        );
        output.posted.push(Posted {
            pipeline: a.pipeline_name.clone(),
            stage: a.stage_name.clone(),
            action: a.action_name.clone(),
            channel,
            ts,
            commit_id,
            recorded,
            buttons: undecidable.is_none(),
        });
        Ok(())
    }

    /// Closes the messages of an approval that ended (`change`) without a click; one a
    /// click decided is kept. `now` is used when the event carries no time.
    pub async fn close(
        &self,
        change: &ActionStateChange,
        now: i64,
        output: &mut RequesterOutput,
    ) -> Result<(), RequestError> {
        let at = if change.time > 0 { change.time } else { now };
        let Some(line) = closing_line(&change.state, Timestamp::from_unix(at)) else {
            tracing::info!(decision = LogDecision::Ignored.as_str(), pipeline = %change.pipeline, stage = %change.stage, action = %change.action, state = %change.state, "approval action not ended");
            output
                .skipped
                .push(format!("state {} does not end an approval", change.state));
            return Ok(());
        };
        let key = execution_key(
            &change.pipeline,
            &change.execution_id,
            &change.stage,
            &change.action,
        );
        let messages = self.store.by_execution(&key).await?;
        if messages.is_empty() {
            tracing::info!(decision = LogDecision::Ignored.as_str(), execution_key = %key, state = %change.state, why = "no message recorded for this approval", "approval ended");
            output.skipped.push(format!("{key}: no message recorded"));
        }
        for message in messages {
            let closed = self.store.close(&message.key, &change.state, at).await?;
            if !closed {
                tracing::info!(decision = LogDecision::Kept.as_str(), execution_key = %key, state = %change.state, approval_key = hash_prefix(&message.key), why = "decided from Slack or closed already", "approval message left as it is");
                output.skipped.push(format!("{key}: decided from Slack"));
                continue;
            }
            let approval = ApprovalRef {
                pipeline: message.pipeline.clone(),
                stage: message.stage.clone(),
                action: message.action.clone(),
                token: "-".to_owned(),
                commit_id: None,
                commit_author: None,
            };
            let update = closed_update(&approval, &message.blocks, &line);
            let at = PostedMessage {
                channel: message.channel.clone(),
                ts: message.ts.clone(),
            };
            self.slack.update_message(&at, &update).await.inspect_err(|e| {
                tracing::error!(execution_key = %key, error = %e, error_type = "SlackFailed", "approval message not closed");
            })?;
            tracing::info!(decision = LogDecision::Closed.as_str(), execution_key = %key, state = %change.state, channel = %message.channel, ts = %message.ts, approval_key = hash_prefix(&message.key), "approval message closed: ended outside Slack");
            output.closed.push(Closed {
                channel: message.channel,
                ts: message.ts,
                state: change.state.clone(),
            });
        }
        Ok(())
    }
}
