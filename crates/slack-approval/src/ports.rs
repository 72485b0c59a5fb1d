//! What the approval workflows need from the outside world, as traits the domain owns:
//! Slack ([`SlackApi`]), the record of each posted message ([`ApprovalStore`]),
//! CodePipeline's `PutApprovalResult` ([`ApprovalResults`]) and the facts of the run
//! being approved ([`PipelineFacts`]). The adapters live in `aws-adapters` (SDK, HTTPS);
//! [`crate::memory`] holds in-memory ones for the CLI and tests.

use std::future::Future;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::approval::{ApprovalRef, ApprovalStatus};

/// A Slack call that did not succeed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlackError {
    /// The request could not be sent or the answer not read (includes timeouts).
    #[error("Slack {call}: {message}")]
    Transport {
        /// The method, or `response_url`.
        call: String,
        /// Why.
        message: String,
    },
    /// Slack answered with an error.
    #[error("Slack {call} answered {status}: {error}")]
    Api {
        /// The method, or `response_url`.
        call: String,
        /// The HTTP status.
        status: u16,
        /// Slack's `error` code (like `channel_not_found`), or the body's start.
        error: String,
    },
}

/// Where a posted message is: what `chat.update` needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostedMessage {
    /// Channel id.
    pub channel: String,
    /// Message `ts`.
    pub ts: String,
}

/// The `chat.update` body that replaces the message at `at` with `update`'s `text` and
/// `blocks` (what every [`SlackApi::update_message`] sends).
pub fn chat_update_body(at: &PostedMessage, update: &Value) -> Value {
    serde_json::json!({
        "channel": at.channel,
        "ts": at.ts,
        "text": update.get("text").cloned().unwrap_or_default(),
        "blocks": update.get("blocks").cloned().unwrap_or_else(|| serde_json::json!([])),
    })
}

/// What the approval workflows ask of Slack: one method per Web API call they make.
pub trait SlackApi {
    /// `chat.postMessage`: posts `body` (which names its channel).
    fn post_message(
        &self,
        body: &Value,
    ) -> impl Future<Output = Result<PostedMessage, SlackError>> + Send;

    /// `chat.update`: replaces the message at `at` with `update`'s `text` and `blocks`.
    fn update_message(
        &self,
        at: &PostedMessage,
        update: &Value,
    ) -> impl Future<Output = Result<(), SlackError>> + Send;

    /// `views.open` with `body` (a modal and its `trigger_id`).
    fn open_view(&self, body: &Value) -> impl Future<Output = Result<(), SlackError>> + Send;

    /// `users.lookupByEmail`: the Slack id of the user with `email`, `None` when nobody
    /// has it.
    fn user_id_by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = Result<Option<String>, SlackError>> + Send;

    /// `usergroups.users.list`: the members of user group `group`.
    fn group_members(
        &self,
        group: &str,
    ) -> impl Future<Output = Result<Vec<String>, SlackError>> + Send;

    /// Posts `body` to an interaction's `response_url` (no token is sent).
    fn respond(
        &self,
        response_url: &str,
        body: &Value,
    ) -> impl Future<Output = Result<(), SlackError>> + Send;
}

/// Seconds a record lives after the approval's expiry (then the store may remove it).
pub const KEEP_AFTER_EXPIRY_SECS: i64 = 7 * 24 * 3600;

