//! The `metrics-reporter` Lambda, run once a day by EventBridge Scheduler: one
//! [`pipeline_metrics::reporter::Reporter::run`] per invocation, for the UTC day before
//! the scheduled time.
//!
//! - [`event`]: the schedule's payload (`{"scheduled_time": "...", "day": "..."}`);
//! - [`handler`]: parse, pick the day, run the reporter, map errors; generic over the
//!   ports;
//! - [`aws`]: the ports over S3, Slack (the bot token from Secrets Manager or SSM) and the
//!   scheduler table's holds, built once per container;
//! - [`local`]: rows and reports in a local folder laid out as the bucket (the CLI's
//!   `invoke metrics-reporter`);
//! - [`config`]: the function's settings, from the environment.
//!
//! The design: `docs/metrics.md`, "Daily dashboard and digest".

pub mod aws;
pub mod config;
pub mod event;
pub mod handler;
pub mod local;

pub use handler::{HandlerError, ReporterFunction};
