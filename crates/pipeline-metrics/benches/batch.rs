//! Parse + normalize + gzip of a 10,000-event batch: the metrics-extractor's hot path.
//!
//! Run with `cargo bench -p pipeline-metrics --bench batch -- --quick`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up, not production code

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pipeline_metrics::{batch, row};

const EVENTS: usize = 10_000;

/// Sample events of every level, each copied with a unique id and execution id, spread
/// over two days so the batch writes two partitions.
fn sample_batch() -> Vec<String> {
    let templates = [
        include_str!("../../../events/metrics-extractor/pipeline-started.json"),
        include_str!("../../../events/metrics-extractor/stage-started.json"),
        include_str!("../../../events/metrics-extractor/action-succeeded-source.json"),
        include_str!("../../../events/metrics-extractor/action-started.json"),
        include_str!("../../../events/metrics-extractor/action-failed.json"),
        include_str!("../../../events/metrics-extractor/stage-failed.json"),
        include_str!("../../../events/metrics-extractor/pipeline-failed.json"),
        include_str!("../../../events/metrics-extractor/pipeline-succeeded.json"),
    ];
    (0..EVENTS)
        .map(|i| {
            let template = templates[i % templates.len()];
            let mut event: serde_json::Value =
                serde_json::from_str(template).expect("fixture is JSON");
            event["id"] = format!("bench-{i:06}").into();
            event["detail"]["execution-id"] = format!("exec-{:05}", i / templates.len()).into();
            let day = 14 + (i % 2);
            event["time"] = format!("2026-03-{day}T{:02}:{:02}:00Z", (i / 60) % 24, i % 60).into();
            serde_json::to_string(&event).expect("serializes")
        })
        .collect()
}

fn bench_batch(c: &mut Criterion) {
    let bodies = sample_batch();
    let mut group = c.benchmark_group("batch");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.sample_size(10);
    group.bench_function("parse_normalize_10k", |b| {
        b.iter(|| {
            let rows: Vec<row::Row> = bodies
                .iter()
                .map(|body| row::from_json(body, row::Source::Live).expect("valid event"))
                .collect();
            black_box(rows)
        })
    });
    group.bench_function("parse_normalize_gzip_10k", |b| {
        b.iter(|| {
            let rows: Vec<row::Row> = bodies
                .iter()
                .map(|body| row::from_json(body, row::Source::Live).expect("valid event"))
                .collect();
            let objects = batch::encode_batch("events", "bench-batch", &rows).expect("encodes");
            black_box(objects)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_batch);
criterion_main!(benches);
