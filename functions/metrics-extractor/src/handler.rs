//! The handler: parse each SQS record, encode the batch, write it, report what must be
//! retried. Generic over the [`ObjectWriter`] port, so the same code runs in Lambda (S3)
//! and in the CLI (a local folder).
//!
//! Nothing is lost:
//! - a record whose body is not a CodePipeline event fails alone: its `messageId` is a
//!   batch item failure, so SQS redelivers it until `maxReceiveCount` moves it to the DLQ;
//! - the rows of an object that could not be written fail with it (every record that
//!   contributed a row to that object), so they are retried; objects already written stay
//!   (a retried record may then be stored twice, which the metrics count once: they
//!   deduplicate on the event id);
//! - a record that must be retried but has no `messageId` cannot be named, so the whole
//!   invocation fails and Lambda retries the whole batch.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use function_support::ErrorType;
use serde::Serialize;

use pipeline_metrics::batch::{self, partition_key};
use pipeline_metrics::row::{self, Row, Source};

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

/// One object written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenObject {
    /// The object key.
    pub key: String,
    /// Rows in it (after deduplication within the batch).
    pub rows: usize,
    /// Compressed size.
    pub bytes: usize,
}

/// Why a record is reported as a batch item failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The body is not a CodePipeline execution event; retrying will not help, so the
    /// record reaches the DLQ after `maxReceiveCount`.
    Unparsable,
    /// The object holding its row could not be encoded or written; a retry may succeed.
    WriteFailed,
}

/// One record reported as a batch item failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordFailure {
    /// The SQS `messageId`.
    pub message_id: String,
    /// What kind of failure.
    pub kind: FailureKind,
    /// Why, for people.
    pub reason: String,
}

/// What one invocation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchOutcome {
    /// Records received.
    pub records: usize,
    /// Records parsed into rows.
    pub rows: usize,
    /// The batch id in the object keys.
    pub batch_id: Option<String>,
    /// Objects written.
    pub written: Vec<WrittenObject>,
    /// Records to retry, in record order.
    pub failures: Vec<RecordFailure>,
}

impl BatchOutcome {
    /// The response for Lambda: the failed records' message ids as `batchItemFailures`.
    pub fn response(&self) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        response.set_failures(self.failures.iter().map(|f| f.message_id.clone()));
        response
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

/// A record that must be retried, before it is known whether it can be named.
struct Pending {
    message_id: Option<String>,
    kind: FailureKind,
    reason: String,
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
        let records = event.records.len();
        let mut pending: Vec<Pending> = Vec::new();
        let mut parsed: Vec<(Option<String>, Row)> = Vec::with_capacity(records);
        for record in event.records {
            match parse_record(&record) {
                Ok(row) => parsed.push((record.message_id, row)),
                Err(reason) => {
                    tracing::warn!(
                        message_id = record.message_id.as_deref().unwrap_or(""),
                        receive_count = receive_count(&record),
                        reason = %reason,
                        decision = "retry_record",
                        error_type = "UnparsableRecord",
                        "record is not a CodePipeline execution event; reported as a batch item failure (DLQ after maxReceiveCount)"
                    );
                    pending.push(Pending {
                        message_id: record.message_id,
                        kind: FailureKind::Unparsable,
                        reason,
                    });
                }
            }
        }

        let rows: Vec<Row> = parsed.iter().map(|(_, row)| row.clone()).collect();
        let mut outcome = BatchOutcome {
            records,
            rows: rows.len(),
            ..BatchOutcome::default()
        };
        if !rows.is_empty() {
            let batch_id = batch::batch_id(request_id, &rows);
            // Which records each object holds, by key.
            let mut by_key: BTreeMap<String, Vec<Option<&str>>> = BTreeMap::new();
            for (message_id, row) in &parsed {
                by_key
                    .entry(partition_key(
                        &self.prefix,
                        row.event_time.date(),
                        &batch_id,
                    ))
                    .or_default()
                    .push(message_id.as_deref());
            }
            match batch::encode_batch(&self.prefix, &batch_id, &rows) {
                Ok(objects) => {
                    for (key, bytes) in objects {
                        let holders = by_key.remove(&key).unwrap_or_default();
                        let size = bytes.len();
                        let row_count = batch_rows(&parsed, &key, &self.prefix, &batch_id);
                        match self.writer.put(&key, bytes).await {
                            Ok(()) => {
                                tracing::info!(key = %key, rows = row_count, bytes = size, decision = "written", "object written");
                                outcome.written.push(WrittenObject {
                                    key,
                                    rows: row_count,
                                    bytes: size,
                                });
                            }
                            Err(error) => {
                                tracing::error!(key = %key, records = holders.len(), error = %error, decision = "retry_object", error_type = "WriteFailed", "object not written; its records are reported as batch item failures");
                                pending.extend(holders.into_iter().map(|id| Pending {
                                    message_id: id.map(str::to_owned),
                                    kind: FailureKind::WriteFailed,
                                    reason: error.to_string(),
                                }));
                            }
                        }
                    }
                }
                Err(error) => {
                    tracing::error!(batch_id = %batch_id, error = %error, decision = "retry_batch", error_type = "EncodeFailed", "batch not encoded; every parsed record is reported as a batch item failure");
                    pending.extend(parsed.iter().map(|(id, _)| Pending {
                        message_id: id.clone(),
                        kind: FailureKind::WriteFailed,
                        reason: error.to_string(),
                    }));
                }
            }
            outcome.batch_id = Some(batch_id);
        }

