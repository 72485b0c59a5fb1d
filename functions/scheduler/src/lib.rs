//! The `scheduler` Lambda, woken every minute by EventBridge Scheduler: one
//! [`pipeline_scheduler::Scheduler::tick`] per invocation.
//!
//! - [`event`]: the schedule's payload (`{"scheduled_time": "..."}`), parsed strictly;
//! - [`handler`]: parse, tick, log one line per decision, map errors; generic over the
//!   ports so the CLI runs it on a local repository and local files;
//! - [`aws`]: the ports over the AWS SDK (DynamoDB, CodeCommit, CodePipeline) and the
//!   rules from SSM, a file or the bundle;
//! - [`config`]: the function's settings, from the environment.
//!
//! The design: `docs/scheduler.md`.

pub mod aws;
pub mod config;
pub mod event;
pub mod handler;

pub use handler::{HandlerError, SchedulerFunction};
