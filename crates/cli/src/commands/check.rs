//! `pipeline-router check [RULES]`: validate a routing-rules file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use pipeline_routing::RoutingRules;

/// `check`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct CheckArgs {
    /// The rules file.
    #[arg(default_value = "routing-rules.yaml")]
    pub rules: PathBuf,
}

impl CheckArgs {
    /// Validates the file and prints what it holds.
    pub fn run(self) -> Result<ExitCode> {
        let parsed = check(&self.rules)?;
        let pipelines: usize = parsed.repositories.iter().map(|r| r.pipelines.len()).sum();
        crate::outln!(
            "{}: ok ({} repositories, {} pipelines)",
            self.rules.display(),
            parsed.repositories.len(),
            pipelines
        );
        Ok(ExitCode::SUCCESS)
    }
}

/// Reads and validates a rules file; the error names the file, line and problem.
pub fn check(rules: &Path) -> Result<RoutingRules> {
    Ok(RoutingRules::from_path(rules)?)
}
