//! `pipeline-router invoke commit-filter`: the handler on a CodeCommit push event, with
//! the diff from a local repository and starts recorded, or with `--aws` wired exactly as
//! the Lambda is ([`commit_filter::aws::from_config`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use commit_filter::aws::AwsCommitFilter;
use commit_filter::config::Config;
use commit_filter::handler::NoSummary;
use commit_filter::{CommitFilter, HandlerError, HandlerOutput};
use function_support::TextSource;
use pipeline_routing::StartRequest;

use super::{EventFile, print_outcome};
use crate::commands::check::check;
use crate::holds_file::{DEFAULT_HOLDS_FILE, FileHoldStore};
use crate::local_git::LocalGit;
use crate::recording::RecordingStarter;

/// The rules file a local invocation reads when no `--rules` is given.
pub const DEFAULT_RULES: &str = "routing-rules.yaml";

/// `invoke commit-filter`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct CommitFilterArgs {
    /// The CodeCommit push event (EventBridge).
    #[command(flatten)]
    pub event: EventFile,
    /// The rules file [default: routing-rules.yaml; with --aws: where the function's
    /// ROUTING_RULES_PARAMETER / ROUTING_RULES_FILE say, else the bundled rules].
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// The local git repository the diff is read from.
    #[arg(long, default_value = ".", conflicts_with = "aws")]
    pub repo: PathBuf,
    /// Run as the Lambda does: settings from the function's environment variables
    /// (DIFF_PAGE_SIZE, ROUTING_SUMMARY_TOPIC_ARN, ...), credentials and region from the
    /// AWS environment; the diff from CodeCommit, pipelines really started.
    #[arg(long)]
    pub aws: bool,
}

impl CommitFilterArgs {
    /// Runs the handler and prints its output (or error).
    pub async fn run(self) -> Result<ExitCode> {
        let event = self.event.read()?;
        if self.aws {
            let aws = aws_config::load_from_env().await;
            let function =
                aws_function(self.rules.as_deref(), |name| std::env::var(name).ok(), &aws).await?;
            return print_outcome(function.handle(event, None).await);
        }
        let rules = self.rules.unwrap_or_else(|| PathBuf::from(DEFAULT_RULES));
        let invocation = invoke_commit_filter(event, &rules, &self.repo).await?;
        if let Ok(output) = &invocation.output {
            eprintln!(
                "{} start(s) recorded, none sent (use --aws to start them)",
                invocation.recorded_starts.len()
            );
            if !output.holds.is_empty() {
                eprintln!(
                    "{} hold(s) written to {DEFAULT_HOLDS_FILE} (see `pipeline-router holds list`)",
                    output.holds.len()
                );
            }
        }
        print_outcome(invocation.output)
    }
}

/// The function `--aws` runs: the Lambda's own wiring, with the settings the Lambda reads
/// from its environment taken from `lookup` (the process environment), except that
/// `rules`, when given, is the rules file.
pub async fn aws_function(
    rules: Option<&Path>,
    lookup: impl Fn(&str) -> Option<String>,
    aws: &aws_config::SdkConfig,
) -> Result<AwsCommitFilter> {
    let mut config = Config::from_lookup(lookup).map_err(anyhow::Error::msg)?;
    if let Some(rules) = rules {
        config.rules = TextSource::File(rules.to_path_buf());
    }
    Ok(commit_filter::aws::from_config(&config, aws).await?)
}

/// The result of invoking the commit-filter handler locally.
#[derive(Debug)]
pub struct LocalInvocation {
    /// What the handler returned (or its error).
    pub output: Result<HandlerOutput, HandlerError>,
    /// The starts that were recorded instead of sent.
    pub recorded_starts: Vec<StartRequest>,
}

/// Runs the commit-filter handler on an event, with the diff from a local repository and
/// starts recorded instead of sent.
pub async fn invoke_commit_filter(
    event: serde_json::Value,
    rules: &Path,
    repo: &Path,
) -> Result<LocalInvocation> {
    invoke_commit_filter_with(event, rules, repo, Path::new(DEFAULT_HOLDS_FILE)).await
}

/// [`invoke_commit_filter`] with the holds of frozen pipelines written to `holds_file`
/// (a [`FileHoldStore`]).
pub async fn invoke_commit_filter_with(
    event: serde_json::Value,
    rules: &Path,
    repo: &Path,
    holds_file: &Path,
) -> Result<LocalInvocation> {
    let function = CommitFilter {
        rules: Arc::new(check(rules)?),
        source: LocalGit::open(repo)?,
        starter: RecordingStarter::default(),
        publisher: NoSummary,
        holds: FileHoldStore::new(holds_file),
    };
    let output = function.handle(event, None).await;
    Ok(LocalInvocation {
        output,
        recorded_starts: function.starter.requests(),
    })
}
