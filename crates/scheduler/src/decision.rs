//! What a tick decided, one [`TickDecision`] per schedule slot or hold: the JSON output of
//! the function and one log line each ([`log_decisions`]), field `decision`.

use jiff::Timestamp;
use serde::Serialize;

/// The `decision` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// A schedule's slot started the pipeline.
    Started,
    /// A schedule's slot started nothing (see the [`SkipReason`]).
    Skipped,
    /// A schedule's slot fell inside a freeze with `on_schedule: hold`: a hold was written
    /// at the branch head, started at the release. Also a hold whose release time passed
    /// while another freeze is still on.
    Held,
    /// A hold whose release time passed was started at its commit and removed.
    Released,
    /// Starting (or reading what to start) failed; the tick fails so that it is retried.
    Failed,
}

impl Decision {
    /// The snake_case name, as in the logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Started => "started",
            Decision::Skipped => "skipped",
            Decision::Held => "held",
            Decision::Released => "released",
            Decision::Failed => "failed",
        }
    }
}

/// Why a slot started nothing, or why a hold stays: the `reason` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Another tick (overlapping, or this one before a retry) claimed the slot or the
    /// release first.
    AlreadyClaimed,
    /// `only_if_changed`: the branch head is the commit the last execution built.
    Unchanged,
    /// `only_if_paths_changed`: the commits since the last execution touch none of the
    /// pipeline's paths (`routing_reason` gives routing's own reason).
    PathsUnchanged,
    /// The slot is inside a freeze with `on_schedule: skip`.
    Frozen,
    /// The schedule's branch does not exist in the repository.
    BranchNotFound,
    /// `only_if_changed` / `only_if_paths_changed`, or a hold, need the pipeline's
    /// repository, and no repository of the routing rules has this pipeline.
    NotInRoutingRules,
    /// A hold's release time passed, but a freeze of the pipeline is on again.
    StillFrozen,
}

impl SkipReason {
    /// Every reason.
    pub const ALL: [SkipReason; 7] = [
        SkipReason::AlreadyClaimed,
        SkipReason::Unchanged,
        SkipReason::PathsUnchanged,
        SkipReason::Frozen,
        SkipReason::BranchNotFound,
        SkipReason::NotInRoutingRules,
        SkipReason::StillFrozen,
    ];

    /// The snake_case name, as in the logs.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::AlreadyClaimed => "already_claimed",
            SkipReason::Unchanged => "unchanged",
            SkipReason::PathsUnchanged => "paths_unchanged",
            SkipReason::Frozen => "frozen",
            SkipReason::BranchNotFound => "branch_not_found",
            SkipReason::NotInRoutingRules => "not_in_routing_rules",
            SkipReason::StillFrozen => "still_frozen",
        }
    }
}

/// One decision of a tick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TickDecision {
    /// What was decided.
    pub decision: Decision,
    /// Why, for `skipped` (and `held` for a hold that stays).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<SkipReason>,
    /// The schedule, for a schedule's slot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// The pipeline.
    pub pipeline: String,
    /// The branch.
    pub branch: String,
    /// The slot, for a schedule's slot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slot: Option<Timestamp>,
    /// The commit started, held or compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The commit the pipeline's last execution built, when it was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_built_commit: Option<String>,
    /// Routing's reason, for `paths_unchanged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_reason: Option<String>,
    /// The freeze, for `held`, `released` and `frozen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freeze: Option<String>,
    /// When the hold is released, for `held`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_at: Option<Timestamp>,
    /// The execution CodePipeline started, for `started` and `released`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
    /// What failed, for `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl TickDecision {
    /// A decision about `pipeline`'s `branch` with every optional field empty.
    pub fn new(decision: Decision, pipeline: &str, branch: &str) -> Self {
        Self {
            decision,
            reason: None,
            schedule: None,
            pipeline: pipeline.to_owned(),
            branch: branch.to_owned(),
            slot: None,
            commit: None,
            last_built_commit: None,
            routing_reason: None,
            freeze: None,
            release_at: None,
            execution_id: None,
            error: None,
        }
    }
}

/// Everything one tick decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TickReport {
    /// The tick.
    pub now: Timestamp,
    /// The start of the window evaluated, `(since, now]`; `None` for a stale tick.
    pub since: Option<Timestamp>,
    /// The decisions: the due schedules in configuration order, then the holds.
    pub decisions: Vec<TickDecision>,
}

impl TickReport {
    /// The decisions that failed.
    pub fn failures(&self) -> impl Iterator<Item = &TickDecision> {
        self.decisions
            .iter()
            .filter(|d| d.decision == Decision::Failed)
    }
}

/// One structured log line per decision.
pub fn log_decisions(report: &TickReport) {
    for d in &report.decisions {
        let slot = d.slot.map(|s| s.to_string());
        let release_at = d.release_at.map(|s| s.to_string());
        let reason = d.reason.map(SkipReason::as_str);
        if d.decision == Decision::Failed {
            tracing::warn!(
                decision = d.decision.as_str(),
                schedule = d.schedule.as_deref(),
                pipeline = %d.pipeline,
                branch = %d.branch,
                slot = slot.as_deref(),
                commit = d.commit.as_deref(),
                error = d.error.as_deref(),
                "scheduler decision"
            );
            continue;
        }
        tracing::info!(
            decision = d.decision.as_str(),
            reason,
            schedule = d.schedule.as_deref(),
            pipeline = %d.pipeline,
            branch = %d.branch,
            slot = slot.as_deref(),
            commit = d.commit.as_deref(),
            last_built_commit = d.last_built_commit.as_deref(),
            routing_reason = d.routing_reason.as_deref(),
            freeze = d.freeze.as_deref(),
            release_at = release_at.as_deref(),
            execution_id = d.execution_id.as_deref(),
            "scheduler decision"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_json() {
        for reason in SkipReason::ALL {
            assert_eq!(
                serde_json::to_value(reason).ok(),
                Some(serde_json::Value::String(reason.as_str().to_owned()))
            );
        }
        for decision in [
            Decision::Started,
            Decision::Skipped,
            Decision::Held,
            Decision::Released,
            Decision::Failed,
        ] {
            assert_eq!(
                serde_json::to_value(decision).ok(),
                Some(serde_json::Value::String(decision.as_str().to_owned()))
            );
        }
    }
}
