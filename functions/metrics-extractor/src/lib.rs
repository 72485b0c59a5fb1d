//! The `metrics-extractor` Lambda: CodePipeline execution events (EventBridge -> SQS, in
//! batches) become gzip JSON-lines rows in S3, one object per batch and UTC day under
//! `{prefix}/dt=YYYY-MM-DD/{batch_id}.json.gz`, for the Glue table and Athena.
//!
//! - [`handler`]: parse each SQS record with [`pipeline_metrics`], encode the batch,
//!   write its objects through the domain's [`ObjectWriter`] port, and report the records
//!   that must be retried as `batchItemFailures`;
//! - [`outcome`]: what an invocation did, and Lambda's response;
//! - [`aws`]: the port over the S3 SDK, and the function built from the environment;
//! - [`local`]: the port over a local folder (the CLI's `invoke` and `metrics backfill`);
//! - [`config`]: the function's settings, from the environment.

pub mod aws;
pub mod config;
pub mod handler;
pub mod local;
pub mod outcome;

pub use handler::{HandlerError, MetricsExtractor};
pub use outcome::{BatchOutcome, FailureKind, RecordFailure, WrittenObject};
pub use pipeline_metrics::ports::{ObjectWriter, WriteError};

#[cfg(test)]
mod tests;
