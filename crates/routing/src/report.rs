//! What a push's routing is told as: one structured log line per pipeline decision, and a
//! summary of the whole push (printed by the CLI, published to SNS where configured).

use serde::Serialize;

use crate::plan::{Decision, DiffBase, Reason, RoutingPlan, Verdict};
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
    pub decisions: &'a [Decision],
    /// The starts, where pipelines were started.
    pub starts: &'a [StartOutcome],
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
        }
    }

    /// A one-line subject, e.g. for an SNS message: `monorepo main@1a2b3c4: started api, web`.
    pub fn subject(&self) -> String {
        let started: Vec<&str> = self
            .decisions
            .iter()
            .filter(|d| d.verdict == Verdict::Start)
            .map(|d| d.pipeline.as_str())
            .collect();
        let commit: String = self.push.commit_id.chars().take(7).collect();
        let what = if started.is_empty() {
            "started nothing".to_owned()
        } else {
            format!("started {}", started.join(", "))
        };
        format!(
            "{} {}@{}: {}",
            self.push.repository,
            self.push.reference.name(),
            commit,
            what
        )
    }
}

/// Logs the plan: one JSON line per pipeline decision (with its start outcome), a loud
/// error line when the diff was unavailable, and a line when the repository is unknown.
pub fn log_plan(plan: &RoutingPlan, starts: &[StartOutcome]) {
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
            policy = ?plan.on_diff_failure,
            error = %error,
            "diff unavailable: candidate pipelines decided by the on_diff_failure policy"
        );
    }
    for decision in &plan.decisions {
        let start = starts.iter().find(|s| s.pipeline() == decision.pipeline);
        let (execution_id, start_error) = match start {
            Some(StartOutcome::Started { execution_id, .. }) => (Some(execution_id.as_str()), None),
            Some(StartOutcome::Failed { error, .. }) => (None, Some(error.as_str())),
            None => (None, None),
        };
        let reason = reason_name(decision.reason);
        let verdict = match decision.verdict {
            Verdict::Start => "start",
            Verdict::Skip => "skip",
        };
        if let Some(error) = start_error {
            tracing::error!(
                event_id = %push.event_id,
                repository = %push.repository,
                reference = %push.reference,
                commit = %push.commit_id,
                pipeline = %decision.pipeline,
                decision = verdict,
                reason,
                matched = decision.matched.as_deref(),
                glob = decision.glob.as_deref(),
                error,
                "pipeline start failed"
            );
        } else {
            tracing::info!(
                event_id = %push.event_id,
                repository = %push.repository,
                reference = %push.reference,
                commit = %push.commit_id,
                pipeline = %decision.pipeline,
                decision = verdict,
                reason,
                matched = decision.matched.as_deref(),
                glob = decision.glob.as_deref(),
                execution_id,
                "pipeline decision"
            );
        }
    }
}

/// The kebab-case name of a reason, as it appears in logs and JSON.
pub fn reason_name(reason: Reason) -> &'static str {
    match reason {
        Reason::PathMatched => "path-matched",
        Reason::PathNotExcluded => "path-not-excluded",
        Reason::NoPathFilter => "no-path-filter",
        Reason::NoMatchingPath => "no-matching-path",
        Reason::BranchNotIncluded => "branch-not-included",
        Reason::BranchExcluded => "branch-excluded",
        Reason::TagsNotConfigured => "tags-not-configured",
        Reason::TagMatched => "tag-matched",
        Reason::TagNotIncluded => "tag-not-included",
        Reason::TagExcluded => "tag-excluded",
        Reason::ReferenceDeleted => "reference-deleted",
        Reason::UnreferencedMergeCommit => "unreferenced-merge-commit",
        Reason::NoCommit => "no-commit",
        Reason::DiffUnavailable => "diff-unavailable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_names_match_their_json() {
        for reason in [
            Reason::PathMatched,
            Reason::PathNotExcluded,
            Reason::NoPathFilter,
            Reason::NoMatchingPath,
            Reason::BranchNotIncluded,
            Reason::BranchExcluded,
            Reason::TagsNotConfigured,
            Reason::TagMatched,
            Reason::TagNotIncluded,
            Reason::TagExcluded,
            Reason::ReferenceDeleted,
            Reason::UnreferencedMergeCommit,
            Reason::NoCommit,
            Reason::DiffUnavailable,
        ] {
            let json = serde_json::to_value(reason).unwrap_or_default();
            assert_eq!(json.as_str(), Some(reason_name(reason)));
        }
    }
}
