//! `pipeline-router holds list | release`: the pushes held by freezes, in the local file
//! store (`out/holds.json`, what the local `invoke commit-filter` writes) or, with
//! `--aws`, in the scheduler's DynamoDB table.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use aws_adapters::holds_store::DynamoHoldStore;
use commit_filter::aws::CodePipelineStarter;
use pipeline_routing::{PipelineStarter, ReleaseOutcome, release_hold};
use pipeline_schedules::{Hold, HoldKey, HoldStore};

use crate::holds_file::{DEFAULT_HOLDS_FILE, FileHoldStore};
use crate::recording::RecordingStarter;

/// `holds`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct HoldsArgs {
    /// The subcommand.
    #[command(subcommand)]
    pub command: HoldsCommand,
}

/// Where the holds are.
#[derive(Clone, Debug, clap::Args)]
pub struct HoldsStoreArgs {
    /// The local store [default: out/holds.json].
    #[arg(long, conflicts_with = "aws")]
    pub file: Option<PathBuf>,
    /// The holds in DynamoDB (the table of `--table`), and releases really started.
    #[arg(long)]
    pub aws: bool,
    /// The scheduler table, with `--aws`.
    #[arg(long, env = "SCHEDULER_TABLE", requires = "aws")]
    pub table: Option<String>,
}

/// `holds list` or `holds release`.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum HoldsCommand {
    /// The held pushes: pipeline, branch, commit, pushes folded, release time.
    List {
        /// Where the holds are.
        #[command(flatten)]
        store: HoldsStoreArgs,
        /// Print them as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Start a held pipeline now, at the held commit, and remove the hold.
    Release {
        /// The pipeline.
        pipeline: String,
        /// The branch (needed when the pipeline is held on several).
        #[arg(long)]
        branch: Option<String>,
        /// Where the holds are.
        #[command(flatten)]
        store: HoldsStoreArgs,
    },
}

impl HoldsArgs {
    /// Runs the subcommand.
    pub async fn run(self) -> Result<ExitCode> {
        let store_args = match &self.command {
            HoldsCommand::List { store, .. } | HoldsCommand::Release { store, .. } => store.clone(),
        };
        if store_args.aws {
            let Some(table) = store_args.table else {
                bail!("--aws needs the scheduler table: --table or SCHEDULER_TABLE");
            };
            let aws = aws_config::load_from_env().await;
            let store = DynamoHoldStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
            let starter = CodePipelineStarter::new(aws_sdk_codepipeline::Client::new(&aws));
            return run(self.command, &store, &starter, true).await;
        }
        let store = FileHoldStore::new(
            store_args
                .file
                .unwrap_or_else(|| PathBuf::from(DEFAULT_HOLDS_FILE)),
        );
        run(self.command, &store, &RecordingStarter::default(), false).await
    }
}

async fn run<H, P>(command: HoldsCommand, store: &H, starter: &P, aws: bool) -> Result<ExitCode>
where
    H: HoldStore + Sync,
    P: PipelineStarter + Sync,
{
    match command {
        HoldsCommand::List { json, .. } => {
            let holds = store.list().await?;
            if json {
                crate::outln!("{}", serde_json::to_string_pretty(&holds)?);
            } else {
                crate::out!("{}", holds_table(&holds));
            }
            Ok(ExitCode::SUCCESS)
        }
        HoldsCommand::Release {
            pipeline, branch, ..
        } => {
            let key = match branch {
                Some(branch) => HoldKey::new(&pipeline, branch),
                None => only_hold_of(&store.list().await?, &pipeline)?,
            };
            let Some(hold) = store.get(&key).await? else {
                bail!("no hold for {key}");
            };
            // Every releaser of the same hold uses the same claim: a release that failed
            // after its claim can be retried by anyone, and the start's token keeps it to
            // one execution.
            let now = pipeline_schedules::jiff::Timestamp::now();
            let outcome = release_hold(store, starter, &key, &hold.release_token(), now).await?;
            match &outcome {
                ReleaseOutcome::Released {
                    request,
                    execution_id,
                    ..
                } => {
                    crate::outln!("{}", serde_json::to_string_pretty(&outcome)?);
                    if !aws {
                        eprintln!(
                            "released {key}: start recorded ({execution_id}), not sent (use --aws to start it): {}",
                            serde_json::to_string(request)?
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                ReleaseOutcome::Missing => bail!("no hold for {key}"),
                ReleaseOutcome::ClaimedElsewhere => {
                    bail!("{key} is being released by someone else: nothing started")
                }
            }
        }
    }
}

/// The key of the one hold of `pipeline`; an error when it has none or several.
fn only_hold_of(holds: &[Hold], pipeline: &str) -> Result<HoldKey> {
    let of_pipeline: Vec<&Hold> = holds.iter().filter(|h| h.pipeline == pipeline).collect();
    match of_pipeline.as_slice() {
        [one] => Ok(one.key()),
        [] => bail!("no hold for pipeline {pipeline}"),
        several => bail!(
            "pipeline {pipeline} is held on several branches ({}): say which with --branch",
            several
                .iter()
                .map(|h| h.branch.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The holds as a table.
pub fn holds_table(holds: &[Hold]) -> String {
    if holds.is_empty() {
        return "no holds\n".to_owned();
    }
    let mut out =
        String::from("PIPELINE\tBRANCH\tCOMMIT\tPUSHES\tFREEZE\tHELD SINCE\tRELEASE AT\n");
    for hold in holds {
        let commit: String = hold.commit_id.chars().take(12).collect();
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}{}\n",
            hold.pipeline,
            hold.branch,
            commit,
            hold.pushes,
            hold.freeze,
            hold.held_since,
            hold.release_at,
            if hold.claimed_by.is_some() {
                "\t(release in progress)"
            } else {
                ""
            }
        ));
    }
    out
}
