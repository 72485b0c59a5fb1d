//! What a push's routing is told as: one structured log line per pipeline decision, and a
//! summary of the whole push (printed by the CLI, published to SNS where configured).

use serde::Serialize;

use crate::hold::HoldOutcome;
use crate::plan::{Decision, DiffBase, PipelineDecision, RoutingPlan};
use crate::push::Push;
use crate::start::StartOutcome;

/// The routing summary of one push.
#[derive(Clone, Debug, Serialize)]
pub struct RoutingSummary<'a> {
    /// The push.
    pub push: &'a Push,
    /// Whether the rules name the repository.
    pub repository_configured: bool,
    /// What the diff was computed against.
    pub diff_base: &'a DiffBase,
    /// Pages of differences read.
    pub pages_read: usize,
    /// Changed paths matched.
    pub paths_read: usize,
    /// The decisions.
    pub decisions: &'a [PipelineDecision],
    /// The starts, where pipelines were started.
    pub starts: &'a [StartOutcome],
    /// The holds, where a freeze held pipelines (`frozen` decisions).
    #[serde(skip_serializing_if = "<[HoldOutcome]>::is_empty")]
    pub holds: &'a [HoldOutcome],
}

impl<'a> RoutingSummary<'a> {
    /// The summary of a plan and its starts.
    pub fn new(plan: &'a RoutingPlan, starts: &'a [StartOutcome]) -> Self {
        Self {
            push: &plan.push,
            repository_configured: plan.repository_configured,
            diff_base: &plan.diff_base,
            pages_read: plan.pages_read,
            paths_read: plan.paths_read,
            decisions: &plan.decisions,
            starts,
            holds: &[],
        }
    }

    /// The summary with the holds written for its `frozen` decisions.
    pub fn with_holds(mut self, holds: &'a [HoldOutcome]) -> Self {
        self.holds = holds;
        self
    }

    /// A one-line subject, e.g. for an SNS message: `monorepo main@1a2b3c4: started api, web`.
    pub fn subject(&self) -> String {
        let started: Vec<&str> = self
            .decisions
            .iter()
            .filter(|d| d.decision == Decision::Start)
            .map(|d| d.pipeline.as_str())
            .collect();
        let commit: String = self.push.commit_id.chars().take(7).collect();
        let held: Vec<&str> = self
            .decisions
            .iter()
            .filter(|d| d.decision == Decision::Frozen)
            .map(|d| d.pipeline.as_str())
            .collect();
        let mut what = if started.is_empty() {
            "started nothing".to_owned()
        } else {
            format!("started {}", started.join(", "))
        };
        if !held.is_empty() {
            what.push_str(&format!("; held {} (freeze)", held.join(", ")));
        }
        format!(
            "{} {}@{}: {}",
            self.push.repository,
            self.push.reference.name(),
            commit,
            what
        )
    }
}

/// Logs the plan: one JSON line per pipeline decision (with its start or hold outcome; a
/// `frozen` or `freeze_skip` line names the `freeze` and its `release_at`), a loud error
/// line when the diff was unavailable, and a line when the repository is unknown.
pub fn log_plan(plan: &RoutingPlan, starts: &[StartOutcome], holds: &[HoldOutcome]) {
    let push = &plan.push;
    if !plan.repository_configured {
        tracing::info!(
            event_id = %push.event_id,
            repository = %push.repository,
            reference = %push.reference,
            "repository not in the routing rules: no pipeline started"
        );
        return;
    }
    if let DiffBase::Unavailable { error } = &plan.diff_base {
        tracing::error!(
            event_id = %push.event_id,
            repository = %push.repository,
            reference = %push.reference,
            commit = %push.commit_id,
            on_diff_failure = plan.on_diff_failure.as_str(),
            error = %error,
            "diff unavailable: candidate pipelines decided by the on_diff_failure policy"
        );
    }
    for decision in &plan.decisions {
        let start = starts.iter().find(|s| s.pipeline() == decision.pipeline);
        let hold = holds.iter().find(|h| h.pipeline() == decision.pipeline);
        let (execution_id, mut error) = match start {
            Some(StartOutcome::Started { execution_id, .. }) => (Some(execution_id.as_str()), None),
            Some(StartOutcome::Failed { error, .. }) => (None, Some(error.as_str())),
            None => (None, None),
        };
        let hold_write = match hold {
            Some(HoldOutcome::Held { write, .. }) => Some(write.as_str()),
            Some(HoldOutcome::Failed { error: failed, .. }) => {
                error = Some(failed.as_str());
                None
            }
            None => None,
        };
        let freeze = decision.freeze.as_ref().map(|f| f.name.as_str());
        let window_end = decision.freeze.as_ref().map(|f| f.window_end.to_string());
        let release_at = decision.freeze.as_ref().map(|f| f.release_at.to_string());
        // The field names are those of `PipelineDecision` in the JSON output.
        macro_rules! decision_line {
            ($level:expr, $message:literal) => {
                tracing::event!(
                    $level,
                    event_id = %push.event_id,
                    repository = %push.repository,
                    reference = %push.reference,
                    commit = %push.commit_id,
                    pipeline = %decision.pipeline,
                    decision = decision.decision.as_str(),
                    reason = decision.reason.as_str(),
                    matched = decision.matched.as_deref(),
                    glob = decision.glob.as_deref(),
                    freeze,
                    window_end = window_end.as_deref(),
                    release_at = release_at.as_deref(),
                    hold_write,
                    execution_id,
                    error,
                    $message
                )
            };
        }
        if error.is_some() && hold.is_some() {
            decision_line!(tracing::Level::ERROR, "pipeline hold not written");
        } else if error.is_some() {
            decision_line!(tracing::Level::ERROR, "pipeline start failed");
        } else {
            decision_line!(tracing::Level::INFO, "pipeline decision");
        }
    }
}

#[cfg(test)]
mod tests;
