//! `pipeline-router invoke approval-handler`: the handler on a Function URL request (see
//! `slack sign`), Slack calls and `PutApprovalResult` recorded (the work is in
//! [`crate::approvals`]).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use function_support::{Clock, SystemClock};

use super::EventFile;
use crate::approvals::{SIGNING_SECRET_ENV, invoke_approval_handler, signing_secret};

/// `invoke approval-handler`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct ApprovalHandlerArgs {
    /// The Function URL request event.
    #[command(flatten)]
    pub event: EventFile,
    /// The approvals file.
    #[arg(long, default_value = "approvals.yaml")]
    pub config: PathBuf,
    /// The Slack signing secret the request is verified with.
    #[arg(long, env = SIGNING_SECRET_ENV, hide_env_values = true)]
    pub signing_secret: String,
    /// Verify the request as if at this Unix time (default: now).
    #[arg(long)]
    pub now: Option<i64>,
}

impl ApprovalHandlerArgs {
    /// Runs the handler; the calls it would make go to stderr, Slack's response to stdout.
    pub async fn run(self) -> Result<ExitCode> {
        let secret = signing_secret(Some(&self.signing_secret))?;
        let now = self.now.unwrap_or_else(|| SystemClock.unix_seconds());
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