/// Hex SHA-256 of an approval token: the store's key, and what logs may show (a prefix).
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The store's key of an approval: the hex SHA-256 of its pipeline, stage, action and
/// token together (a JSON array, so that no two tuples share a text). Keyed on the token
/// alone, a click naming another pipeline with this token would claim, and lock, this
/// approval; keyed on all four, it claims only a record of its own.
pub fn approval_key(pipeline: &str, stage: &str, action: &str, token: &str) -> String {
    let tuple = serde_json::json!([pipeline, stage, action, token]).to_string();
    Sha256::digest(tuple.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The first characters of a hash: enough to find an approval in the logs.
pub fn hash_prefix(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// `pipeline/execution-id/stage/action`: how an approval-ended event finds its messages.
pub fn execution_key(pipeline: &str, execution_id: &str, stage: &str, action: &str) -> String {
    format!("{pipeline}/{execution_id}/{stage}/{action}")
}

/// One posted approval message.
#[derive(Clone, Debug, PartialEq)]
pub struct ApprovalMessage {
    /// [`approval_key`] of the approval.
    pub key: String,
    /// [`execution_key`], when the execution could be found.
    pub execution_key: Option<String>,
    /// Pipeline name.
    pub pipeline: String,
    /// Stage name.
    pub stage: String,
    /// Action name.
    pub action: String,
    /// Channel id of the message.
    pub channel: String,
    /// `ts` of the message.
    pub ts: String,
    /// The posted blocks.
    pub blocks: Vec<Value>,
    /// Email of the commit's author, when known (for the self-approval check).
    pub author_email: Option<String>,
    /// TTL: Unix seconds after which the store may delete the record.
    pub expires_at: i64,
}

/// Who claimed an approval from Slack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRequest<'a> {
    /// [`approval_key`] of the approval clicked.
    pub key: &'a str,
    /// Slack user id.
    pub user_id: &'a str,
    /// `Approved` or `Rejected`.
    pub decision: &'a str,
    /// Unix seconds.
    pub at: i64,
    /// TTL for a record created by the claim (the message was not recorded).
    pub expires_at: i64,
}

/// The answer to a claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This click owns the decision.
    Claimed,
    /// Decided from Slack already, or closed after ending outside Slack.
    AlreadyOver,
}

/// A store operation that failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("approval store {operation}: {message}")]
pub struct StoreError {
    /// The operation.
    pub operation: &'static str,
    /// Why.
    pub message: String,
}

/// The approval messages' store: DynamoDB in Lambda, memory in the CLI. A claim and a
/// close exclude each other, so an "Approved by" message is never overwritten.
pub trait ApprovalStore {
    /// Records a posted message.
    fn save(
        &self,
        message: &ApprovalMessage,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The message of the approval with [`approval_key`] `key`, if recorded.
    fn get(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<ApprovalMessage>, StoreError>> + Send;

    /// Marks the approval decided by a click, unless it is over already.
    fn claim(
        &self,
        request: &ClaimRequest<'_>,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Undoes `user_id`'s claim of `key`: the answer to the click decided nothing.
    fn release(
        &self,
        key: &str,
        user_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The messages of an execution's approval action.
    fn by_execution(
        &self,
        execution_key: &str,
    ) -> impl Future<Output = Result<Vec<ApprovalMessage>, StoreError>> + Send;

    /// Marks the approval ended outside Slack with `state`, unless a click decided it or
    /// it was closed with another state; `true` when it is (now) closed with `state`, so a
    /// redelivered event updates the message again rather than never.
    fn close(
        &self,
        key: &str,
        state: &str,
        at: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Why `PutApprovalResult` did not record the decision.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PutResultError {
    /// The approval was already approved or rejected.
    #[error("ApprovalAlreadyCompletedException")]
    AlreadyCompleted,
    /// The token is not the current one: expired, or the run moved on.
    #[error("InvalidApprovalTokenException")]
    InvalidToken,
    /// The pipeline, stage or action does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request may have reached CodePipeline but no answer came (a timeout): the
    /// decision may or may not be recorded.
    #[error("no answer: {0}")]
    Unknown(String),
    /// Anything else (throttling, permissions): nothing was recorded.
    #[error("{0}")]
    Other(String),
}

/// CodePipeline's approval results.
pub trait ApprovalResults {
    /// `PutApprovalResult`.
    fn put_result(
        &self,
        approval: &ApprovalRef,
        status: ApprovalStatus,
        summary: &str,
    ) -> impl Future<Output = Result<(), PutResultError>> + Send;
}

/// The source revision of an execution.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Revision {
    /// Commit id (`revisionId`).
    pub commit_id: String,
    /// Commit message: `revisionSummary`, or its `CommitMessage` for connection sources.
    pub message: String,
    /// `revisionUrl`, when given.
    pub url: Option<String>,
}

/// A commit's author.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Author {
    /// Name as in the commit.
    pub name: String,
    /// Email as in the commit.
    pub email: Option<String>,
}

/// A look-up of the run's facts that failed (the message goes out without them).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{operation}: {message}")]
pub struct FactsError {
    /// The operation, like `GetPipelineState`.
    pub operation: &'static str,
    /// Why.
    pub message: String,
}

/// The facts of the run being approved: CodePipeline and CodeCommit in Lambda.
pub trait PipelineFacts {
    /// The execution id of the approval action holding `token`.
    fn execution_of(
        &self,
        pipeline: &str,
        stage: &str,
        action: &str,
        token: &str,
    ) -> impl Future<Output = Result<Option<String>, FactsError>> + Send;

    /// The execution's first source revision.
    fn revision(
        &self,
        pipeline: &str,
        execution_id: &str,
    ) -> impl Future<Output = Result<Option<Revision>, FactsError>> + Send;

    /// The author of a CodeCommit commit.
    fn author(
        &self,
        repository: &str,
        commit_id: &str,
    ) -> impl Future<Output = Result<Option<Author>, FactsError>> + Send;
}

/// The CodeCommit repository named in a console commit URL, like
/// `https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/web/commit/9fce…`
/// or the older `…/codecommit/home#/repository/web/commit/9fce…`.
pub fn codecommit_repository(url: &str) -> Option<&str> {
    if !url.contains("codecommit") {
        return None;
    }
    let rest = ["/repositories/", "/repository/"]
        .iter()
        .find_map(|marker| url.split_once(marker).map(|(_, rest)| rest))?;
    let (name, after) = rest.split_once('/')?;
    (after.starts_with("commit/") && !name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hash_is_hex_sha256() {
        let hash = token_hash("abc");
        assert_eq!(
            hash,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn approval_keys_differ_by_every_part_and_cannot_be_forged_by_separators() {
        let key = approval_key("web", "Prod", "Approve", "t");
        assert_eq!(key.len(), 64);
        assert_ne!(key, approval_key("api", "Prod", "Approve", "t"));
        assert_ne!(key, approval_key("web", "Prod", "Approve", "u"));
        assert_ne!(
            approval_key("a\nb", "c", "d", "t"),
            approval_key("a", "b\nc", "d", "t")
        );
        assert_ne!(
            approval_key("a\",\"b", "c", "d", "t"),
            approval_key("a", "b", "c", "d")
        );
    }

    #[test]
    fn repository_from_console_urls() {
        assert_eq!(
            codecommit_repository(
                "https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/web-app/commit/9fceb02?region=eu-west-1"
            ),
            Some("web-app")
        );
        assert_eq!(
            codecommit_repository(
                "https://console.aws.amazon.com/codecommit/home#/repository/monorepo/commit/abc"
            ),
            Some("monorepo")
        );
        assert_eq!(
            codecommit_repository("https://github.com/acme/web/commit/abc"),
            None
        );
    }
}
