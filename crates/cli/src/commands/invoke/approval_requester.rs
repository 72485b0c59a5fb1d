//! `pipeline-router invoke approval-requester`: the handler on an SNS approval
//! notification or an action state change, Slack calls recorded (the work is in
//! [`crate::approvals`]).

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
    #[arg(long, default_value = "approvals.yaml")]
    pub config: PathBuf,
}

impl ApprovalRequesterArgs {
    /// Runs the handler; the Slack calls it would make go to stderr.
    pub async fn run(self) -> Result<ExitCode> {
        let run = invoke_approval_requester(self.event.read()?, &self.config).await?;
        for call in &run.slack_calls {
            eprintln!("slack (not sent): {} {}", call.call, call.body);
        }
        print_outcome(run.output)
    }
}
