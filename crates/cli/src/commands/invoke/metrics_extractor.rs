//! `pipeline-router invoke metrics-extractor --event FILE`: the handler on an SQS event,
//! objects written to a local folder (the work is in [`crate::metrics`]).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::EventFile;
use crate::metrics::{DEFAULT_DIR, invoke_command};

/// `invoke metrics-extractor`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct MetricsExtractorArgs {
    /// The SQS event.
    #[command(flatten)]
    pub event: EventFile,
}

impl MetricsExtractorArgs {
    /// Runs the handler, writing under `./out/metrics`.
    pub async fn run(self) -> Result<ExitCode> {
        invoke_command(&self.event.path, Path::new(DEFAULT_DIR)).await
    }
}
