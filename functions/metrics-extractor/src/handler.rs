//! The handler: parse each SQS record into a row, encode the batch, write its objects
//! through the [`ObjectWriter`] port, report what must be retried. Generic over the port,
//! so the same code runs in Lambda (S3) and in the CLI (a local folder).
//!
//! Nothing is lost:
//! - a record whose body is not a CodePipeline event fails alone: its `messageId` is a
//!   batch item failure, so SQS redelivers it until `maxReceiveCount` moves it to the DLQ;
//! - the rows of an object that could not be written fail with it (every record that
//!   contributed a row to that object, as [`batch::encode_batch`] says), so they are
//!   retried; objects already written stay (a retried record may then be stored twice,
//!   which the metrics count once: they deduplicate on the event id);
//! - a record that must be retried but has no `messageId` cannot be named, so the whole
//!   invocation fails and Lambda retries the whole batch.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use function_support::ErrorType;

use pipeline_metrics::batch::{self, BatchObject};
use pipeline_metrics::ports::ObjectWriter;
use pipeline_metrics::row::{self, Row, Source};

use crate::outcome::{BatchOutcome, FailureKind, Failures, WrittenObject};

/// Why an invocation failed as a whole. Each variant is an `errorType` that can be
/// searched for; Lambda then retries every record of the batch.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The payload is not an SQS event (only from the CLI: Lambda's runtime parses it).
    #[error("malformed event: not an SQS event: {0}")]
    MalformedEvent(#[source] serde_json::Error),
    /// A record that must be retried has no `messageId`, so it cannot be reported alone.
    #[error("{count} record(s) without a messageId failed: {reason}")]
    UnidentifiedRecordFailed {
        /// How many such records.
        count: usize,
        /// The first failure's reason.
        reason: String,
    },
}

impl ErrorType for HandlerError {
    /// The error type reported to Lambda.
    fn error_type(&self) -> &'static str {
        match self {
            HandlerError::MalformedEvent(_) => "MalformedEvent",
            HandlerError::UnidentifiedRecordFailed { .. } => "UnidentifiedRecordFailed",
        }
    }
}

impl From<HandlerError> for lambda_runtime::Diagnostic {
    fn from(error: HandlerError) -> Self {
        function_support::diagnostic(&error)
    }
}

/// The metrics-extractor function: where rows go, and under which prefix.
#[derive(Clone, Debug)]
pub struct MetricsExtractor<W> {
    /// Where objects are written.
    pub writer: W,
    /// The key prefix above the `dt=` partitions.
    pub prefix: String,
}

impl<W: ObjectWriter + Sync> MetricsExtractor<W> {
    /// Handles an SQS event given as JSON (the CLI's `invoke`).
    pub async fn handle_json(
        &self,
        event: serde_json::Value,
        request_id: &str,
    ) -> Result<BatchOutcome, HandlerError> {
        let event: SqsEvent =
            serde_json::from_value(event).map_err(HandlerError::MalformedEvent)?;
        self.process(event, request_id).await
    }

    /// Handles one SQS batch: Lambda's entry point. `request_id` (the Lambda request id)
    /// makes the object keys unique per invocation.
    pub async fn handle(
        &self,
        event: SqsEvent,
        request_id: &str,
    ) -> Result<SqsBatchResponse, HandlerError> {
        Ok(self.process(event, request_id).await?.response())
    }

    /// Handles one SQS batch and says what it did.
    pub async fn process(
        &self,
        event: SqsEvent,
        request_id: &str,
    ) -> Result<BatchOutcome, HandlerError> {
        let mut outcome = BatchOutcome {
            records: event.records.len(),
            ..BatchOutcome::default()
        };
        let mut failures = Failures::default();
        // The rows, and the message id of the record each came from.
        let (mut rows, mut sources): (Vec<Row>, Vec<Option<String>>) = (Vec::new(), Vec::new());
        for record in event.records {
            match parse_record(&record) {
                Ok(row) => {
                    rows.push(row);
                    sources.push(record.message_id);
                }
                Err(reason) => {
                    tracing::warn!(
                        message_id = record.message_id.as_deref().unwrap_or(""),
                        receive_count = receive_count(&record),
                        reason = %reason,
                        decision = "retry_record",
                        error_type = "UnparsableRecord",
                        "record is not a CodePipeline execution event; reported as a batch item failure (DLQ after maxReceiveCount)"
                    );
                    failures.add(record.message_id, FailureKind::Unparsable, reason);
                }
            }
        }
        outcome.rows = rows.len();
        if !rows.is_empty() {
            let batch_id = batch::batch_id(request_id, &rows);
            match batch::encode_batch(&self.prefix, &batch_id, &rows) {
                Ok(objects) => {
                    for object in objects {
                        self.write(object, &sources, &mut outcome, &mut failures)
                            .await;
                    }
                }
                Err(error) => {
                    tracing::error!(batch_id = %batch_id, error = %error, decision = "retry_batch", error_type = "EncodeFailed", "batch not encoded; every parsed record is reported as a batch item failure");
                    for id in sources {
                        failures.add(id, FailureKind::WriteFailed, error.to_string());
                    }
                }
            }
            outcome.batch_id = Some(batch_id);
        }
        outcome.failures = failures.named()?;
        tracing::info!(
            records = outcome.records,
            rows = outcome.rows,
            objects = outcome.written.len(),
            failures = outcome.failures.len(),
            batch_id = outcome.batch_id.as_deref().unwrap_or(""),
            decision = "batch_done",
            "batch processed"
        );
        Ok(outcome)
    }

    /// Writes one object; when that fails, every record it holds is to be retried.
    async fn write(
        &self,
        object: BatchObject,
        sources: &[Option<String>],
        outcome: &mut BatchOutcome,
        failures: &mut Failures,
    ) {
        let (key, rows, size) = (object.key, object.rows, object.bytes.len());
        match self.writer.put(&key, object.bytes).await {
            Ok(()) => {
                tracing::info!(key = %key, rows, bytes = size, decision = "written", "object written");
                outcome.written.push(WrittenObject {
                    key,
                    rows,
                    bytes: size,
                });
            }
            Err(error) => {
                tracing::error!(key = %key, records = object.inputs.len(), error = %error, decision = "retry_object", error_type = "WriteFailed", "object not written; its records are reported as batch item failures");
                for input in object.inputs {
                    let id = sources.get(input).cloned().flatten();
                    failures.add(id, FailureKind::WriteFailed, error.to_string());
                }
            }
        }
    }
}

/// One record's body as a row, or why not.
fn parse_record(record: &SqsMessage) -> Result<Row, String> {
    let body = record
        .body
        .as_deref()
        .ok_or_else(|| "the message has no body".to_owned())?;
    row::from_json(body, Source::Live).map_err(|e| e.to_string())
}

/// `ApproximateReceiveCount`: how many times SQS has delivered the record.
fn receive_count(record: &SqsMessage) -> u32 {
    record
        .attributes
        .get("ApproximateReceiveCount")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}
