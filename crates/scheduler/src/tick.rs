//! One tick: advance the recorded tick, evaluate the due schedules once each, claim each
//! slot, check the source, then start, hold or skip; release the holds whose time came.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use pipeline_routing::ports::SourceRevision;
use pipeline_routing::rules::{PipelineRule, RepositoryRules};
use pipeline_routing::start::client_request_token;
use pipeline_routing::{
    ChangeSource, Decision as RouteDecision, PipelineStarter, PlanOptions, Push, Reference,
    ReferenceChange, ReleaseError, ReleaseOutcome, RoutingRules, StartRequest, plan_push,
    release_hold,
};
use pipeline_schedules::holds::{Hold, HoldStore};
use pipeline_schedules::{DueSchedule, FreezeAction};

use crate::decision::{Decision, SkipReason, TickDecision, TickReport};
use crate::ports::{
    BranchHeads, ExecutionHistory, SchedulerState, SlotClaim, StateError, TickWindow,
};

/// How often the scheduler is woken: the window of a first tick.
pub const TICK_PERIOD: SignedDuration = SignedDuration::from_mins(1);

/// The scheduler over its ports: `state` (last tick, slot claims), `repository` (branch
/// heads and diffs), `pipelines` (starts and execution history), `holds`.
#[derive(Clone, Debug)]
pub struct Scheduler<S, R, P, H> {
    /// The routing rules, with their schedules and freezes ([`RoutingRules::calendar`]):
    /// each schedule's repository, source action and path filter.
    pub rules: Arc<RoutingRules>,
    /// The scheduler's state.
    pub state: S,
    /// Branch heads and diffs.
    pub repository: R,
    /// Starts and the last execution's commit.
    pub pipelines: P,
    /// The holds: written for schedules held by a freeze, released when their time came.
    pub holds: H,
}

/// Why a tick failed as a whole (per-slot failures are `failed` decisions instead).
#[derive(Debug, thiserror::Error)]
pub enum TickError {
    /// The last tick could not be read or recorded: nothing was evaluated. (The store's
    /// error is in the message, not a `source`, so that it is printed once.)
    #[error("scheduler state: {0}")]
    State(StateError),
}

impl From<StateError> for TickError {
    fn from(error: StateError) -> Self {
        Self::State(error)
    }
}

/// The repository and the pipeline rule of `pipeline` in the routing rules (the first
/// repository that has it).
pub fn route<'a>(
    rules: &'a RoutingRules,
    pipeline: &str,
) -> Option<(&'a RepositoryRules, &'a PipelineRule)> {
    rules.repositories.iter().find_map(|repository| {
        repository
            .pipelines
            .iter()
            .find(|p| p.name == pipeline)
            .map(|p| (repository, p))
    })
}

/// The `clientRequestToken` of a schedule's slot: the same slot never starts twice, even
/// past the slot claim.
pub fn slot_token(schedule: &str, pipeline: &str, slot: Timestamp) -> String {
    client_request_token(&format!("schedule#{schedule}#{slot}"), pipeline)
}

