//! The scheduler's use case, woken once a minute: [`Scheduler::tick`].
//!
//! - [`ports`]: what a tick needs (its state, branch heads, the last execution's commit);
//!   adapters are in `aws-adapters` (DynamoDB, CodeCommit, CodePipeline) and the CLI;
//! - [`tick`]: the tick: advance the recorded tick, start each due schedule once per slot
//!   (claimed with a conditional write), only when the source moved if asked, held or
//!   skipped inside a freeze; release the holds whose time came;
//! - [`decision`]: what was decided, one log line each.
//!
//! The design is in `docs/scheduler.md`. Nothing here knows about Lambda or the SDK.

pub mod agenda;
pub mod decision;
pub mod memory;
pub mod ports;
pub mod tick;

pub use agenda::{Agenda, agenda};
pub use decision::{Decision, SkipReason, TickDecision, TickReport, log_decisions};
/// The time crate of the API, re-exported so adapters use the same `Timestamp`.
pub use jiff;
pub use ports::{BranchHeads, ExecutionHistory, SchedulerState, SlotClaim, StateError, TickWindow};
pub use tick::{Scheduler, TICK_PERIOD, TickError, route, slot_token};

#[cfg(test)]
mod tests;
