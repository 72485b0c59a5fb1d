//! Holding the `frozen` pipelines of a plan: one hold per pipeline and branch, written
//! through the [`HoldStore`] port instead of a start.

use pipeline_schedules::jiff::Timestamp;
use pipeline_schedules::{Hold, HoldStore, HoldWrite};
use serde::Serialize;

use crate::plan::RoutingPlan;
use crate::rules::RoutingRules;

/// What holding one pipeline did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HoldOutcome {
    /// The hold was written (created, moved to this commit, or kept at a newer one).
    Held {
        /// The pipeline.
        pipeline: String,
        /// The branch (or tag) of the hold.
        branch: String,
        /// The commit of this push.
        commit_id: String,
        /// The freeze.
        freeze: String,
        /// When the hold is released.
        release_at: Timestamp,
        /// What the write did.
        write: HoldWrite,
    },
    /// The hold could not be written.
    Failed {
        /// The pipeline.
        pipeline: String,
        /// Why.
        error: String,
    },
}

impl HoldOutcome {
    /// The pipeline.
    pub fn pipeline(&self) -> &str {
        match self {
            HoldOutcome::Held { pipeline, .. } | HoldOutcome::Failed { pipeline, .. } => pipeline,
        }
    }
}

/// The holds a plan asks for: one per `frozen` decision, at the push's commit, ordered
/// by the instant the plan judged freezes at (the push's event time).
pub fn holds_of(rules: &RoutingRules, plan: &RoutingPlan) -> Vec<Hold> {
    let push = &plan.push;
    let repository = rules.repository(&push.repository);
    let at = plan
        .evaluated_at
        .or(push.time)
        .unwrap_or(Timestamp::UNIX_EPOCH);
    plan.frozen()
        .filter_map(|decision| {
            let freeze = decision.freeze.as_ref()?;
            let source_action = repository
                .and_then(|r| r.pipelines.iter().find(|p| p.name == decision.pipeline))
                .and_then(|p| p.source_action.as_deref());
            Some(Hold::for_push(
                &push.repository,
                &decision.pipeline,
                push.reference.name(),
                &push.commit_id,
                source_action,
                push.pushed_by.as_deref(),
                at,
                &freeze.name,
                freeze.release_at,
            ))
        })
        .collect()
}

/// Writes the plan's holds through `store`; each write keeps the newest commit.
pub async fn hold_pipelines<H: HoldStore + Sync>(
    rules: &RoutingRules,
    plan: &RoutingPlan,
    store: &H,
) -> Vec<HoldOutcome> {
    let mut outcomes = Vec::new();
    for hold in holds_of(rules, plan) {
        let pipeline = hold.pipeline.clone();
        let (branch, commit_id) = (hold.branch.clone(), hold.commit_id.clone());
        let (freeze, release_at) = (hold.freeze.clone(), hold.release_at);
        outcomes.push(match store.put_newest(hold).await {
            Ok(write) => HoldOutcome::Held {
                pipeline,
                branch,
                commit_id,
                freeze,
                release_at,
                write,
            },
            Err(error) => HoldOutcome::Failed {
                pipeline,
                error: error.to_string(),
            },
        });
    }
    outcomes
}
