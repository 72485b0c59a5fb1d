//! C3 pipeline metrics end to end: the metrics-extractor handler with its real S3 adapter
//! against moto, the CLI's backfill through the real CodePipeline client (moto for
//! `ListPipelineExecutions`, recorded responses for `ListActionExecutions`, which moto
//! lacks), `metrics report` on a folder checked against hand-computed numbers, and the
//! dashboard rendered by headless Chromium.
//!
//! One module per part: `extractor` (the function against moto S3), `backfill`, `report`
//! (`metrics report` on a folder), `browser` (the dashboard in headless Chromium),
//! `reporter` (the daily metrics-reporter: S3, DynamoDB holds, the digest to the local
//! Slack), `digest` (the digest's limits, and `metrics digest --post`); `history` builds
//! the event histories they read.

mod backfill;
mod browser;
mod digest;
mod extractor;
mod history;
mod report;
mod reporter;

use pipeline_router_cli::metrics as cli_metrics;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use aws_adapters::pipeline_history::CodePipelineHistory;
use cli_metrics::Progress;
use integration_tests::{AwsDouble, Reply, moto, sdk};
use jiff::Timestamp;
use metrics_extractor::FailureKind;
use metrics_extractor::MetricsExtractor;
use metrics_extractor::aws::S3ObjectWriter;
use metrics_extractor::local::FolderWriter;
use pipeline_metrics::backfill::{BackfillRequest, backfill};
use pipeline_metrics::dashboard::{self, CHART_IDS, DORA_TILE_IDS, Report, ReportConfig};
use pipeline_metrics::ports::{HistoryError, Page, PipelineHistory};
use pipeline_metrics::row::{self, ActionExecutionSummary, ExecutionSummary, Row, Source};
use pipeline_metrics::{DoraConfig, ExecutionState, metrics};
use serde_json::{Value, json};

use history::{History, extract_into};

const PREFIX: &str = "pipeline-events";
const LIST_ACTIONS: &str = "CodePipeline_20150709.ListActionExecutions";

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../events/metrics-extractor")
}

fn sample(name: &str) -> Value {
    let path = events_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(messageId, body)` of every record of an SQS sample.
fn records(event: &Value) -> Vec<(String, String)> {
    event["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["messageId"].as_str().unwrap().to_owned(),
                r["body"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// An SQS event of `(messageId, body)` records.
fn sqs_event(records: &[(String, String)]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|(id, body)| {
            json!({
                "messageId": id,
                "receiptHandle": format!("handle-{id}"),
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "eventSource": "aws:sqs",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({ "Records": records })
}

/// Rows the way the domain crate makes them, sorted as objects hold them.
fn expected_rows<'a>(bodies: impl IntoIterator<Item = &'a str>) -> Vec<Row> {
    let mut rows: Vec<Row> = bodies
        .into_iter()
        .map(|b| row::from_json(b, Source::Live).unwrap())
        .collect();
    rows.sort_by(|a, b| (a.event_time, &a.event_id).cmp(&(b.event_time, &b.event_id)));
    rows
}
