//! The handler: parse the tick, run it, log one line per decision, map errors. Generic
//! over the ports, so the same code runs in Lambda (AWS SDK) and in the CLI (local git,
//! local files).

use function_support::ErrorType;
use pipeline_routing::{ChangeSource, PipelineStarter};
use pipeline_scheduler::{
    BranchHeads, ExecutionHistory, Scheduler, SchedulerState, StateError, TickError, TickReport,
    log_decisions,
};
use pipeline_schedules::holds::HoldStore;
use pipeline_schedules::jiff::Timestamp;

use crate::event::{EventError, parse_tick};

/// The scheduler function over its ports.
#[derive(Clone, Debug)]
pub struct SchedulerFunction<S, R, P, H> {
    /// The use case with its ports.
    pub scheduler: Scheduler<S, R, P, H>,
}

/// Why an invocation failed. Each variant is an `errorType` that can be searched for.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The event is not a tick; retrying will not help.
    #[error("malformed event: {0}")]
    MalformedEvent(#[from] EventError),
    /// The last tick could not be read or recorded: nothing was evaluated. Retried.
    #[error("{0}")]
    StateUnavailable(StateError),
    /// Some starts, holds or releases failed. The invocation fails so that EventBridge
    /// Scheduler retries it with the same `scheduled_time`: the slot claims and tokens
    /// keep what already started from starting twice.
    #[error("{} decision(s) failed: {}", .errors.len(), .errors.join("; "))]
    DecisionsFailed {
        /// `pipeline: error`, one per failed decision.
        errors: Vec<String>,
    },
}

impl ErrorType for HandlerError {
    fn error_type(&self) -> &'static str {
        match self {
            HandlerError::MalformedEvent(_) => "MalformedEvent",
            HandlerError::StateUnavailable(_) => "StateUnavailable",
            HandlerError::DecisionsFailed { .. } => "DecisionsFailed",
        }
    }
}

impl From<HandlerError> for lambda_runtime::Diagnostic {
    fn from(error: HandlerError) -> Self {
        function_support::diagnostic(&error)
    }
}

impl<S, R, P, H> SchedulerFunction<S, R, P, H>
where
    S: SchedulerState + Sync,
    R: BranchHeads + ChangeSource + Sync,
    P: PipelineStarter + ExecutionHistory + Sync,
    H: HoldStore + Sync,
{
    /// Handles one tick event; `now` is used when the event has no `scheduled_time`.
    pub async fn handle(
        &self,
        event: serde_json::Value,
        now: Timestamp,
    ) -> Result<TickReport, HandlerError> {
        let tick = parse_tick(event).inspect_err(|error| {
            tracing::error!(decision = "rejected", error = %error, "malformed tick event");
        })?;
        let at = tick.scheduled_time.unwrap_or(now);
        let report = self.scheduler.tick(at).await.map_err(|error| {
            tracing::error!(decision = "failed", error = %error, "tick not evaluated");
            match error {
                TickError::State(error) => HandlerError::StateUnavailable(error),
            }
        })?;
        log_decisions(&report);
        tracing::info!(
            tick = %report.now,
            since = report.since.map(|s| s.to_string()).as_deref(),
            decisions = report.decisions.len(),
            "tick evaluated"
        );
        let errors: Vec<String> = report
            .failures()
            .map(|d| format!("{}: {}", d.pipeline, d.error.as_deref().unwrap_or("failed")))
            .collect();
        if errors.is_empty() {
            Ok(report)
        } else {
            Err(HandlerError::DecisionsFailed { errors })
        }
    }
}
