//! The handler: read the Function URL request, then verify, decide and act through the
//! ports ([`slack_approval::clicks`]), and answer. It never returns an error page: every
//! request gets the status the domain crate chose (401 not Slack's, 400 malformed, 405
//! not a POST, 200 otherwise), and every problem after a valid signature ends in a
//! message the user can read in Slack.

use serde::Deserialize;
use serde_json::Value;
use slack_approval::{
    ApprovalResults, ApprovalStore, Clicks, Continuation, Continuations, HttpRequest, LogDecision,
    SlackApi,
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
        let Some(request) = FunctionUrlRequest::from_event(event) else {
            tracing::warn!(
                decision = LogDecision::HttpError.as_str(),
                status = 400,
                "not an HTTP request event"
            );
            return FunctionUrlResponse::text(400, "not an HTTP request");
        };
        let method = &request.request_context.http.method;
        if !method.eq_ignore_ascii_case("POST") {
            tracing::warn!(decision = LogDecision::HttpError.as_str(), status = 405, method = %method, "not a POST");
            return FunctionUrlResponse::text(405, "POST only");
        }
        let headers: Vec<(&str, &str)> = request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let http = HttpRequest {
            headers: &headers,
            body: request.body.as_deref().unwrap_or_default(),
            is_base64_encoded: request.is_base64_encoded,
        };
        self.clicks.handle(&http, now).await.into()
    }
}