        let unnamed: Vec<&Pending> = pending.iter().filter(|p| p.message_id.is_none()).collect();
        if let Some(first) = unnamed.first() {
            let error = HandlerError::UnidentifiedRecordFailed {
                count: unnamed.len(),
                reason: first.reason.clone(),
            };
            tracing::error!(error = %error, decision = "retry_batch", error_type = error.error_type(), "the whole batch is retried");
            return Err(error);
        }
        // One failure per message id, in record order (a record is never reported twice).
        let mut seen = BTreeSet::new();
        outcome.failures = pending
            .into_iter()
            .filter_map(|p| {
                let message_id = p.message_id?;
                seen.insert(message_id.clone()).then_some(RecordFailure {
                    message_id,
                    kind: p.kind,
                    reason: p.reason,
                })
            })
            .collect();
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
}

/// Rows of `key` after deduplication on the event id (as [`batch::encode_batch`] writes).
fn batch_rows(parsed: &[(Option<String>, Row)], key: &str, prefix: &str, batch_id: &str) -> usize {
    parsed
        .iter()
        .filter(|(_, row)| partition_key(prefix, row.event_time.date(), batch_id) == key)
        .map(|(_, row)| row.event_id.as_str())
        .collect::<BTreeSet<_>>()
        .len()
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    use pipeline_metrics::batch::decode_object;

    const SQS_BATCH: &str = include_str!("../../../events/metrics-extractor/sqs-batch.json");
    const SQS_BATCH_WITH_BAD_RECORDS: &str =
        include_str!("../../../events/metrics-extractor/sqs-batch-with-bad-records.json");
    const PIPELINE_FAILED: &str =
        include_str!("../../../events/metrics-extractor/pipeline-failed.json");
    const PIPELINE_RESUMED: &str =
        include_str!("../../../events/metrics-extractor/pipeline-resumed.json");

    /// An in-memory writer that refuses keys containing `fail_on`.
    #[derive(Default)]
    struct Memory {
        objects: Mutex<BTreeMap<String, Vec<u8>>>,
        fail_on: Option<&'static str>,
    }

    impl ObjectWriter for Memory {
        async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), WriteError> {
            if self.fail_on.is_some_and(|f| key.contains(f)) {
                return Err(WriteError(format!("refused {key}")));
            }
            self.objects.lock().unwrap().insert(key.to_owned(), bytes);
            Ok(())
        }
    }

    fn extractor(writer: Memory) -> MetricsExtractor<Memory> {
        MetricsExtractor {
            writer,
            prefix: "pipeline-events".into(),
        }
    }

    fn sqs(json: &str) -> SqsEvent {
        serde_json::from_str(json).unwrap()
    }

    /// An SQS event of `(message id, body)` records.
    fn sqs_of(records: &[(&str, &str)]) -> SqsEvent {
        let records: Vec<serde_json::Value> = records
            .iter()
            .map(|(id, body)| serde_json::json!({"messageId": id, "body": body, "attributes": {"ApproximateReceiveCount": "1"}}))
            .collect();
        serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
    }

