//! `pipeline-router slack sign`: a Slack interaction request signed as Slack would sign
//! it, to give `invoke approval-handler`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use function_support::{Clock, SystemClock};

use crate::approvals::{SIGNING_SECRET_ENV, sign_slack_request};

/// `slack`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct SlackArgs {
    /// The Slack command.
    #[command(subcommand)]
    pub command: SlackCommand,
}

/// `pipeline-router slack <command>`.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum SlackCommand {
    /// Sign an interaction payload (or re-sign a request event) as Slack would, and print
    /// the Function URL event to give `invoke approval-handler`.
    Sign(SignArgs),
}

/// `slack sign`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct SignArgs {
    /// The payload JSON or request event (see events/approval-handler/).
    pub payload: PathBuf,
    /// The Slack signing secret.
    #[arg(long, env = SIGNING_SECRET_ENV, hide_env_values = true)]
    pub signing_secret: String,
    /// The request's Unix timestamp (default: now).
    #[arg(long)]
    pub timestamp: Option<i64>,
}

impl SlackArgs {
    /// Runs the Slack command.
    pub fn run(self) -> Result<ExitCode> {
        match self.command {
            SlackCommand::Sign(args) => args.run(),
        }
    }
}

impl SignArgs {
    /// Prints the signed request event.
    pub fn run(self) -> Result<ExitCode> {
        let timestamp = self.timestamp.unwrap_or_else(|| SystemClock.unix_seconds());
        let event = sign_slack_request(&self.payload, &self.signing_secret, timestamp)?;
        crate::outln!("{}", serde_json::to_string_pretty(&event)?);
        Ok(ExitCode::SUCCESS)
    }
}
