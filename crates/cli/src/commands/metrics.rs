//! `pipeline-router metrics backfill | report | digest`: the arguments and the work are in
//! [`crate::metrics`].

use std::process::ExitCode;

use anyhow::Result;

use crate::metrics::MetricsCommand;

/// `metrics`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct MetricsArgs {
    /// The metrics command.
    #[command(subcommand)]
    pub command: MetricsCommand,
}

impl MetricsArgs {
    /// Runs the metrics command.
    pub async fn run(self) -> Result<ExitCode> {
        crate::metrics::run(self.command).await
    }
}