    #[tokio::test]
    async fn a_batch_becomes_one_object_per_day() {
        let function = extractor(Memory::default());
        let outcome = function.process(sqs(SQS_BATCH), "req-1").await.unwrap();
        assert!(outcome.failures.is_empty(), "{outcome:?}");
        assert_eq!((outcome.records, outcome.rows), (3, 3));
        let objects = function.writer.objects.lock().unwrap().clone();
        let keys: Vec<&String> = objects.keys().collect();
        let batch_id = outcome.batch_id.clone().unwrap();
        assert!(batch_id.starts_with("req-1-"));
        assert_eq!(
            keys,
            [&format!("pipeline-events/dt=2026-03-14/{batch_id}.json.gz")]
        );
        let rows = decode_object(objects.values().next().unwrap()).unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.source == Source::Live));
        assert_eq!(outcome.written[0].rows, 3);
        assert!(
            function
                .handle(sqs(SQS_BATCH), "req-1")
                .await
                .unwrap()
                .batch_item_failures
                .is_empty()
        );
    }

    #[tokio::test]
    async fn bad_records_fail_alone() {
        let function = extractor(Memory::default());
        let outcome = function
            .process(sqs(SQS_BATCH_WITH_BAD_RECORDS), "req-2")
            .await
            .unwrap();
        let failed: Vec<(&str, FailureKind)> = outcome
            .failures
            .iter()
            .map(|f| (f.message_id.as_str(), f.kind))
            .collect();
        assert_eq!(failed.len(), 2, "{outcome:?}");
        assert!(failed.iter().all(|(_, k)| *k == FailureKind::Unparsable));
        assert_eq!(outcome.rows, 3);
        let response = outcome.response();
        assert_eq!(response.batch_item_failures.len(), 2);
        let written: usize = function
            .writer
            .objects
            .lock()
            .unwrap()
            .values()
            .map(|b| decode_object(b).unwrap().len())
            .sum();
        assert_eq!(written, 3);
    }

    #[tokio::test]
    async fn a_failed_write_fails_only_the_records_of_that_object() {
        // pipeline-failed is on 2026-03-14, pipeline-resumed on 2026-03-15.
        let writer = Memory {
            fail_on: Some("dt=2026-03-15"),
            ..Memory::default()
        };
        let function = extractor(writer);
        let event = sqs_of(&[
            ("m1", PIPELINE_FAILED),
            ("m2", PIPELINE_RESUMED),
            ("m3", PIPELINE_RESUMED),
        ]);
        let outcome = function.process(event, "req-3").await.unwrap();
        let failed: Vec<&str> = outcome
            .failures
            .iter()
            .map(|f| f.message_id.as_str())
            .collect();
        assert_eq!(failed, ["m2", "m3"], "both records of the refused object");
        assert!(
            outcome
                .failures
                .iter()
                .all(|f| f.kind == FailureKind::WriteFailed)
        );
        assert_eq!(outcome.written.len(), 1);
        assert!(outcome.written[0].key.contains("dt=2026-03-14"));
        assert_eq!(outcome.written[0].rows, 1);
    }

    #[tokio::test]
    async fn duplicates_in_a_batch_are_written_once() {
        let function = extractor(Memory::default());
        let event = sqs_of(&[("m1", PIPELINE_FAILED), ("m2", PIPELINE_FAILED)]);
        let outcome = function.process(event, "req-4").await.unwrap();
        assert!(outcome.failures.is_empty());
        assert_eq!(outcome.written[0].rows, 1);
    }

    #[tokio::test]
    async fn records_without_a_message_id_fail_the_whole_batch() {
        let function = extractor(Memory::default());
        let event: SqsEvent = serde_json::from_value(serde_json::json!({
            "Records": [{"body": "not json"}]
        }))
        .unwrap();
        let error = function.handle(event, "req-5").await.unwrap_err();
        assert_eq!(error.error_type(), "UnidentifiedRecordFailed");
        let diagnostic = lambda_runtime::Diagnostic::from(error);
        assert_eq!(diagnostic.error_type, "UnidentifiedRecordFailed");
    }

    #[tokio::test]
    async fn every_sample_event_is_stored_with_the_level_and_state_its_name_says() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/metrics-extractor");
        let mut samples: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .filter(|(name, _)| !name.starts_with("sqs-"))
            .collect();
        samples.sort();
        assert!(samples.len() >= 22, "{}", samples.len());
        let records: Vec<(&str, &str)> = samples
            .iter()
            .map(|(name, body)| (name.as_str(), body.as_str()))
            .collect();
        let function = extractor(Memory::default());
        let outcome = function
            .process(sqs_of(&records), "req-samples")
            .await
            .unwrap();
        assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
        let rows: Vec<Row> = function
            .writer
            .objects
            .lock()
            .unwrap()
            .values()
            .flat_map(|b| decode_object(b).unwrap())
            .collect();
        assert_eq!(rows.len(), samples.len());
        for (name, body) in &samples {
            let row = rows.iter().find(|r| r.raw_event == *body).unwrap();
            let mut parts = name.trim_end_matches(".json").split('-');
            assert_eq!(Some(row.level.as_str()), parts.next(), "{name}");
            let state = parts.next().unwrap_or_default();
            if state != "unknown" {
                assert_eq!(row.state.as_str().to_ascii_lowercase(), state, "{name}");
            }
        }
    }

    #[tokio::test]
    async fn empty_batches_and_bodiless_records() {
        let function = extractor(Memory::default());
        let outcome = function
            .process(SqsEvent::default(), "req-6")
            .await
            .unwrap();
        assert_eq!(outcome, BatchOutcome::default());
        let event: SqsEvent = serde_json::from_value(serde_json::json!({
            "Records": [{"messageId": "m1"}]
        }))
        .unwrap();
        let outcome = function.process(event, "req-6").await.unwrap();
        assert_eq!(outcome.failures[0].reason, "the message has no body");
        let error = function
            .handle_json(serde_json::json!({"Records": "nope"}), "req-7")
            .await
            .unwrap_err();
        assert_eq!(error.error_type(), "MalformedEvent");
    }
}
