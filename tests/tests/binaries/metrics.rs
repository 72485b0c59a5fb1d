//! metrics-extractor: the sample batches written to moto S3, the bad records named.

use super::*;

/// Every object under `prefix` in the bucket, decoded, by key.
async fn objects(bucket: &str) -> Vec<(String, Vec<Row>)> {
    let s3 = sdk::s3(&moto::endpoint());
    let listing = s3
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListObjectsV2: {e:?}"));
    let mut out = Vec::new();
    for key in listing.contents().iter().filter_map(|o| o.key()) {
        let (content_type, bytes) = moto::get_object(bucket, key).await;
        assert_eq!(content_type.as_deref(), Some("application/gzip"), "{key}");
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "{key} is gzip");
        let rows = pipeline_metrics::decode_object(&bytes)
            .unwrap_or_else(|e| panic!("{key} is not JSON lines of rows: {e}"));
        out.push((key.to_owned(), rows));
    }
    out
}

/// The rows the sample's records make, except `skip` (message ids), in object order.
pub(super) fn rows_of(event: &Value, skip: &[&str]) -> Vec<Row> {
    let mut rows: Vec<Row> = event["Records"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| !skip.contains(&r["messageId"].as_str().unwrap_or_default()))
        .map(|r| row::from_json(r["body"].as_str().unwrap_or_default(), Source::Live).unwrap())
        .collect();
    rows.sort_by(|a, b| (a.event_time, &a.event_id).cmp(&(b.event_time, &b.event_id)));
    rows
}

#[tokio::test]
async fn metrics_extractor_writes_the_sample_batches_to_s3_and_names_exactly_the_bad_records() {
    let bucket = moto::bucket("e2e-metrics").await;
    let mut function =
        Function::start("metrics-extractor", &[("METRICS_BUCKET", bucket.clone())]).await;

    // A clean batch: no failures, one object in its day's partition holding every row.
    let batch = sample("metrics-extractor/sqs-batch.json");
    let response = function.respond(&batch).await;
    check_eq!(
        function,
        response,
        json!({"batchItemFailures": []}),
        "sqs-batch.json fails no record"
    );
    let stored = objects(&bucket).await;
    check_eq!(
        function,
        stored.len(),
        1,
        "one object: {:?}",
        stored.iter().map(|o| &o.0).collect::<Vec<_>>()
    );
    let (key, rows) = &stored[0];
    check!(
        function,
        key.starts_with("pipeline-events/dt=2026-03-14/") && key.ends_with(".json.gz"),
        "the object is in the events' day partition: {key}"
    );
    check_eq!(function, rows, &rows_of(&batch, &[]), "the rows of {key}");

    // A batch with two bad records: exactly those are reported back to SQS, the good ones
    // are written.
    let bad = [
        "4f0c8e2a-1b3d-4c5e-9f70-8a9b0c1d2e09",
        "4f0c8e2a-1b3d-4c5e-9f70-8a9b0c1d2e10",
    ];
    let batch = sample("metrics-extractor/sqs-batch-with-bad-records.json");
    let response = function.respond(&batch).await;
    let mut reported: Vec<&str> = response["batchItemFailures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["itemIdentifier"].as_str())
        .collect();
    reported.sort_unstable();
    check_eq!(
        function,
        reported,
        bad.to_vec(),
        "batchItemFailures: {response}"
    );
    let stored = objects(&bucket).await;
    let new: Vec<&(String, Vec<Row>)> = stored.iter().filter(|(k, _)| k != key).collect();
    check_eq!(
        function,
        new.len(),
        1,
        "one more object: {:?}",
        stored.iter().map(|o| &o.0).collect::<Vec<_>>()
    );
    let (second_key, rows) = new[0];
    check!(
        function,
        second_key.starts_with("pipeline-events/dt=2026-03-14/"),
        "{second_key}"
    );
    check_eq!(
        function,
        rows,
        &rows_of(&batch, &bad),
        "the good rows of {second_key}"
    );
}
