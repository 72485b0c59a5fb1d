//! `pipeline-router`: the functions' code, run locally with no AWS account.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

use pipeline_router_cli::render::plan_table;
use pipeline_router_cli::{
    PlanRequest, check, invoke_commit_filter, invoke_commit_filter_on_aws, plan, read_event,
};

/// Route CodeCommit pushes to CodePipeline pipelines: try the rules locally.
#[derive(Parser)]
#[command(name = "pipeline-router", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a routing-rules file.
    Check {
        /// The rules file.
        #[arg(default_value = "routing-rules.yaml")]
        rules: PathBuf,
    },
    /// Which pipelines a push would start, on a local git repository.
    Plan {
        /// The rules file.
        #[arg(long, default_value = "routing-rules.yaml")]
        rules: PathBuf,
        /// The local git repository.
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// The CodeCommit repository name in the rules (default: the folder name, or the
        /// only repository in the rules).
        #[arg(long)]
        repository_name: Option<String>,
        /// The pushed branch (default: the branch checked out).
        #[arg(long, conflicts_with = "tag")]
        branch: Option<String>,
        /// A pushed tag instead of a branch.
        #[arg(long)]
        tag: Option<String>,
        /// The commit before the push; omit it for a new branch (compared with its merge
        /// base with the default branch).
        #[arg(long)]
        from: Option<String>,
        /// The pushed commit.
        #[arg(long, default_value = "HEAD")]
        to: String,
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a function's handler on an event file.
    Invoke {
        /// The function.
        function: Function,
        /// The event file (see events/).
        #[arg(long)]
        event: PathBuf,
        /// The rules file.
        #[arg(long, default_value = "routing-rules.yaml")]
        rules: PathBuf,
        /// The local git repository the diff is read from.
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// Use AWS (credentials and region from the environment) instead of the local
        /// repository, and really start the pipelines.
        #[arg(long)]
        aws: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Function {
    /// functions/commit-filter
    CommitFilter,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check { rules } => {
            let parsed = check(&rules)?;
            let pipelines: usize = parsed.repositories.iter().map(|r| r.pipelines.len()).sum();
            println!(
                "{}: ok ({} repositories, {} pipelines)",
                rules.display(),
                parsed.repositories.len(),
                pipelines
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan {
            rules,
            repo,
            repository_name,
            branch,
            tag,
            from,
            to,
            json,
        } => {
            let plan = plan(&PlanRequest {
                rules,
                repo,
                repository_name,
                branch,
                tag,
                from,
                to,
            })
            .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&plan)?);
            } else {
                print!("{}", plan_table(&plan));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Invoke {
            function: Function::CommitFilter,
            event,
            rules,
            repo,
            aws,
        } => {
            init_logs();
            let event = read_event(&event)?;
            if aws {
                let output = invoke_commit_filter_on_aws(event, &rules).await?;
                println!("{}", serde_json::to_string_pretty(&output)?);
                return Ok(ExitCode::SUCCESS);
            }
            let invocation = invoke_commit_filter(event, &rules, &repo).await?;
            match invocation.output {
                Ok(output) => {
                    println!("{}", serde_json::to_string_pretty(&output)?);
                    eprintln!(
                        "{} start(s) recorded, none sent (use --aws to start them)",
                        invocation.recorded_starts.len()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(error) => {
                    println!(
                        "{}",
                        serde_json::json!({"errorType": error.error_type(), "errorMessage": error.to_string()})
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

/// Handler logs go to stderr as JSON lines, as they would to CloudWatch.
fn init_logs() {
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .init();
}
