//! `pipeline-router invoke <function>`: a function's handler on an event file, one
//! subcommand per function, each taking only its own flags.
//!
//! What the handler returns is printed as JSON on stdout (exit 0); a handler error as the
//! `{"errorType", "errorMessage"}` Lambda would report (exit 1). The handler's JSON log
//! lines go to stderr, as they would to CloudWatch.

pub mod approval_handler;
pub mod approval_requester;
pub mod commit_filter;
pub mod metrics_extractor;
pub mod metrics_reporter;
pub mod scheduler;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use function_support::ErrorType;
use serde::Serialize;

/// `invoke`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct InvokeArgs {
    /// The function.
    #[command(subcommand)]
    pub function: Function,
}

/// `pipeline-router invoke <function>`.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum Function {
    /// functions/commit-filter: local repository and recorded starts, or AWS with --aws
    CommitFilter(commit_filter::CommitFilterArgs),
    /// functions/metrics-extractor (objects written under ./out/metrics)
    MetricsExtractor(metrics_extractor::MetricsExtractorArgs),
    /// functions/metrics-reporter: rows and reports in --dir (./out/metrics), the digest printed, or --post / --aws
    MetricsReporter(metrics_reporter::MetricsReporterArgs),
    /// functions/approval-requester (Slack calls recorded, not sent)
    ApprovalRequester(approval_requester::ApprovalRequesterArgs),
    /// functions/approval-handler (Slack calls and PutApprovalResult recorded, not sent)
    ApprovalHandler(approval_handler::ApprovalHandlerArgs),
    /// functions/scheduler: one tick at --at (local repository and files under out/, or --aws)
    Scheduler(scheduler::SchedulerArgs),
}

impl InvokeArgs {
    /// Runs the function's handler, its logs on stderr.
    pub async fn run(self) -> Result<ExitCode> {
        function_support::logs::init_stderr();
        match self.function {
            Function::CommitFilter(args) => args.run().await,
            Function::MetricsExtractor(args) => args.run().await,
            Function::MetricsReporter(args) => args.run().await,
            Function::ApprovalRequester(args) => args.run().await,
            Function::ApprovalHandler(args) => args.run().await,
            Function::Scheduler(args) => args.run().await,
        }
    }
}

/// The event file every function is invoked on.
#[derive(Clone, Debug, clap::Args)]
pub struct EventFile {
    /// The event file (see events/).
    #[arg(long = "event")]
    pub path: PathBuf,
}

impl EventFile {
    /// The event, parsed as JSON.
    pub fn read(&self) -> Result<serde_json::Value> {
        read_event(&self.path)
    }
}

/// Reads an event file as JSON, with an error that names the file.
pub fn read_event(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the event file {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// Prints what the handler returned, or the error Lambda would report; the exit code
/// says which.
fn print_outcome<T: Serialize, E: ErrorType>(result: Result<T, E>) -> Result<ExitCode> {
    match result {
        Ok(output) => {
            crate::outln!("{}", serde_json::to_string_pretty(&output)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            crate::outln!(
                "{}",
                serde_json::to_string(&function_support::diagnostic(&error))?
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
