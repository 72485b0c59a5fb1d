//! `pipeline-router`: the functions' code, run locally with no AWS account.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

use pipeline_router_cli::approvals::{
    invoke_approval_handler, invoke_approval_requester, sign_slack_request, signing_secret,
    unix_now,
};
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
        /// repository, and really start the pipelines (commit-filter).
        #[arg(long)]
        aws: bool,
        /// The approvals file (approval-requester, approval-handler).
        #[arg(long, default_value = "approvals.yaml")]
        config: PathBuf,
        /// The Slack signing secret (approval-handler; default: $SLACK_SIGNING_SECRET).
        #[arg(long)]
        signing_secret: Option<String>,
        /// Verify the request as if at this Unix time (approval-handler; default: now).
        #[arg(long)]
        now: Option<i64>,
    },
    /// Pipeline metrics: import history, build the dashboard.
    Metrics {
        #[command(subcommand)]
        command: pipeline_router_cli::metrics::MetricsCommand,
    },
    /// Slack helpers.
    Slack {
        #[command(subcommand)]
        command: SlackCommand,
    },
}

#[derive(Subcommand)]
enum SlackCommand {
    /// Sign an interaction payload (or re-sign a request event) as Slack would, and print
    /// the Function URL event to give `invoke approval-handler`.
    Sign {
        /// The payload JSON or request event (see events/approval-handler/).
        payload: PathBuf,
        /// The signing secret (default: $SLACK_SIGNING_SECRET).
        #[arg(long)]
        signing_secret: Option<String>,
        /// The request's Unix timestamp (default: now).
        #[arg(long)]
        timestamp: Option<i64>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Function {
    /// functions/commit-filter
    CommitFilter,
    /// functions/metrics-extractor (objects written under ./out/metrics)
    MetricsExtractor,
    /// functions/approval-requester
    ApprovalRequester,
    /// functions/approval-handler
    ApprovalHandler,
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
            ..
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
        Command::Metrics { command } => pipeline_router_cli::metrics::run(command).await,
        Command::Invoke {
            function: Function::MetricsExtractor,
            event,
            ..
        } => {
            init_logs();
            pipeline_router_cli::metrics::invoke_command(
                &event,
                std::path::Path::new(pipeline_router_cli::metrics::DEFAULT_DIR),
            )
            .await
        }
        Command::Invoke {
            function: Function::ApprovalRequester,
            event,
            config,
            ..
        } => {
            init_logs();
            let run = invoke_approval_requester(read_event(&event)?, &config).await?;
            for call in &run.slack_calls {
                eprintln!("slack (not sent): {} {}", call.call, call.body);
            }
            match run.output {
                Ok(output) => {
                    println!("{}", serde_json::to_string_pretty(&output)?);
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
        Command::Invoke {
            function: Function::ApprovalHandler,
            event,
            config,
            signing_secret: secret,
            now,
            ..
        } => {
            init_logs();
            let secret = signing_secret(secret.as_deref())?;
            let run = invoke_approval_handler(
                read_event(&event)?,
                &config,
                secret,
                now.unwrap_or_else(unix_now),
            )
            .await?;
            for call in &run.slack_calls {
                eprintln!("slack (not sent): {} {}", call.call, call.body);
            }
            for result in &run.approval_results {
                eprintln!(
                    "PutApprovalResult (not sent): {} {} {:?}",
                    result.approval.describe(),
                    result.status,
                    result.summary
                );
            }
            println!("{}", serde_json::to_string_pretty(&run.response)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Slack {
            command:
                SlackCommand::Sign {
                    payload,
                    signing_secret: secret,
                    timestamp,
                },
        } => {
            let secret = match secret {
                Some(secret) => secret,
                None => std::env::var("SLACK_SIGNING_SECRET").map_err(|_| {
                    anyhow::anyhow!(
                        "no signing secret: pass --signing-secret or set SLACK_SIGNING_SECRET"
                    )
                })?,
            };
            let event = sign_slack_request(&payload, &secret, timestamp.unwrap_or_else(unix_now))?;
            println!("{}", serde_json::to_string_pretty(&event)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Handler logs go to stderr as JSON lines, as they would to CloudWatch.
fn init_logs() {
    function_logs::init_stderr();
}
