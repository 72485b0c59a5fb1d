//! The handler: parse the event, plan, start, log, publish. Generic over the ports, so
//! the same code runs in Lambda (AWS SDK) and in the CLI (local git, recorded starts).

use std::sync::Arc;
use std::time::Duration;

use function_support::ErrorType;
use serde::Serialize;

use pipeline_routing::report::{RoutingSummary, log_plan};
use pipeline_routing::{
    ChangeSource, HoldOutcome, PipelineStarter, PlanOptions, RoutingPlan, RoutingRules,
    StartOutcome, hold_pipelines, plan_push, start_pipelines,
};
use pipeline_schedules::HoldStore;
use pipeline_schedules::jiff::Timestamp;

use crate::event::{EventError, parse_push};
pub use crate::ports::{NoHolds, NoSummary, SummaryPublisher};

/// Time kept back from the diff for starting pipelines and reporting.
const RESERVED_FOR_STARTS: Duration = Duration::from_secs(5);

/// What the handler returns: the plan, what starting the pipelines did, and the holds
/// written for the `frozen` ones.
#[derive(Clone, Debug, Serialize)]
pub struct HandlerOutput {
    /// Every decision about the push.
    #[serde(flatten)]
    pub plan: RoutingPlan,
    /// The starts.
    pub starts: Vec<StartOutcome>,
    /// The holds (pipelines under a freeze).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub holds: Vec<HoldOutcome>,
}

/// Why an invocation failed. Each variant is an `errorType` that can be searched for.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The event is not a CodeCommit push this function can route. Retrying will not
    /// help; after Lambda's retries the event lands in the on-failure destination.
    #[error("malformed event: {0}")]
    MalformedEvent(#[from] EventError),
    /// One or more pipelines could not be started. The invocation fails so that Lambda
    /// retries it; the idempotency token keeps the already-started ones from running twice.
    #[error("could not start {}: {}", .failed.join(", "), .errors.join("; "))]
    StartFailed {
        /// The pipelines that did not start.
        failed: Vec<String>,
        /// Their errors.
        errors: Vec<String>,
    },
    /// One or more holds could not be written. The invocation fails so that Lambda
    /// retries it; a retried hold folds into itself (same commit, same time).
    #[error("could not hold {}: {}", .failed.join(", "), .errors.join("; "))]
    HoldFailed {
        /// The pipelines not held.
        failed: Vec<String>,
        /// Their errors.
        errors: Vec<String>,
    },
}

impl ErrorType for HandlerError {
    /// The error type reported to Lambda.
    fn error_type(&self) -> &'static str {
        match self {
            HandlerError::MalformedEvent(_) => "MalformedEvent",
            HandlerError::StartFailed { .. } => "StartFailed",
            HandlerError::HoldFailed { .. } => "HoldFailed",
        }
    }
}

impl From<HandlerError> for lambda_runtime::Diagnostic {
    fn from(error: HandlerError) -> Self {
        function_support::diagnostic(&error)
    }
}

/// The commit-filter function: rules, and the four ports it acts through.
pub struct CommitFilter<S, P, N = NoSummary, H = NoHolds> {
    /// The routing rules, loaded once per container.
    pub rules: Arc<RoutingRules>,
    /// Where diffs are read.
    pub source: S,
    /// Where pipelines are started.
    pub starter: P,
    /// Where routing summaries are published.
    pub publisher: N,
    /// Where pushes under a freeze are held.
    pub holds: H,
}

impl<S, P, N, H> CommitFilter<S, P, N, H>
where
    S: ChangeSource + Sync,
    P: PipelineStarter + Sync,
    N: SummaryPublisher + Sync,
    H: HoldStore + Sync,
{
    /// Handles one event. `time_left` is the invocation's remaining time, if known.
    pub async fn handle(
        &self,
        event: serde_json::Value,
        time_left: Option<Duration>,
    ) -> Result<HandlerOutput, HandlerError> {
        let push = parse_push(event).inspect_err(|error| {
            tracing::error!(error = %error, error_type = "MalformedEvent", "event rejected");
        })?;
        let options = PlanOptions {
            diff_timeout: time_left.map(|left| {
                left.saturating_sub(RESERVED_FOR_STARTS)
                    .max(Duration::from_secs(1))
            }),
            // Freezes are judged at the push's time; an event without one, now.
            at: Some(push.time.unwrap_or_else(Timestamp::now)),
        };
        let plan = plan_push(&self.rules, &push, &self.source, &options).await;
        let starts = start_pipelines(&self.rules, &plan, &self.starter).await;
        let holds = hold_pipelines(&self.rules, &plan, &self.holds).await;
        log_plan(&plan, &starts, &holds);

        if plan.repository_configured {
            let summary = RoutingSummary::new(&plan, &starts).with_holds(&holds);
            match serde_json::to_string_pretty(&summary) {
                Ok(message) => {
                    if let Err(error) = self.publisher.publish(&summary.subject(), &message).await {
                        tracing::error!(error = %error, event_id = %push.event_id, "routing summary not published");
                    }
                }
                Err(error) => {
                    tracing::error!(error = %error, "routing summary not serializable");
                }
            }
        }

        let (failed, errors): (Vec<String>, Vec<String>) = starts
            .iter()
            .filter_map(|s| match s {
                StartOutcome::Failed { pipeline, error } => Some((pipeline.clone(), error.clone())),
                StartOutcome::Started { .. } => None,
            })
            .unzip();
        if !failed.is_empty() {
            return Err(HandlerError::StartFailed { failed, errors });
        }
        let (failed, errors): (Vec<String>, Vec<String>) = holds
            .iter()
            .filter_map(|h| match h {
                HoldOutcome::Failed { pipeline, error } => Some((pipeline.clone(), error.clone())),
                HoldOutcome::Held { .. } => None,
            })
            .unzip();
        if !failed.is_empty() {
            return Err(HandlerError::HoldFailed { failed, errors });
        }
        Ok(HandlerOutput {
            plan,
            starts,
            holds,
        })
    }
}
