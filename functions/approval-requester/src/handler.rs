//! The requester: parse the event, then post each approval notification to Slack, or
//! close the message of an approval that ended without a click
//! ([`slack_approval::requests`]). Generic over the ports, so the same code runs in
//! Lambda and in the CLI.

use function_support::ErrorType;
use serde_json::Value;
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
}

impl ErrorType for HandlerError {
    /// The error type reported to Lambda.
    fn error_type(&self) -> &'static str {
        match self {
            Self::MalformedEvent(_) => "MalformedEvent",
            Self::Request(error) => error.error_type(),
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
