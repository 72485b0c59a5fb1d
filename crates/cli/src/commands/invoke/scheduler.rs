//! `pipeline-router invoke scheduler`: one tick of the scheduler handler at `--at` (or on
//! an event file), with the local defaults (branch heads and diffs from a local git
//! repository; the tick record, slot claims, starts and holds in files under `out/`), or
//! with `--aws` wired exactly as the Lambda is ([`scheduler::aws::from_config`]).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Result, bail};
use function_support::TextSource;
use pipeline_scheduler::Scheduler;
use pipeline_schedules::jiff::Timestamp;
use scheduler::SchedulerFunction;
use scheduler::config::Config;

use super::{print_outcome, read_event};
use crate::commands::check::check;
use crate::holds_file::{DEFAULT_HOLDS_FILE, FileHoldStore};
use crate::local_git::LocalGit;
use crate::scheduler_local::{
    DEFAULT_RUNS_FILE, DEFAULT_STATE_FILE, FileSchedulerState, LocalRuns,
};

/// `invoke scheduler`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct SchedulerArgs {
    /// The tick's time (RFC 3339), as EventBridge Scheduler's `scheduled_time`.
    #[arg(long, conflicts_with = "event")]
    pub at: Option<Timestamp>,
    /// A tick event file instead (see events/scheduler/).
    #[arg(long)]
    pub event: Option<PathBuf>,
    /// The rules file [default: routing-rules.yaml; with --aws: the function's
    /// ROUTING_RULES_PARAMETER / ROUTING_RULES_FILE, else the bundled rules].
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// The local git repository branch heads and diffs are read from.
    #[arg(long, default_value = ".", conflicts_with = "aws")]
    pub repo: PathBuf,
    /// The local tick record and slot claims.
    #[arg(long, default_value = DEFAULT_STATE_FILE, conflicts_with = "aws")]
    pub state: PathBuf,
    /// The local record of starts (also what each pipeline last built).
    #[arg(long, default_value = DEFAULT_RUNS_FILE, conflicts_with = "aws")]
    pub runs: PathBuf,
    /// The local holds file.
    #[arg(long, default_value = DEFAULT_HOLDS_FILE, conflicts_with = "aws")]
    pub holds: PathBuf,
    /// Run as the Lambda does: SCHEDULER_TABLE and the rules variables from the
    /// environment, AWS credentials and region; pipelines really started.
    #[arg(long)]
    pub aws: bool,
}

impl SchedulerArgs {
    /// Runs one tick and prints the report (or the error).
    pub async fn run(self) -> Result<ExitCode> {
        let event = match (&self.event, self.at) {
            (Some(path), _) => read_event(path)?,
            (None, Some(at)) => serde_json::json!({"scheduled_time": at.to_string()}),
            (None, None) => bail!("give --at TIME or --event FILE"),
        };
        if self.aws {
            let mut config = Config::from_env().map_err(anyhow::Error::msg)?;
            if let Some(rules) = &self.rules {
                config.rules = TextSource::File(rules.clone());
            }
            let aws = aws_config::load_from_env().await;
            let function = scheduler::aws::from_config(&config, &aws).await?;
            return print_outcome(function.handle(event, Timestamp::now()).await);
        }
        let rules = self
            .rules
            .unwrap_or_else(|| PathBuf::from(super::commit_filter::DEFAULT_RULES));
        let function = SchedulerFunction {
            scheduler: Scheduler {
                rules: Arc::new(check(&rules)?),
                state: FileSchedulerState::new(self.state),
                repository: LocalGit::open(&self.repo)?,
                pipelines: LocalRuns::new(self.runs),
                holds: FileHoldStore::new(self.holds),
            },
        };
        print_outcome(function.handle(event, Timestamp::now()).await)
    }
}
