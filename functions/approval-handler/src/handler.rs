//! The handler: read the Function URL request, then verify, decide and act through the
//! ports ([`slack_approval::clicks`]), and answer. It never returns an error page: every
//! request gets the status the domain crate chose (401 not Slack's, 400 malformed, 405
//! not a POST, 200 otherwise), and every problem after a valid signature ends in a
//! message the user can read in Slack.

use serde_json::Value;
use slack_approval::{ApprovalResults, ApprovalStore, Clicks, HttpRequest, LogDecision, SlackApi};

use crate::http::{FunctionUrlRequest, FunctionUrlResponse};

/// The handler function: the click workflow and its ports.
pub struct ApprovalHandler<C, S, D> {
    /// Verify, decide, claim, put, release, replace.
    pub clicks: Clicks<C, S, D>,
}

impl<C, S, D> ApprovalHandler<C, S, D>
where
    C: ApprovalResults + Sync,
    S: SlackApi + Sync,
    D: ApprovalStore + Sync,
{
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
