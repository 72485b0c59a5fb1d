//! The `pipeline-router` command, as a library: every command is a module of
//! [`commands`] with its clap `Args` and a `run()`, so tests run exactly what the command
//! runs.
//!
//! - `check`: validate a rules file ([`commands::check`]);
//! - `plan`: the routing engine on a local git repository ([`commands::plan`]);
//! - `invoke <function>`: a function's handler on an event file, with local backends or
//!   AWS ([`commands::invoke`]; the approval and metrics work in [`approvals`] and
//!   [`metrics`]);
//! - `holds list | release`: held pushes, in the local file store ([`holds_file`]) or
//!   DynamoDB ([`commands::holds`]);
//! - `slack sign`: a Slack interaction request signed as Slack would ([`commands::slack`]);
//! - `metrics backfill | report | digest`: pipeline history into rows, rows into a
//!   dashboard and a daily Slack digest
//!   ([`metrics`]).

pub mod approvals;
pub mod commands;
pub mod holds_file;
pub mod local_git;
pub mod metrics;
pub mod recording;
pub mod render;
pub mod scheduler_local;
pub mod stdout;

pub use commands::check::check;
pub use commands::invoke::read_event;
pub use commands::plan::{PlanRequest, plan};
