//! The two things metrics need from the outside world, as traits: writing row objects
//! ([`ObjectWriter`]: S3 in Lambda, a folder in the CLI) and reading a pipeline's history
//! ([`PipelineHistory`]: CodePipeline's list APIs, for the backfill).
//!
//! The adapters live elsewhere: the SDK ones in `aws-adapters`, the folder writer in the
//! `metrics-extractor` function.

use std::future::Future;

use crate::row::{ActionExecutionSummary, ExecutionSummary};

/// Why an object could not be written; the text names the key and the cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WriteError(pub String);

/// Writes one object (S3 in Lambda, a folder in the CLI).
pub trait ObjectWriter {
    /// Writes `bytes` under `key`, replacing any object with that key.
    fn put(&self, key: &str, bytes: Vec<u8>)
    -> impl Future<Output = Result<(), WriteError>> + Send;
}

impl<W: ObjectWriter + Sync> ObjectWriter for &W {
    fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
    ) -> impl Future<Output = Result<(), WriteError>> + Send {
        (*self).put(key, bytes)
    }
}

/// One page of a listing.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// The items, newest first (as CodePipeline lists them).
    pub items: Vec<T>,
    /// The token of the next page, if any.
    pub next_token: Option<String>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            items: Vec::new(),
            next_token: None,
        }
    }
}

/// A failure to read the history, after the client's own retries; the text names the
/// call and the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HistoryError(pub String);

/// Where pipeline history is read: CodePipeline's `ListPipelineExecutions` and
/// `ListActionExecutions`, one page at a time.
pub trait PipelineHistory {
    /// One page of the pipeline's executions, newest first.
    fn pipeline_executions(
        &self,
        pipeline: &str,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<Page<ExecutionSummary>, HistoryError>> + Send;

    /// One page of the action executions of every execution of the pipeline, newest first.
    fn action_executions(
        &self,
        pipeline: &str,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<Page<ActionExecutionSummary>, HistoryError>> + Send;
}