impl<S, R, P, H> Scheduler<S, R, P, H>
where
    S: SchedulerState + Sync,
    R: BranchHeads + ChangeSource + Sync,
    P: PipelineStarter + ExecutionHistory + Sync,
    H: HoldStore + Sync,
{
    /// Runs the tick at `now`: records it, then decides every schedule due in the window.
    pub async fn tick(&self, now: Timestamp) -> Result<TickReport, TickError> {
        let since = match self.state.advance_tick(now).await? {
            TickWindow::First => Some(now.checked_sub(TICK_PERIOD).unwrap_or(now)),
            TickWindow::Since(since) => Some(since),
            TickWindow::Stale { .. } => None,
        };
        let mut decisions = Vec::new();
        if let Some(since) = since {
            let tick = self.rules.calendar().evaluate_tick(since, now, &[]);
            for due in &tick.due {
                decisions.push(self.run_slot(due, now).await);
            }
        }
        match self.holds.list().await {
            Ok(holds) => {
                for hold in holds.iter().filter(|h| h.release_at <= now) {
                    decisions.push(self.release(hold, now).await);
                }
            }
            Err(error) => {
                let mut d = TickDecision::new(Decision::Failed, "*", "*");
                d.error = Some(format!("listing the holds: {error}"));
                decisions.push(d);
            }
        }
        Ok(TickReport {
            now,
            since,
            decisions,
        })
    }

    async fn run_slot(&self, due: &DueSchedule, now: Timestamp) -> TickDecision {
        let mut d = TickDecision::new(Decision::Skipped, &due.pipeline, &due.branch);
        d.schedule = Some(due.name.clone());
        d.slot = Some(due.slot);
        let claim = SlotClaim {
            schedule: due.name.clone(),
            slot: due.slot,
            tick: now,
        };
        match self.state.claim_slot(&claim).await {
            Ok(true) => {}
            Ok(false) => return skipped(d, SkipReason::AlreadyClaimed),
            Err(error) => return failed(d, error.to_string()),
        }
        let d = self.decide_slot(due, d).await;
        if d.decision == Decision::Failed
            && let Err(error) = self.state.unclaim_slot(&claim).await
        {
            tracing::warn!(schedule = %due.name, slot = %due.slot, %error, "could not give the slot claim back; the slot will not be retried");
        }
        d
    }

    async fn decide_slot(&self, due: &DueSchedule, mut d: TickDecision) -> TickDecision {
        let route = route(&self.rules, &due.pipeline);
        let checks_source = due.only_if_changed || due.only_if_paths_changed;
        let Some((repository, rule)) = route else {
            if checks_source {
                return skipped(d, SkipReason::NotInRoutingRules);
            }
            if let Some(freeze) = &due.freeze {
                d.freeze = Some(freeze.name.clone());
                return skipped(d, SkipReason::Frozen);
            }
            return self.start(d, due, None, None).await;
        };
        let head = match self
            .repository
            .branch_head(&repository.name, &due.branch)
            .await
        {
            Ok(Some(head)) => head,
            Ok(None) => return skipped(d, SkipReason::BranchNotFound),
            Err(error) => return failed(d, error.message),
        };
        d.commit = Some(head.clone());
        if checks_source {
            let last = match self
                .pipelines
                .last_built_commit(&due.pipeline, rule.source_action.as_deref())
                .await
            {
                Ok(last) => last,
                Err(error) => return failed(d, error.message),
            };
            d.last_built_commit = last.clone();
            if let Some(last) = last {
                if last == head {
                    return skipped(d, SkipReason::Unchanged);
                }
                if due.only_if_paths_changed {
                    let push = Push {
                        event_id: format!("schedule#{}#{}", due.name, due.slot),
                        repository: repository.name.clone(),
                        reference: Reference::Branch(due.branch.clone()),
                        change: ReferenceChange::ReferenceUpdated,
                        commit_id: head.clone(),
                        old_commit_id: Some(last),
                        time: None,
                        pushed_by: None,
                    };
                    let plan = plan_push(
                        &self.rules,
                        &push,
                        &self.repository,
                        &PlanOptions::default(),
                    )
                    .await;
                    let ours = plan.decisions.iter().find(|p| p.pipeline == due.pipeline);
                    if let Some(ours) = ours.filter(|p| p.decision == RouteDecision::Skip) {
                        d.routing_reason = Some(ours.reason.as_str().to_owned());
                        return skipped(d, SkipReason::PathsUnchanged);
                    }
                }
            }
        }
        if let Some(freeze) = &due.freeze {
            d.freeze = Some(freeze.name.clone());
            match freeze.on_schedule {
                FreezeAction::Skip => return skipped(d, SkipReason::Frozen),
                FreezeAction::Hold => {
                    let hold = Hold::for_push(
                        &repository.name,
                        &due.pipeline,
                        &due.branch,
                        &head,
                        rule.source_action.as_deref(),
                        Some(&format!("schedule {}", due.name)),
                        due.slot,
                        &freeze.name,
                        freeze.release_at,
                    );
                    return match self.holds.put_newest(hold).await {
                        Ok(_) => {
                            d.decision = Decision::Held;
                            d.release_at = Some(freeze.release_at);
                            d
                        }
                        Err(error) => failed(d, error.to_string()),
                    };
                }
            }
        }
        let source_action = rule.source_action.clone();
        self.start(d, due, source_action, Some(head)).await
    }

    async fn start(
        &self,
        mut d: TickDecision,
        due: &DueSchedule,
        source_action: Option<String>,
        commit: Option<String>,
    ) -> TickDecision {
        let request = StartRequest {
            pipeline: due.pipeline.clone(),
            client_request_token: slot_token(&due.name, &due.pipeline, due.slot),
            source_revision: source_action.zip(commit).map(|(action_name, commit_id)| {
                SourceRevision {
                    action_name,
                    commit_id,
                }
            }),
        };
        match self.pipelines.start(&request).await {
            Ok(execution_id) => {
                d.decision = Decision::Started;
                d.execution_id = Some(execution_id);
                d
            }
            Err(error) => failed(d, error.message),
        }
    }
}

impl<S, R, P, H> Scheduler<S, R, P, H>
where
    P: PipelineStarter + Sync,
    H: HoldStore + Sync,
{
    /// Releases a hold whose release time has passed ([`release_hold`]: claim, one start
    /// at the held commit, record). Still frozen (the rules changed, a freeze was added):
    /// it stays. A failed start gives the claim back, so the next tick retries it.
    async fn release(&self, hold: &Hold, now: Timestamp) -> TickDecision {
        let mut d = TickDecision::new(Decision::Released, &hold.pipeline, &hold.branch);
        d.commit = Some(hold.commit_id.clone());
        d.freeze = Some(hold.freeze.clone());
        if let Some(freeze) = self.rules.calendar().freeze_at(&hold.pipeline, now)
            && freeze.on_push == FreezeAction::Hold
        {
            d.decision = Decision::Held;
            d.reason = Some(SkipReason::StillFrozen);
            d.freeze = Some(freeze.name);
            d.release_at = Some(freeze.release_at);
            return d;
        }
        let key = hold.key();
        match release_hold(&self.holds, &self.pipelines, &key, &release_claim(now), now).await {
            Ok(ReleaseOutcome::Released { execution_id, .. }) => {
                d.execution_id = Some(execution_id);
                d
            }
            // Another releaser (a tick, a click) claimed it, or released it since the list.
            Ok(ReleaseOutcome::ClaimedElsewhere | ReleaseOutcome::Missing) => {
                skipped(d, SkipReason::AlreadyClaimed)
            }
            Err(ReleaseError::Start { error, .. }) => failed(d, error.message),
            Err(ReleaseError::Store(error)) => failed(d, error.to_string()),
        }
    }
}

/// The claim token a tick releases holds with: a retry of the same tick may claim again,
/// an overlapping (other) tick may not.
pub fn release_claim(now: Timestamp) -> String {
    format!("scheduler-tick#{now}")
}

fn skipped(mut d: TickDecision, reason: SkipReason) -> TickDecision {
    d.decision = Decision::Skipped;
    d.reason = Some(reason);
    d
}

fn failed(mut d: TickDecision, error: String) -> TickDecision {
    d.decision = Decision::Failed;
    d.error = Some(error);
    d
}
