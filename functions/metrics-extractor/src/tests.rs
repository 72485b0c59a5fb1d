//! The handler with an in-memory writer: what is written, and which records are
//! reported for a retry.

use function_support::ErrorType;
use std::collections::BTreeMap;
use std::sync::Mutex;

use aws_lambda_events::event::sqs::SqsEvent;
use pipeline_metrics::batch::decode_object;
use pipeline_metrics::ports::{ObjectWriter, WriteError};
use pipeline_metrics::row::{Row, Source};

use crate::{BatchOutcome, FailureKind, MetricsExtractor};

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
    let failed = outcome.failed();
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
