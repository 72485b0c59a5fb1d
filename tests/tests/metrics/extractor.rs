//! The function with its real S3 adapter against moto.

use super::*;

async fn create_bucket(client: &aws_sdk_s3::Client) -> String {
    let bucket = moto::unique("metrics");
    client
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBucket {bucket}: {e:?}"));
    bucket
}

/// Every object of the bucket, decoded, by key.
async fn objects(client: &aws_sdk_s3::Client, bucket: &str) -> BTreeMap<String, Vec<Row>> {
    let listing = client
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListObjectsV2: {e:?}"));
    let mut out = BTreeMap::new();
    for key in listing.contents().iter().filter_map(|o| o.key()) {
        let object = client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .unwrap();
        assert_eq!(object.content_type(), Some("application/gzip"));
        let bytes = object.body.collect().await.unwrap().into_bytes();
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "{key} is gzip");
        out.insert(
            key.to_owned(),
            pipeline_metrics::decode_object(&bytes).unwrap(),
        );
    }
    out
}

fn s3_function(client: &aws_sdk_s3::Client, bucket: &str) -> MetricsExtractor<S3ObjectWriter> {
    MetricsExtractor {
        writer: S3ObjectWriter::new(client.clone(), bucket),
        prefix: PREFIX.to_owned(),
    }
}

#[tokio::test]
async fn a_batch_is_written_to_s3_and_reads_back_row_for_row() {
    let s3 = sdk::s3(&moto::endpoint());
    let bucket = create_bucket(&s3).await;
    let event = sample("sqs-batch.json");
    let outcome = s3_function(&s3, &bucket)
        .handle_json(event.clone(), "8d2f1c3e-0b7a-4e5d-9c6f-1a2b3c4d5e6f")
        .await
        .unwrap();
    assert!(outcome.failures.is_empty(), "{outcome:?}");
    assert_eq!(
        serde_json::to_value(outcome.response()).unwrap(),
        json!({"batchItemFailures": []})
    );

    let stored = objects(&s3, &bucket).await;
    let batch_id = outcome.batch_id.unwrap();
    assert!(batch_id.starts_with("8d2f1c3e-0b7a-4e5d-9c6f-1a2b3c4d5e6f-"));
    let keys: Vec<&String> = stored.keys().collect();
    assert_eq!(
        keys,
        [&format!("{PREFIX}/dt=2026-03-14/{batch_id}.json.gz")]
    );
    let bodies = records(&event);
    let expected = expected_rows(bodies.iter().map(|(_, b)| b.as_str()));
    let rows = stored.values().next().unwrap();
    assert_eq!(rows.len(), 3);
    for (got, want) in rows.iter().zip(&expected) {
        assert_eq!(got, want, "row {}", want.event_id);
    }
    // The raw event is kept unchanged.
    assert!(bodies.iter().any(|(_, b)| *b == rows[0].raw_event));
}

#[tokio::test]
async fn a_failed_write_reports_every_record_of_the_object_as_a_batch_item_failure() {
    let s3 = sdk::s3(&moto::endpoint());
    let missing = moto::unique("no-such-bucket");
    let event = sample("sqs-batch.json");
    let outcome = s3_function(&s3, &missing)
        .handle_json(event.clone(), "req-missing-bucket")
        .await
        .unwrap();
    assert!(outcome.written.is_empty());
    let ids: Vec<String> = records(&event).into_iter().map(|(id, _)| id).collect();
    let failed: Vec<String> = outcome
        .failures
        .iter()
        .map(|f| f.message_id.clone())
        .collect();
    assert_eq!(failed, ids);
    assert!(
        outcome
            .failures
            .iter()
            .all(|f| f.kind == FailureKind::WriteFailed && f.reason.contains("NoSuchBucket")),
        "{:?}",
        outcome.failures
    );
    let response = serde_json::to_value(outcome.response()).unwrap();
    let reported: Vec<&str> = response["batchItemFailures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap())
        .collect();
    assert_eq!(reported, ids);
}

#[tokio::test]
async fn a_poison_record_fails_alone_while_the_others_are_written() {
    let s3 = sdk::s3(&moto::endpoint());
    let bucket = create_bucket(&s3).await;
    let event = sample("sqs-batch-with-bad-records.json");
    let outcome = s3_function(&s3, &bucket)
        .handle_json(event.clone(), "req-poison")
        .await
        .unwrap();
    let failed = outcome.failed();
    assert_eq!(
        failed,
        [
            (
                "4f0c8e2a-1b3d-4c5e-9f70-8a9b0c1d2e09",
                FailureKind::Unparsable
            ),
            (
                "4f0c8e2a-1b3d-4c5e-9f70-8a9b0c1d2e10",
                FailureKind::Unparsable
            ),
        ]
    );
    assert!(
        outcome.failures[0]
            .reason
            .contains("unsupported detail-type")
    );
    let good: Vec<String> = records(&event)
        .into_iter()
        .filter(|(id, _)| !id.ends_with("e09") && !id.ends_with("e10"))
        .map(|(_, body)| body)
        .collect();
    let stored = objects(&s3, &bucket).await;
    let rows: Vec<Row> = stored.into_values().flatten().collect();
    assert_eq!(rows, expected_rows(good.iter().map(String::as_str)));
}

#[tokio::test]
async fn duplicates_are_counted_once_by_the_executions_and_the_report() {
    let s3 = sdk::s3(&moto::endpoint());
    let bucket = create_bucket(&s3).await;
    let function = s3_function(&s3, &bucket);
    let batch = records(&sample("sqs-batch.json"));
    function
        .handle_json(sqs_event(&batch), "req-first-delivery")
        .await
        .unwrap();
    // SQS delivers the batch again (at least once), with the SUCCEEDED event twice.
    let mut again = batch.clone();
    again.push(("redelivered-extra".to_owned(), batch[2].1.clone()));
    let outcome = function
        .handle_json(sqs_event(&again), "req-second-delivery")
        .await
        .unwrap();
    assert!(outcome.failures.is_empty());
    assert_eq!(outcome.written[0].rows, 3, "written once within a batch");

    // Read back the way `metrics report --bucket` does.
    let rows = aws_adapters::s3_rows::read_rows(&s3, &bucket, PREFIX)
        .await
        .unwrap();
    assert_eq!(rows.len(), 6, "two objects of three rows");
    let executions = metrics::executions(&rows);
    assert_eq!(executions.len(), 1);
    assert_eq!(executions[0].final_state, ExecutionState::Succeeded);
    assert_eq!(
        executions[0].commit_id.as_deref(),
        Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b")
    );
    let report = Report::build(&rows, &ReportConfig::default());
    assert_eq!(report.duplicates, 3);
    assert_eq!(report.executions.len(), 1);
    let text = dashboard::render_text(&report);
    assert!(text.contains("Events: 6 (3 duplicates ignored)"), "{text}");
    assert!(
        text.contains(
            "Executions: 1 (succeeded 1, failed 0, stopped 0, superseded 0, in progress 0, unknown state 0)"
        ),
        "{text}"
    );
}
