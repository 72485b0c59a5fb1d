//! `pipeline-router invoke approval-requester`: the handler on an SNS approval
//! notification or an action state change, Slack calls recorded (the work is in
//! [`crate::approvals`]), or with `--aws` wired exactly as the Lambda is
//! ([`approval_requester::aws::from_env`]).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::{EventFile, print_outcome};
use crate::approvals::invoke_approval_requester;

/// `invoke approval-requester`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct ApprovalRequesterArgs {
    /// The SNS notification or EventBridge event.
    #[command(flatten)]
    pub event: EventFile,
    /// The approvals file.
    #[arg(long, default_value = "approvals.yaml", conflicts_with = "aws")]
    pub config: PathBuf,
    /// Run as the Lambda does: its settings and Slack secrets from the environment, AWS
    /// credentials and region; the message really posted to Slack.
    #[arg(long)]
    pub aws: bool,
}

impl ApprovalRequesterArgs {
    /// Runs the handler; the Slack calls it would make go to stderr (with `--aws`, made).
    pub async fn run(self) -> Result<ExitCode> {
        if self.aws {
            let function = approval_requester::aws::from_env().await?;
            return print_outcome(function.handle(self.event.read()?).await);
        }
        let run = invoke_approval_requester(self.event.read()?, &self.config).await?;
        for call in &run.slack_calls {
            eprintln!("slack (not sent): {} {}", call.call, call.body);
        }
        print_outcome(run.output)
    }
}
