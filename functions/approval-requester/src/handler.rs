//! The requester: post each approval notification to Slack, and close the message of an
//! approval that ended without a click. Generic over the ports, so the same code runs in
//! Lambda and in the CLI.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use function_support::ErrorType;
use serde::Serialize;
use serde_json::Value;
use slack_approval::message::{approval_request, closed_update};
use slack_approval::notification::parse_notification;
use slack_approval::{ApprovalRef, ApprovalsConfig, CommitInfo, Timestamp};

use crate::event::{ActionStateChange, EventError, RequesterEvent, parse_event};
use crate::pipeline::{PipelineFacts, codecommit_repository};
use crate::slack::{PostedMessage, SlackApi, post_message, update_message, user_id_by_email};
use crate::store::{
    ApprovalMessage, ApprovalStore, KEEP_AFTER_EXPIRY_SECS, execution_key, token_hash,
};

/// The first characters of a token hash: enough to find an approval in the logs.
pub fn hash_prefix(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
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
}

/// Why an invocation failed. Each variant is an `errorType` that can be searched for.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The event is not one this function reads; retrying will not help.
    #[error("malformed event: {0}")]
    MalformedEvent(#[from] EventError),
    /// A notification could not be read; retrying will not help.
    #[error("malformed approval notification: {0}")]
    MalformedNotification(String),
    /// Slack refused or did not answer; Lambda retries the event.
    #[error("Slack: {0}")]
    Slack(String),
    /// The store could not be read; Lambda retries the event.
    #[error("approval store: {0}")]
    Store(String),
}

impl ErrorType for HandlerError {
    /// The error type reported to Lambda.
    fn error_type(&self) -> &'static str {
        match self {
            Self::MalformedEvent(_) => "MalformedEvent",
            Self::MalformedNotification(_) => "MalformedNotification",
            Self::Slack(_) => "SlackFailed",
            Self::Store(_) => "StoreFailed",
        }
    }
}

impl From<HandlerError> for lambda_runtime::Diagnostic {
    fn from(error: HandlerError) -> Self {
        function_support::diagnostic(&error)
    }
}

/// The requester: the approvals file and the three ports.
pub struct ApprovalRequester<F, S, D> {
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

async fn within<T>(
    limit: Duration,
    what: &str,
    call: impl Future<Output = Result<Option<T>, String>>,
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

impl<F, S, D> ApprovalRequester<F, S, D>
where
    F: PipelineFacts + Sync,
    S: SlackApi + Sync,
    D: ApprovalStore + Sync,
{
    /// Handles one event.
    pub async fn handle(&self, event: Value) -> Result<RequesterOutput, HandlerError> {
        let parsed = parse_event(event).inspect_err(|error| {
            tracing::error!(error = %error, error_type = "MalformedEvent", "event rejected");
        })?;
        let mut output = RequesterOutput::default();
        match parsed {
            RequesterEvent::Notifications(messages) => {
                for message in messages {
                    self.request(&message, &mut output).await?;
                }
            }
            RequesterEvent::ActionStateChange(change) => {
                self.close(&change, &mut output).await?;
            }
            RequesterEvent::Ignored { why } => {
                tracing::info!(decision = "ignored", why = %why, "event ignored");
                output.skipped.push(why);
            }
        }
        Ok(output)
    }

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
            commit.author_slack_id = within(self.lookup_timeout, "users.lookupByEmail", async {
                user_id_by_email(&self.slack, address)
                    .await
                    .map_err(|e| e.to_string())
            })
            .await;
        }
        (Some(commit), email)
    }

