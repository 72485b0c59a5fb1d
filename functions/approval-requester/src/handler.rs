//! The requester: parse the event, then post each approval notification to Slack, or
//! close the message of an approval that ended without a click
//! ([`slack_approval::requests`]). Generic over the ports, so the same code runs in
//! Lambda and in the CLI.
//!
//! [`RequesterFunction`] is the deployed function: it also receives commit-filter's
//! routing summaries from SNS, and announces each held push with a "Release now" button
//! ([`slack_approval::held`]).

use function_support::ErrorType;
use pipeline_schedules::HoldStore;
use serde_json::Value;
use slack_approval::held::{AnnounceError, Announcements, is_routing_summary};
use slack_approval::requests::{RequestError, RequesterOutput, Requests};
use slack_approval::{ApprovalStore, LogDecision, PipelineFacts, SlackApi};

use crate::event::{EventError, RequesterEvent, parse_event};

/// Why an invocation failed. Each variant is an `errorType` that can be searched for.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The event is not one this function reads; retrying will not help.
    #[error("malformed event: {0}")]
    MalformedEvent(#[from] EventError),
    /// A notification or state change could not be handled (see its `error_type`).
    #[error(transparent)]
    Request(#[from] RequestError),
    /// A routing summary's held push could not be announced (see its `error_type`).
    #[error(transparent)]
    Announce(#[from] AnnounceError),
}

impl ErrorType for HandlerError {
    /// The error type reported to Lambda.
    fn error_type(&self) -> &'static str {
        match self {
            Self::MalformedEvent(_) => "MalformedEvent",
            Self::Request(error) => error.error_type(),
            Self::Announce(error) => error.error_type(),
        }
    }
}

impl From<HandlerError> for lambda_runtime::Diagnostic {
    fn from(error: HandlerError) -> Self {
        function_support::diagnostic(&error)
    }
}

/// The requester function: the workflows and their ports.
pub struct ApprovalRequester<F, S, D> {
    /// Post and close.
    pub requests: Requests<F, S, D>,
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
                    self.requests.post(&message, &mut output).await?;
                }
            }
            RequesterEvent::ActionStateChange(change) => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or_default();
                self.requests.close(&change, now, &mut output).await?;
            }
            RequesterEvent::Ignored { why } => {
                tracing::info!(decision = LogDecision::Ignored.as_str(), why = %why, "event ignored");
                output.skipped.push(why);
            }
        }
        Ok(output)
    }
}

/// The deployed requester: approval notifications and state changes, and the routing
/// summaries whose held pushes it announces.
pub struct RequesterFunction<F, S, D, H> {
    /// Approval requests.
    pub approvals: ApprovalRequester<F, S, D>,
    /// Held pushes.
    pub announcements: Announcements<S, H>,
}

impl<F, S, D, H> RequesterFunction<F, S, D, H>
where
    F: PipelineFacts + Sync,
    S: SlackApi + Sync,
    D: ApprovalStore + Sync,
    H: HoldStore + Sync,
{
    /// Handles one event: an SNS record that is a routing summary is announced, any other
    /// is an approval notification; EventBridge events are the approvals'.
    pub async fn handle(&self, event: Value) -> Result<RequesterOutput, HandlerError> {
        let Ok(RequesterEvent::Notifications(messages)) = parse_event(event.clone()) else {
            return self.approvals.handle(event).await;
        };
        if !messages.iter().any(|m| is_routing_summary(m)) {
            return self.approvals.handle(event).await;
        }
        let mut output = RequesterOutput::default();
        for message in messages {
            if is_routing_summary(&message) {
                self.announcements
                    .announce(&message, &mut output)
                    .await
                    .inspect_err(|error| {
                        tracing::error!(error = %error, error_type = error.error_type(), "held push not announced");
                    })?;
            } else {
                self.approvals.requests.post(&message, &mut output).await?;
            }
        }
        Ok(output)
    }
}
