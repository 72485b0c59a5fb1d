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
    HttpRequest, LogDecision, ReleaseClicks, SlackApi,
};

use crate::http::{FunctionUrlRequest, FunctionUrlResponse};

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

impl<C, S, D, L> ApprovalHandler<C, S, D, L>
where
    C: ApprovalResults + Sync,
    S: SlackApi + Sync,
    D: ApprovalStore + Sync,
    L: Continuations + Sync,
{
    /// Handles one event: a Function URL request (Slack), or the continuations queue.
    pub async fn handle_event(&self, event: Value, now: i64) -> Value {
        if let Some(batch) = SqsEvent::from_event(&event) {
            self.continue_batch(batch).await;
            return serde_json::json!({"batchItemFailures": []});
        }
        serde_json::to_value(self.handle(event, now).await).unwrap_or_default()
    }

    /// Finishes each queued continuation; one that cannot be read is logged and dropped
    /// (a retry would not read it either).
    async fn continue_batch(&self, batch: SqsEvent) {
        for record in batch.records {
            match serde_json::from_str::<Continuation>(&record.body) {
                Ok(continuation) => self.clicks.resume(&continuation).await,
                Err(error) => tracing::error!(error = %error, "continuation not readable; dropped"),
            }
        }
    }

    /// Handles one HTTP request event at Unix time `now`.
    pub async fn handle(&self, event: Value, now: i64) -> FunctionUrlResponse {
        let request = match read_request(event) {
            Ok(request) => request,
            Err(response) => return response,
        };
        let headers = request.header_pairs();
        let http = request.http(&headers);
        self.clicks.handle(&http, now).await.into()
    }
}

/// The POSTed request of an HTTP request event, or the 400 / 405 to answer (logged).
fn read_request(event: Value) -> Result<FunctionUrlRequest, FunctionUrlResponse> {
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
    fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    fn http<'a>(&'a self, headers: &'a [(&'a str, &'a str)]) -> HttpRequest<'a> {
        HttpRequest {
            headers,
            body: self.body.as_deref().unwrap_or_default(),
            is_base64_encoded: self.is_base64_encoded,
        }
    }
}

/// The deployed function: approval clicks, and "Release now" clicks on held pushes.
pub struct FunctionHandler<C, S, D, L, R> {
    /// Approve / Reject.
    pub approvals: ApprovalHandler<C, S, D, L>,
    /// "Release now".
    pub releases: ReleaseClicks<S, R, L>,
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
        if let Some(batch) = SqsEvent::from_event(&event) {
            for record in batch.records {
                match serde_json::from_str::<Continuation>(&record.body) {
                    Ok(continuation) if self.releases.resumes(&continuation) => {
                        self.releases.resume(&continuation).await
                    }
                    Ok(continuation) => self.approvals.clicks.resume(&continuation).await,
                    Err(error) => {
                        tracing::error!(error = %error, "continuation not readable; dropped")
                    }
                }
            }
            return serde_json::json!({"batchItemFailures": []});
        }
        serde_json::to_value(self.handle(event, now).await).unwrap_or_default()
    }

    /// Handles one HTTP request event at Unix time `now`: a "Release now" click (or a
    /// request that is not Slack's) by the release workflow, any other by the approvals'.
    pub async fn handle(&self, event: Value, now: i64) -> FunctionUrlResponse {
        let request = match read_request(event) {
            Ok(request) => request,
            Err(response) => return response,
        };
        let headers = request.header_pairs();
        let http = request.http(&headers);
        let reply: HttpReply = match self.releases.handle(&http, now).await {
            Some(reply) => reply,
            None => self.approvals.clicks.handle(&http, now).await,
        };
        reply.into()
    }
}
