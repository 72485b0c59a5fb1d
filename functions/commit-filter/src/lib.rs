//! The `commit-filter` Lambda: a CodeCommit push (EventBridge `CodeCommit Repository State
//! Change`) starts only the pipelines whose files changed, at the evaluated commit.
//!
//! - [`event`]: the EventBridge event, parsed strictly, into a [`pipeline_routing::Push`];
//! - [`handler`]: parse, plan, start, log, publish; generic over the ports so the CLI
//!   runs it with a local git repository and a recording starter;
//! - [`aws`]: the ports over the AWS SDK (CodeCommit, CodePipeline, SNS) and rules loading
//!   from SSM;
//! - [`config`]: the function's settings, from the environment;
//! - [`ports`]: the summary publisher port, and the stand-ins for an unconfigured topic or
//!   hold store.

pub mod aws;
pub mod config;
pub mod event;
pub mod handler;
pub mod ports;

pub use handler::{CommitFilter, HandlerError, HandlerOutput, NoHolds, SummaryPublisher};
