//! Structured JSON logs, the same for every function and for the CLI.
//!
//! One JSON object per line with `timestamp`, `level`, `message`, `target` and the
//! event's fields at the top level (`{"level":"INFO","message":"pipeline decision",
//! "pipeline":"api-deploy","decision":"start",...}`), so that CloudWatch Logs Insights
//! can `filter decision = "start"` without unnesting, and Lambda's JSON log format
//! recognises the level and timestamp. The filter comes from `RUST_LOG` (default `info`).
//!
//! Whatever `RUST_LOG` says, the AWS SDK and HTTP/TLS stacks log at `info` at most: at
//! `debug`/`trace` they log request bodies and signing material (the approval token in a
//! `PutApprovalResult` body, the session token in a canonical request), which must never
//! reach CloudWatch.

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

/// Crates that log secrets when more verbose than `info`.
const CAPPED_AT_INFO: &[&str] = &[
    "aws_smithy",
    "aws_sigv4",
    "aws_sdk",
    "aws_config",
    "aws_runtime",
    "aws_credential_types",
    "hyper",
    "hyper_util",
    "hyper_rustls",
    "h2",
    "rustls",
    "lambda_runtime",
];

/// The filter for `spec` (a `RUST_LOG` value), with the capped crates at `info` at most.
fn filter(spec: &str) -> EnvFilter {
    // Directives naming a capped crate (or a module of one) are dropped, so that the
    // caps below cannot be outranked by a more specific target.
    let kept: Vec<&str> = spec
        .split(',')
        .filter(|directive| {
            let target = directive
                .split(['=', '['])
                .next()
                .unwrap_or_default()
                .trim();
            !CAPPED_AT_INFO
                .iter()
                .any(|capped| target.starts_with(capped))
        })
        .collect();
    let kept = if kept.iter().all(|d| d.trim().is_empty()) {
        "info".to_owned()
    } else {
        kept.join(",")
    };
    let mut filter = EnvFilter::try_new(kept).unwrap_or_else(|_| EnvFilter::new("info"));
    for target in CAPPED_AT_INFO {
        if let Ok(directive) = format!("{target}=info").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

fn init_with_writer<W>(writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let spec = std::env::var(EnvFilter::DEFAULT_ENV).unwrap_or_else(|_| "info".to_owned());
    let filter = filter(&spec);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_and_http_crates_never_log_below_info() {
        for spec in [
            "trace",
            "debug",
            "aws_smithy_runtime=trace,info",
            "not a filter[[",
        ] {
            let text = filter(spec).to_string();
            for target in CAPPED_AT_INFO {
                assert!(text.contains(&format!("{target}=info")), "{spec}: {text}");
            }
            assert!(!text.contains("aws_smithy_runtime=trace"), "{spec}: {text}");
        }
    }
}
