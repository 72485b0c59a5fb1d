//! `pipeline-router invoke approval-handler`: the handler on a Function URL request (see
//! `slack sign`), Slack calls and `PutApprovalResult` recorded (the work is in
//! [`crate::approvals`]), or with `--aws` wired exactly as the Lambda is
//! ([`approval_handler::aws::from_env`]), on a request or a batch of continuations.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use function_support::{Clock, SystemClock};

use super::EventFile;
use crate::approvals::{SIGNING_SECRET_ENV, invoke_approval_handler, signing_secret};

/// `invoke approval-handler`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct ApprovalHandlerArgs {
    /// The Function URL request event (with `--aws`, or an SQS batch of continuations).
    #[command(flatten)]
    pub event: EventFile,
    /// The approvals file.
    #[arg(long, default_value = "approvals.yaml", conflicts_with = "aws")]
    pub config: PathBuf,
    /// The Slack signing secret the request is verified with.
    #[arg(
        long,
        env = SIGNING_SECRET_ENV,
        hide_env_values = true,
        required_unless_present = "aws"
    )]
    pub signing_secret: Option<String>,
    /// Verify the request as if at this Unix time (default: now).
    #[arg(long)]
    pub now: Option<i64>,
    /// Run as the Lambda does: its settings, Slack secrets and CONTINUATION_QUEUE_URL from
    /// the environment, AWS credentials and region; Slack and CodePipeline really called.
    #[arg(long)]
    pub aws: bool,
}

impl ApprovalHandlerArgs {
    /// Runs the handler; the calls it would make go to stderr (with `--aws`, made), Slack's
    /// response to stdout.
    pub async fn run(self) -> Result<ExitCode> {
        let now = self.now.unwrap_or_else(|| SystemClock.unix_seconds());
        if self.aws {
            let handler = approval_handler::aws::from_env().await?;
            let response = handler.handle_event(self.event.read()?, now).await;
            println!("{}", serde_json::to_string_pretty(&response)?);
            return Ok(ExitCode::SUCCESS);
        }
        let secret = signing_secret(self.signing_secret.as_deref())?;
        let run = invoke_approval_handler(self.event.read()?, &self.config, secret, now).await?;
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
        crate::outln!("{}", serde_json::to_string_pretty(&run.response)?);
        Ok(ExitCode::SUCCESS)
    }
}