    async fn request(
        &self,
        message: &str,
        output: &mut RequesterOutput,
    ) -> Result<(), HandlerError> {
        let notification = parse_notification(message).map_err(|e| {
            tracing::error!(error = %e, error_type = "MalformedNotification", "notification rejected");
            HandlerError::MalformedNotification(e.to_string())
        })?;
        let a = &notification.approval;
        let hash = token_hash(&a.token);
        let Some(channel) = self.config.channel_for(&a.pipeline_name) else {
            tracing::error!(decision = "skipped", pipeline = %a.pipeline_name, stage = %a.stage_name, action = %a.action_name, token_hash = hash_prefix(&hash), why = "no channel: the approvals file has no default_channel and does not list the pipeline", "approval not posted");
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
        let body = approval_request(channel, &notification, commit.as_ref())
            .map_err(|e| HandlerError::MalformedNotification(e.to_string()))?;
        let PostedMessage { channel, ts } = post_message(&self.slack, &body).await.map_err(|e| {
            tracing::error!(pipeline = %a.pipeline_name, token_hash = hash_prefix(&hash), error = %e, error_type = "SlackFailed", "approval not posted");
            HandlerError::Slack(e.to_string())
        })?;
        let record = ApprovalMessage {
            token_hash: hash.clone(),
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
            decision = "posted",
            pipeline = %a.pipeline_name,
            stage = %a.stage_name,
            action = %a.action_name,
            execution_id = execution_id.as_deref().unwrap_or("unknown"),
            channel = %channel,
            ts = %ts,
            commit_id = commit_id.as_deref().unwrap_or("unknown"),
            token_hash = hash_prefix(&hash),
            recorded,
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
        });
        Ok(())
    }

