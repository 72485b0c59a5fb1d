//! The handler: read the Function URL request, then verify, decide and act through the
//! ports ([`slack_approval::clicks`]), and answer. It never returns an error page: every
//! request gets the status the domain crate chose (401 not Slack's, 400 malformed, 405
//! not a POST, 200 otherwise), and every problem after a valid signature ends in a
//! message the user can read in Slack.
//!
//! [`FunctionHandler`] is the deployed function: the approval clicks ([`ApprovalHandler`])
//! and the "Release now" click on a held push ([`slack_approval::release`]), told apart
//! after verification; the continuations queue feeds both.

use serde::Deserialize;
use serde_json::Value;
use slack_approval::{
    ApprovalResults, ApprovalStore, Clicks, Continuation, Continuations, HoldReleases, HttpReply,
    HttpRequest, ReleaseClicks, SlackApi,
};

use crate::http::{FunctionUrlResponse, read_request};

/// The handler function: the click workflow and its ports.
pub struct ApprovalHandler<C, S, D, L> {
    /// Verify, decide, claim, put, release, replace.
    pub clicks: Clicks<C, S, D, L>,
}

/// An SQS event: the continuations queued by earlier requests.
#[derive(Deserialize)]
struct SqsEvent {
    #[serde(rename = "Records")]
    records: Vec<SqsRecord>,
}

#[derive(Deserialize)]
struct SqsRecord {
    #[serde(rename = "eventSource")]
    event_source: String,
    body: String,
}

impl SqsEvent {
    /// The event, when it is one from SQS.
    fn from_event(event: &Value) -> Option<Self> {
        let event = Self::deserialize(event).ok()?;
        event
            .records
            .iter()
            .all(|r| r.event_source == "aws:sqs")
            .then_some(event)
    }
}

/// The two workflows of a handler: [`handle_event`] tells an SQS batch from an HTTP
/// request and gives each to one of these.
trait Workflows {
    /// Finishes one queued continuation.
    async fn resume(&self, continuation: &Continuation);
    /// What Slack gets for one POSTed request at Unix time `now`.
    async fn reply(&self, request: &HttpRequest<'_>, now: i64) -> HttpReply;
}

/// One event: the continuations queue (each continuation finished; one that cannot be
/// read is logged and dropped, a retry would not read it either), or a Function URL
/// request.
async fn handle_event(workflows: &impl Workflows, event: Value, now: i64) -> Value {
    if let Some(batch) = SqsEvent::from_event(&event) {
        for record in batch.records {
            match serde_json::from_str::<Continuation>(&record.body) {
                Ok(continuation) => workflows.resume(&continuation).await,
                Err(error) => tracing::error!(error = %error, "continuation not readable; dropped"),
            }
        }
        return serde_json::json!({"batchItemFailures": []});
    }
    serde_json::to_value(handle(workflows, event, now).await).unwrap_or_default()
}

/// One HTTP request event at Unix time `now`: the 400 / 405 of a request that is not a
/// POST, else the workflows' reply.
async fn handle(workflows: &impl Workflows, event: Value, now: i64) -> FunctionUrlResponse {
    let request = match read_request(event) {
        Ok(request) => request,
        Err(response) => return response,
    };
    let headers = request.header_pairs();
    let http = request.http(&headers);
    workflows.reply(&http, now).await.into()
}

impl<C, S, D, L> Workflows for ApprovalHandler<C, S, D, L>
where
    C: ApprovalResults + Sync,
    S: SlackApi + Sync,
    D: ApprovalStore + Sync,
    L: Continuations + Sync,
{
    async fn resume(&self, continuation: &Continuation) {
        self.clicks.resume(continuation).await;
    }

    async fn reply(&self, request: &HttpRequest<'_>, now: i64) -> HttpReply {
        self.clicks.handle(request, now).await
    }
}

impl<C, S, D, L> ApprovalHandler<C, S, D, L>
where
    C: ApprovalResults + Sync,
    S: SlackApi + Sync,
    D: ApprovalStore + Sync,
    L: Continuations + Sync,
{
    /// Handles one event: a Function URL request (Slack), or the continuations queue.
    pub async fn handle_event(&self, event: Value, now: i64) -> Value {
        handle_event(self, event, now).await
    }

    /// Handles one HTTP request event at Unix time `now`.
    pub async fn handle(&self, event: Value, now: i64) -> FunctionUrlResponse {
        handle(self, event, now).await
    }
}

/// The deployed function: approval clicks, and "Release now" clicks on held pushes.
pub struct FunctionHandler<C, S, D, L, R> {
    /// Approve / Reject.
    pub approvals: ApprovalHandler<C, S, D, L>,
    /// "Release now".
    pub releases: ReleaseClicks<S, R, L>,
}

impl<C, S, D, L, R> Workflows for FunctionHandler<C, S, D, L, R>
where
    C: ApprovalResults + Sync,
    S: SlackApi + Sync,
    D: ApprovalStore + Sync,
    L: Continuations + Sync,
    R: HoldReleases + Sync,
{
    async fn resume(&self, continuation: &Continuation) {
        if self.releases.resumes(continuation) {
            self.releases.resume(continuation).await;
        } else {
            self.approvals.clicks.resume(continuation).await;
        }
    }

    /// A "Release now" click (or a request that is not Slack's) goes to the release
    /// workflow, any other to the approvals'.
    async fn reply(&self, request: &HttpRequest<'_>, now: i64) -> HttpReply {
        match self.releases.handle(request, now).await {
            Some(reply) => reply,
            None => self.approvals.clicks.handle(request, now).await,
        }
    }
}

impl<C, S, D, L, R> FunctionHandler<C, S, D, L, R>
where
    C: ApprovalResults + Sync,
    S: SlackApi + Sync,
    D: ApprovalStore + Sync,
    L: Continuations + Sync,
    R: HoldReleases + Sync,
{
    /// Handles one event: a Function URL request (Slack), or the continuations queue.
    pub async fn handle_event(&self, event: Value, now: i64) -> Value {
        handle_event(self, event, now).await
    }

    /// Handles one HTTP request event at Unix time `now`: a "Release now" click (or a
    /// request that is not Slack's) by the release workflow, any other by the approvals'.
    pub async fn handle(&self, event: Value, now: i64) -> FunctionUrlResponse {
        handle(self, event, now).await
    }
}
