//! Structured JSON logs, the same for every function and for the CLI.
//!
//! One JSON object per line with `timestamp`, `level`, `message`, `target` and the
//! event's fields at the top level (`{"level":"INFO","message":"pipeline decision",
//! "pipeline":"api-deploy","decision":"start",...}`), so that CloudWatch Logs Insights
//! can `filter decision = "start"` without unnesting, and Lambda's JSON log format
//! recognises the level and timestamp. The filter comes from `RUST_LOG` (default `info`).

use std::io::Write;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Sends JSON log lines to stdout (what Lambda forwards to CloudWatch).
pub fn init() {
    init_with_writer(std::io::stdout);
}

/// Sends JSON log lines to stderr (the CLI, whose stdout is its output).
pub fn init_stderr() {
    init_with_writer(std::io::stderr);
}

fn init_with_writer<W>(writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let installed = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_env_filter(filter)
        .with_writer(writer)
        .try_init();
    if installed.is_err() {
        // A subscriber is already installed (a second init in one process): keep it.
        let _ = writeln!(std::io::stderr(), "logging was already initialised");
    }
}
