//! What a tick needs from the outside world, as traits the use case owns: the scheduler's
//! own state ([`SchedulerState`]: the last tick, slot claims), branch heads
//! ([`BranchHeads`]) and the commit a pipeline last built ([`ExecutionHistory`]). Diffs
//! and starts are routing's ports ([`pipeline_routing::ChangeSource`],
//! [`pipeline_routing::PipelineStarter`]); holds are [`pipeline_schedules::holds`]'.

use std::future::Future;

use jiff::{SignedDuration, Timestamp};
use pipeline_routing::SourceError;

/// How long a slot claim is kept (the table's TTL removes it after): long past any retry.
pub const SLOT_CLAIM_TTL: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Which slots a tick evaluates, as [`SchedulerState::advance_tick`] found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TickWindow {
    /// No tick was ever recorded: evaluate the one tick period before `now`.
    First,
    /// Evaluate the slots in `(since, now]`: the previous tick, or for a retry of the
    /// same tick the one before it (so the retry sees the same slots).
    Since(Timestamp),
    /// A newer tick already ran (`newest`): this one is late and evaluates nothing.
    Stale {
        /// The newest tick recorded.
        newest: Timestamp,
    },
}

/// A failure of the scheduler's state store, after the client's own retries.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{operation} failed: {message}")]
pub struct StateError {
    /// The store operation (DynamoDB `UpdateItem`, a file write).
    pub operation: &'static str,
    /// What went wrong.
    pub message: String,
}

/// The claim on one slot of one schedule: whoever writes it first starts the slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotClaim {
    /// The schedule's name.
    pub schedule: String,
    /// The slot.
    pub slot: Timestamp,
    /// The tick that claims it.
    pub tick: Timestamp,
}

impl SlotClaim {
    /// The item's key in the scheduler table: `slot#{schedule}#{slot}`.
    pub fn partition_key(&self) -> String {
        format!("slot#{}#{}", self.schedule, self.slot)
    }

    /// When the claim may be forgotten (Unix seconds, the table's TTL attribute).
    pub fn expires_at(&self) -> i64 {
        self.slot
            .checked_add(SLOT_CLAIM_TTL)
            .unwrap_or(self.slot)
            .as_second()
    }
}

/// The scheduler's own state: DynamoDB in Lambda, a file in the CLI.
pub trait SchedulerState {
    /// Records `now` as the newest tick, with a conditional write against the value read,
    /// and says which window to evaluate. A retry of the tick already recorded (the same
    /// `now`) gets the same window again.
    fn advance_tick(
        &self,
        now: Timestamp,
    ) -> impl Future<Output = Result<TickWindow, StateError>> + Send;

    /// Claims a slot with a conditional write: `true` for the one caller that wrote it,
    /// `false` for every other (an overlapping tick, a retry after a start).
    fn claim_slot(
        &self,
        claim: &SlotClaim,
    ) -> impl Future<Output = Result<bool, StateError>> + Send;

    /// Gives a claim back after the start failed, so that a retry of the tick can try
    /// again.
    fn unclaim_slot(
        &self,
        claim: &SlotClaim,
    ) -> impl Future<Output = Result<(), StateError>> + Send;
}

/// Branch heads: CodeCommit `GetBranch` in Lambda, `git rev-parse` in the CLI.
pub trait BranchHeads {
    /// The commit `branch` of `repository` points at; `None` if there is no such branch.
    fn branch_head(
        &self,
        repository: &str,
        branch: &str,
    ) -> impl Future<Output = Result<Option<String>, SourceError>> + Send;
}

/// What a pipeline built last: CodePipeline `ListPipelineExecutions` in Lambda.
pub trait ExecutionHistory {
    /// The commit the pipeline's newest execution that is in progress or succeeded built
    /// (its `sourceRevisions` entry for `source_action`, or its first one when `None`);
    /// `None` when it has no such execution.
    fn last_built_commit(
        &self,
        pipeline: &str,
        source_action: Option<&str>,
    ) -> impl Future<Output = Result<Option<String>, SourceError>> + Send;
}
