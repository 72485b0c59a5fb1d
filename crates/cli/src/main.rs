//! `pipeline-router`: the functions' code, run locally with no AWS account. Parses the
//! command line and runs the command ([`pipeline_router_cli::commands`]).

use std::process::ExitCode;

use clap::Parser;
use pipeline_router_cli::commands::Cli;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match Cli::parse().command.run().await {
        Ok(code) => code,
        // The reader of stdout went away (`| head`): nothing left to say.
        Err(error) if pipeline_router_cli::stdout::is_closed_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
