//! Routing of CodeCommit pushes to CodePipeline pipelines.
//!
//! The pieces, in the order a push meets them:
//! - [`rules`]: the routing-rules file (repositories, pipelines, branch/path/tag filters);
//! - [`glob`]: the glob syntax of those filters (CodePipeline V2 trigger semantics);
//! - [`push`]: a push as this crate sees it (repository, reference, commits);
//! - [`matching`]: the fast path: changed paths against every pipeline's path filter;
//! - [`plan`]: decide, for every pipeline, start or skip and why, reading the diff through
//!   the [`ports::ChangeSource`] port (CodeCommit in Lambda, `git` in the CLI);
//! - [`start`]: start the chosen pipelines through the [`ports::PipelineStarter`] port,
//!   idempotently, at the evaluated commit;
//! - [`hold`]: write a hold through the [`pipeline_schedules::HoldStore`] port for each
//!   pipeline a freeze holds (decision `frozen`), instead of starting it;
//! - [`report`]: one structured log line per decision, and the push's routing summary.
//!
//! Nothing here knows about Lambda or the AWS SDK.

pub mod glob;
pub mod hold;
pub mod matching;
pub mod plan;
pub mod ports;
pub mod push;
pub mod report;
pub mod rules;
pub mod start;

pub use hold::{
    HoldOutcome, ReleaseError, ReleaseOutcome, hold_pipelines, holds_of, release_hold,
    release_request, released_by,
};
pub use plan::{
    Decision, DiffBase, FreezeNote, PipelineDecision, PlanOptions, Reason, RoutingPlan, plan_push,
};
pub use ports::{ChangeSource, DiffPage, DiffRequest, PipelineStarter, SourceError, StartRequest};
pub use push::{Push, Reference, ReferenceChange};
pub use rules::{DiffFailurePolicy, RoutingRules, RulesError, RulesLimits};
pub use start::{StartOutcome, start_pipelines};