    async fn close(
        &self,
        change: &ActionStateChange,
        output: &mut RequesterOutput,
    ) -> Result<(), HandlerError> {
        let at = if change.time > 0 {
            change.time
        } else {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default()
        };
        let Some(line) = closing_line(&change.state, Timestamp::from_unix(at)) else {
            tracing::info!(decision = "ignored", pipeline = %change.pipeline, stage = %change.stage, action = %change.action, state = %change.state, "approval action not ended");
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
        let messages = self
            .store
            .by_execution(&key)
            .await
            .map_err(|e| HandlerError::Store(e.to_string()))?;
        if messages.is_empty() {
            tracing::info!(decision = "ignored", execution_key = %key, state = %change.state, why = "no message recorded for this approval", "approval ended");
            output.skipped.push(format!("{key}: no message recorded"));
        }
        for message in messages {
            let closed = self
                .store
                .close(&message.token_hash, &change.state, at)
                .await
                .map_err(|e| HandlerError::Store(e.to_string()))?;
            if !closed {
                tracing::info!(decision = "kept", execution_key = %key, state = %change.state, token_hash = hash_prefix(&message.token_hash), why = "decided from Slack or closed already", "approval message left as it is");
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
            update_message(&self.slack, &at, &update).await.map_err(|e| {
                tracing::error!(execution_key = %key, error = %e, error_type = "SlackFailed", "approval message not closed");
                HandlerError::Slack(e.to_string())
            })?;
            tracing::info!(decision = "closed", execution_key = %key, state = %change.state, channel = %message.channel, ts = %message.ts, token_hash = hash_prefix(&message.token_hash), "approval message closed: ended outside Slack");
            output.closed.push(Closed {
                channel: message.channel,
                ts: message.ts,
                state: change.state.clone(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::RecordingSlack;
    use crate::pipeline::{Author, Revision};
    use crate::store::{ClaimRequest, MemoryStore};

    const EXECUTION: &str = "c2d0b5e4-8f1a-4b7e-9a3c-5d6e7f8a9b0c";
    const TOKEN: &str = "3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34";

    struct Facts;

    impl PipelineFacts for Facts {
        async fn execution_of(
            &self,
            _: &str,
            _: &str,
            _: &str,
            token: &str,
        ) -> Result<Option<String>, String> {
            Ok((token == TOKEN).then(|| EXECUTION.to_owned()))
        }

        async fn revision(&self, _: &str, _: &str) -> Result<Option<Revision>, String> {
            Ok(Some(Revision {
                commit_id: "9fceb02d0ae598e95dc970b74767f19372d61af8".into(),
                message: "Fix checkout totals".into(),
                url: Some("https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/web/commit/9fceb02d0ae598e95dc970b74767f19372d61af8".into()),
            }))
        }

        async fn author(&self, repository: &str, _: &str) -> Result<Option<Author>, String> {
            assert_eq!(repository, "web");
            Ok(Some(Author {
                name: "Carol".into(),
                email: Some("carol@example.com".into()),
            }))
        }
    }

    fn requester() -> ApprovalRequester<Facts, RecordingSlack, MemoryStore> {
        let config = "version: 1\ndefault_channel: C0DEPLOYS\nforbid_self_approval: true\npipelines:\n  - name: web-prod\n    approvers: [U0ALICE]\n";
        ApprovalRequester {
            config: Arc::new(ApprovalsConfig::from_yaml(config, "test").unwrap()),
            facts: Facts,
            slack: RecordingSlack::with_directory(
                vec![("carol@example.com".into(), "U0CAROL".into())],
                Vec::new(),
            ),
            store: MemoryStore::default(),
            lookup_timeout: Duration::from_secs(1),
        }
    }

    fn sample(name: &str) -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../events/approval-requester")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn posts_with_the_commit_and_records_the_message() {
        let r = requester();
        let output = r
            .handle(sample("approval-notification.json"))
            .await
            .unwrap();
        assert_eq!(output.posted.len(), 1);
        assert!(output.posted[0].recorded);
        let calls = r.slack.calls();
        let post = calls.iter().find(|c| c.call == "chat.postMessage").unwrap();
        assert_eq!(post.body["channel"], "C0DEPLOYS");
        let text = post.body["blocks"].to_string();
        assert!(
            text.contains("Fix checkout totals") && text.contains("Carol"),
            "{text}"
        );
        // The author's Slack id rides in the button value, against self-approval.
        assert!(text.contains(r#"\"u\":\"U0CAROL\""#), "{text}");
        let stored = r.store.get(&token_hash(TOKEN)).await.unwrap().unwrap();
        assert_eq!(
            stored.execution_key.as_deref(),
            Some(format!("web-prod/{EXECUTION}/Production/ApproveRelease").as_str())
        );
        assert!(!stored.blocks.is_empty());
    }

    #[tokio::test]
    async fn an_approval_ended_outside_slack_closes_the_message() {
        let r = requester();
        r.handle(sample("approval-notification.json"))
            .await
            .unwrap();
        let started = r
            .handle(sample("approval-action-started.json"))
            .await
            .unwrap();
        assert!(started.closed.is_empty());
        let output = r
            .handle(sample("approval-action-succeeded.json"))
            .await
            .unwrap();
        assert_eq!(output.closed.len(), 1);
        let calls = r.slack.calls();
        let update = calls.iter().find(|c| c.call == "chat.update").unwrap();
        assert_eq!(update.body["channel"], "C0DEPLOYS");
        let blocks = update.body["blocks"].to_string();
        assert!(blocks.contains("Approved outside Slack"), "{blocks}");
        assert!(!blocks.contains("\"actions\""), "{blocks}");
    }

    #[tokio::test]
    async fn a_slack_decision_is_not_overwritten() {
        let r = requester();
        r.handle(sample("approval-notification.json"))
            .await
            .unwrap();
        let hash = token_hash(TOKEN);
        r.store
            .claim(&ClaimRequest {
                token_hash: &hash,
                user_id: "U0ALICE",
                decision: "Approved",
                at: 1,
                expires_at: 2,
            })
            .await
            .unwrap();
        let output = r
            .handle(sample("approval-action-succeeded.json"))
            .await
            .unwrap();
        assert!(output.closed.is_empty());
        assert!(r.slack.calls().iter().all(|c| c.call != "chat.update"));
    }

    #[tokio::test]
    async fn a_malformed_notification_is_an_error() {
        let r = requester();
        let mut event = sample("approval-notification.json");
        event["Records"][0]["Sns"]["Message"] = "{\"region\":\"x\"}".into();
        let error = r.handle(event).await.unwrap_err();
        assert_eq!(error.error_type(), "MalformedNotification");
        assert!(r.slack.calls().is_empty());
    }
}
