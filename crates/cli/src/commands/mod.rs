//! The commands, one module each (as cargo-lambda structures its own): every command has
//! its clap `Args` and a `run()`, and `main.rs` only parses and dispatches.
//!
//! ```text
//! pipeline-router check [RULES]
//! pipeline-router calendar [--rules R] [--days N] [--from T] [--holds F] [--json | --ics]
//! pipeline-router plan [--rules R] [--repo D] [--repository-name N] [--branch B | --tag T] [--from C] [--to C] [--at TIME] [--json]
//! pipeline-router invoke commit-filter --event E [--rules R] [--repo D | --aws]
//! pipeline-router invoke metrics-extractor --event E
//! pipeline-router invoke scheduler --at T | --event E [--rules R] [--repo D | --aws]
//! pipeline-router invoke approval-requester --event E [--config F]
//! pipeline-router invoke approval-handler --event E [--config F] --signing-secret S [--now T]
//! pipeline-router metrics backfill | report | digest ...
//! pipeline-router holds list [--file F | --aws [--table T]] [--json]
//! pipeline-router holds release PIPELINE [--branch B] [--file F | --aws [--table T]]
//! pipeline-router slack sign PAYLOAD --signing-secret S [--timestamp T]
//! ```

pub mod calendar;
pub mod check;
pub mod holds;
pub mod invoke;
pub mod metrics;
pub mod plan;
pub mod slack;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Route CodeCommit pushes to CodePipeline pipelines: try the rules locally.
#[derive(Debug, Parser)]
#[command(name = "pipeline-router", version, about)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// `pipeline-router <command>`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a routing-rules file.
    Check(check::CheckArgs),
    /// The next days' scheduled runs, freezes and hold releases (table, JSON or .ics).
    Calendar(calendar::CalendarArgs),
    /// Which pipelines a push would start, on a local git repository.
    Plan(plan::PlanArgs),
    /// Run a function's handler on an event file.
    Invoke(invoke::InvokeArgs),
    /// Pipeline metrics: import history, build the dashboard, print or post the digest.
    Metrics(metrics::MetricsArgs),
    /// Slack helpers.
    Slack(slack::SlackArgs),
    /// Pushes held by change freezes: list them, release one now.
    Holds(holds::HoldsArgs),
}

impl Command {
    /// Runs the command; the exit code says how it went (errors are the caller's to print).
    pub async fn run(self) -> Result<ExitCode> {
        match self {
            Self::Check(args) => args.run(),
            Self::Calendar(args) => args.run(),
            Self::Plan(args) => args.run().await,
            Self::Invoke(args) => args.run().await,
            Self::Metrics(args) => args.run().await,
            Self::Slack(args) => args.run(),
            Self::Holds(args) => args.run().await,
        }
    }
}
