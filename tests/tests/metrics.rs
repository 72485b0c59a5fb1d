//! C3 pipeline metrics end to end: the metrics-extractor handler with its real S3 adapter
//! against moto, the CLI's backfill through the real CodePipeline client (moto for
//! `ListPipelineExecutions`, recorded responses for `ListActionExecutions`, which moto
//! lacks), `metrics report` on a folder checked against hand-computed numbers, and the
//! dashboard rendered by headless Chromium.

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
            "Executions: 1 (succeeded 1, failed 0, stopped 0, superseded 0, in progress 0)"
        ),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------
// backfill
// ---------------------------------------------------------------------------------------

/// Executions from one endpoint (moto) and actions from another (the double): moto has
/// no `ListActionExecutions`.
struct SplitHistory {
    executions: CodePipelineHistory,
    actions: CodePipelineHistory,
}

impl PipelineHistory for SplitHistory {
    async fn pipeline_executions(
        &self,
        pipeline: &str,
        next_token: Option<String>,
    ) -> Result<Page<ExecutionSummary>, HistoryError> {
        self.executions
            .pipeline_executions(pipeline, next_token)
            .await
    }

    async fn action_executions(
        &self,
        pipeline: &str,
        next_token: Option<String>,
    ) -> Result<Page<ActionExecutionSummary>, HistoryError> {
        self.actions.action_executions(pipeline, next_token).await
    }
}

/// The recorded execution ids, replaced by the ids moto gives.
const RECORDED_OLDER: &str = "b7e4c1d2-3f5a-4e6b-9c8d-7a6b5c4d3e21";
const RECORDED_NEWER: &str = "c8f5d2e3-4a6b-4f7c-8d9e-8b7c6d5e4f32";
const PAGE_2_TOKEN: &str = "eyJwYWdlIjoyLCJwaXBlbGluZSI6IndlYi1hcHAifQ==";

fn recorded_page(page: u32, older: &str, newer: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "recorded/codepipeline/list-action-executions-page-{page}.json"
    ));
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(
        &text
            .replace(RECORDED_OLDER, older)
            .replace(RECORDED_NEWER, newer),
    )
    .unwrap()
}

fn utc(t: &aws_sdk_codepipeline::primitives::DateTime) -> Timestamp {
    Timestamp::from_nanosecond(t.as_nanos()).unwrap()
}

fn json_time(v: &Value) -> Option<Timestamp> {
    v.as_f64().map(|s| {
        utc(&aws_sdk_codepipeline::primitives::DateTime::from_secs_f64(
            s,
        ))
    })
}

/// What one recorded action execution must import as, read from the JSON by hand.
fn expected_action(d: &Value, pipeline: &str) -> ActionExecutionSummary {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let result = &d["output"]["executionResult"];
    ActionExecutionSummary {
        account: "123456789012".into(),
        region: "us-east-1".into(),
        pipeline: pipeline.into(),
        execution_id: text(&d["pipelineExecutionId"]).unwrap(),
        stage: text(&d["stageName"]).unwrap(),
        action: text(&d["actionName"]).unwrap(),
        action_execution_id: text(&d["actionExecutionId"]),
        status: text(&d["status"]).unwrap(),
        start_time: json_time(&d["startTime"]).unwrap(),
        last_update_time: json_time(&d["lastUpdateTime"]),
        owner: text(&d["input"]["actionTypeId"]["owner"]),
        category: text(&d["input"]["actionTypeId"]["category"]),
        provider: text(&d["input"]["actionTypeId"]["provider"]),
        version: text(&d["input"]["actionTypeId"]["version"]),
        external_execution_id: text(&result["externalExecutionId"]),
        external_execution_url: text(&result["externalExecutionUrl"]),
        summary: text(&result["externalExecutionSummary"]),
        error_code: text(&result["errorDetails"]["code"]),
    }
}

#[tokio::test]
async fn backfill_reads_every_page_and_writes_rows_that_read_back_as_expected() {
    let moto_endpoint = moto::endpoint();
    let pipeline = moto::unique("web-app");
    moto::create_pipelines(&[&pipeline]);
    let codepipeline = sdk::codepipeline(&moto_endpoint);
    let mut started = Vec::new();
    for _ in 0..2 {
        let output = codepipeline
            .start_pipeline_execution()
            .name(&pipeline)
            .send()
            .await
            .unwrap_or_else(|e| panic!("StartPipelineExecution: {e:?}"));
        started.push(output.pipeline_execution_id().unwrap().to_owned());
    }
    let (older, newer) = (started[0].as_str(), started[1].as_str());

    let double = AwsDouble::start().await;
    double.on_matching(
        LIST_ACTIONS,
        |body| body.get("nextToken").is_none(),
        vec![Reply::ok(recorded_page(1, older, newer))],
    );
    double.on_matching(
        LIST_ACTIONS,
        |body| body.get("nextToken").and_then(Value::as_str) == Some(PAGE_2_TOKEN),
        vec![Reply::ok(recorded_page(2, older, newer))],
    );
    let history = SplitHistory {
        executions: CodePipelineHistory::new(
            codepipeline.clone(),
            "123456789012".into(),
            "us-east-1".into(),
        ),
        actions: CodePipelineHistory::new(
            sdk::codepipeline(&double.endpoint()),
            "123456789012".into(),
            "us-east-1".into(),
        ),
    };
    let out = tempfile::tempdir().unwrap();
    let request = BackfillRequest {
        pipelines: vec![pipeline.clone()],
        since: cli_metrics::parse_date("2026-01-01").unwrap(),
        until: pipeline_metrics::utc::today(),
        prefix: PREFIX.to_owned(),
    };
    let writer = FolderWriter::new(out.path());
    let summary = backfill(&request, &history, &writer, &mut Progress::hidden())
        .await
        .unwrap();
    assert_eq!(summary.executions, 2);
    assert_eq!(
        summary.actions, 4,
        "the other execution's action is left out"
    );
    assert_eq!(summary.rows, 2 * 2 + 4 * 2);
    assert!(summary.failed_objects.is_empty());

    // Both pages were read, for this pipeline.
    let requests = double.requests(LIST_ACTIONS);
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(
        requests
            .iter()
            .all(|r| r["pipelineName"] == pipeline.as_str())
    );
    assert_eq!(requests[1]["nextToken"], PAGE_2_TOKEN);

    // Expected rows: executions as moto lists them, actions as recorded.
    let listed = codepipeline
        .list_pipeline_executions()
        .pipeline_name(&pipeline)
        .send()
        .await
        .unwrap();
    let mut expected: Vec<Row> = listed
        .pipeline_execution_summaries()
        .iter()
        .flat_map(|s| {
            row::backfill_execution(&ExecutionSummary {
                account: "123456789012".into(),
                region: "us-east-1".into(),
                pipeline: pipeline.clone(),
                execution_id: s.pipeline_execution_id().unwrap().to_owned(),
                status: "Succeeded".into(),
                start_time: utc(s.start_time().unwrap()),
                last_update_time: s.last_update_time().map(utc),
                trigger_type: Some("StartPipelineExecution".into()),
                trigger_detail: None,
                commit_id: None,
                branch: None,
            })
        })
        .collect();
    for page in [1, 2] {
        let recorded = recorded_page(page, older, newer);
        for d in recorded["actionExecutionDetails"].as_array().unwrap() {
            if started
                .iter()
                .any(|id| d["pipelineExecutionId"] == id.as_str())
            {
                expected.extend(row::backfill_action(&expected_action(d, &pipeline)));
            }
        }
    }
    let mut rows = cli_metrics::read_rows_from_dir(out.path()).unwrap();
    rows.sort_by(|a, b| a.event_id.cmp(&b.event_id));
    expected.sort_by(|a, b| a.event_id.cmp(&b.event_id));
    assert_eq!(rows.len(), expected.len());
    for (got, want) in rows.iter().zip(&expected) {
        assert_eq!(got, want, "row {}", want.event_id);
    }
    assert!(rows.iter().all(|r| r.source == Source::Backfill));
    let failed: Vec<&Row> = rows
        .iter()
        .filter(|r| r.state == ExecutionState::Failed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].action.as_deref(), Some("Build"));
    assert_eq!(failed[0].error_code.as_deref(), Some("JobFailed"));
    let newer_commit = metrics::executions(&rows)
        .into_iter()
        .find(|e| e.execution_id == newer)
        .and_then(|e| e.commit_id);
    assert_eq!(
        newer_commit.as_deref(),
        Some("e3b1f6a2c9d84e7f0a5b3c2d1e9f8a7b6c5d4e3f"),
        "the source action's commit, lower-cased"
    );

    // The same layout as the function: {prefix}/dt=YYYY-MM-DD/{batch_id}.json.gz.
    let today = pipeline_metrics::utc::today().to_string();
    let mut partitions: Vec<String> = summary
        .objects
        .iter()
        .map(|k| k.split('/').nth(1).unwrap().to_owned())
        .collect();
    partitions.sort();
    partitions.dedup();
    assert!(
        partitions.contains(&"dt=2026-11-29".to_owned()),
        "{partitions:?}"
    );
    assert!(
        partitions.contains(&format!("dt={today}")),
        "{partitions:?}"
    );
    for key in &summary.objects {
        assert!(key.starts_with(&format!("{PREFIX}/dt=")), "{key}");
        let name = key.rsplit('/').next().unwrap();
        assert!(name.starts_with(&format!("backfill-{pipeline}-")), "{key}");
        assert!(name.ends_with(".json.gz"), "{key}");
        assert!(out.path().join(key).is_file());
    }

    // Importing the same history again overwrites the same objects.
    let again = backfill(&request, &history, &writer, &mut Progress::hidden())
        .await
        .unwrap();
    assert_eq!(again.objects, summary.objects);
    assert_eq!(
        cli_metrics::read_rows_from_dir(out.path()).unwrap().len(),
        rows.len()
    );
}

// ---------------------------------------------------------------------------------------
// report
// ---------------------------------------------------------------------------------------

/// An EventBridge CodePipeline event.
fn event(id: &str, time: &str, detail_type: &str, detail: Value) -> String {
    json!({
        "version": "0",
        "id": id,
        "detail-type": format!("CodePipeline {detail_type} Execution State Change"),
        "source": "aws.codepipeline",
        "account": "123456789012",
        "time": time,
        "region": "eu-west-1",
        "resources": [format!("arn:aws:codepipeline:eu-west-1:123456789012:{}", detail["pipeline"].as_str().unwrap_or(""))],
        "detail": detail
    })
    .to_string()
}

/// A small history: its numbers are computed by hand in
/// `metrics_report_on_a_folder_matches_hand_computed_numbers`.
struct History {
    events: Vec<String>,
    counter: u32,
}

impl History {
    fn new() -> Self {
        Self {
            events: Vec::new(),
            counter: 0,
        }
    }

    fn id(&mut self) -> String {
        self.counter += 1;
        format!("e2e0a000-0000-4000-8000-{:012}", self.counter)
    }

    fn pipeline(&mut self, pipeline: &str, exec: &str, state: &str, time: &str, start: &str) {
        let id = self.id();
        self.events.push(event(
            &id,
            time,
            "Pipeline",
            json!({"pipeline": pipeline, "execution-id": exec, "state": state, "start-time": start,
                   "version": 1.0, "pipeline-execution-attempt": 1.0,
                   "execution-trigger": {"trigger-type": "StartPipelineExecution"}}),
        ));
    }

    #[allow(clippy::too_many_arguments)]
    fn action(
        &mut self,
        pipeline: &str,
        exec: &str,
        stage: &str,
        action: &str,
        category: &str,
        provider: &str,
        state: &str,
        time: &str,
        result: Value,
    ) {
        let id = self.id();
        self.events.push(event(
            &id,
            time,
            "Action",
            json!({"pipeline": pipeline, "execution-id": exec, "stage": stage, "action": action,
                   "state": state, "version": 1.0,
                   "type": {"owner": "AWS", "category": category, "provider": provider, "version": "1"},
                   "execution-result": result}),
        ));
    }

    fn source(&mut self, pipeline: &str, exec: &str, time: &str, commit: &str) {
        self.action(
            pipeline,
            exec,
            "Source",
            "Source",
            "Source",
            "CodeCommit",
            "SUCCEEDED",
            time,
            json!({"external-execution-id": commit, "external-execution-summary": "change"}),
        );
    }

    fn deploy(&mut self, exec: &str, state: &str, time: &str) {
        let result = if state == "FAILED" {
            json!({"external-execution-summary": "Deployment failed", "error-code": "JobFailed"})
        } else {
            json!({"external-execution-summary": "Deployed"})
        };
        self.action(
            "deploy-prod",
            exec,
            "Deploy",
            "DeployToProd",
            "Deploy",
            "CodeDeploy",
            state,
            time,
            result,
        );
    }
}

const C1: &str = "1111111111111111111111111111111111111111";
const C2: &str = "2222222222222222222222222222222222222222";

/// build-app B1 builds C1 on 03-02; deploy-prod deploys C1 (P1), fails then deploys C2
/// (P2, P3, 03-03) and deploys without a commit (P4, 03-04).
fn small_history() -> Vec<String> {
    let mut h = History::new();
    let t = |s: &str| format!("2026-03-{s}Z");
    h.pipeline(
        "build-app",
        "B1",
        "STARTED",
        &t("02T09:00:00"),
        &t("02T09:00:00"),
    );
    h.source("build-app", "B1", &t("02T09:00:30"), C1);
    h.pipeline(
        "build-app",
        "B1",
        "SUCCEEDED",
        &t("02T09:10:00"),
        &t("02T09:00:00"),
    );

    h.pipeline(
        "deploy-prod",
        "P1",
        "STARTED",
        &t("02T09:20:00"),
        &t("02T09:20:00"),
    );
    h.source("deploy-prod", "P1", &t("02T09:20:30"), C1);
    h.deploy("P1", "SUCCEEDED", &t("02T09:49:00"));
    h.pipeline(
        "deploy-prod",
        "P1",
        "SUCCEEDED",
        &t("02T09:50:00"),
        &t("02T09:20:00"),
    );

    h.pipeline(
        "deploy-prod",
        "P2",
        "STARTED",
        &t("03T10:00:00"),
        &t("03T10:00:00"),
    );
    h.source("deploy-prod", "P2", &t("03T10:00:30"), C2);
    h.deploy("P2", "FAILED", &t("03T10:19:00"));
    h.pipeline(
        "deploy-prod",
        "P2",
        "FAILED",
        &t("03T10:20:00"),
        &t("03T10:00:00"),
    );

    h.pipeline(
        "deploy-prod",
        "P3",
        "STARTED",
        &t("03T12:00:00"),
        &t("03T12:00:00"),
    );
    h.source("deploy-prod", "P3", &t("03T12:00:30"), C2);
    h.deploy("P3", "SUCCEEDED", &t("03T12:29:00"));
    h.pipeline(
        "deploy-prod",
        "P3",
        "SUCCEEDED",
        &t("03T12:30:00"),
        &t("03T12:00:00"),
    );

    h.pipeline(
        "deploy-prod",
        "P4",
        "STARTED",
        &t("04T08:00:00"),
        &t("04T08:00:00"),
    );
    h.deploy("P4", "SUCCEEDED", &t("04T08:39:00"));
    h.pipeline(
        "deploy-prod",
        "P4",
        "SUCCEEDED",
        &t("04T08:40:00"),
        &t("04T08:00:00"),
    );
    h.events
}

/// Runs the history through the function into a folder, the last event delivered twice
/// (in a second batch), as `pipeline-router invoke metrics-extractor` would.
async fn extract_into(dir: &Path, events: &[String]) {
    let batch: Vec<(String, String)> = events
        .iter()
        .enumerate()
        .map(|(i, body)| (format!("m{i}"), body.clone()))
        .collect();
    for chunk in batch.chunks(10) {
        let outcome = cli_metrics::invoke_metrics_extractor(sqs_event(chunk), dir)
            .await
            .unwrap();
        assert!(outcome.failures.is_empty(), "{outcome:?}");
    }
    let last = batch.last().unwrap().clone();
    let outcome =
        cli_metrics::invoke_metrics_extractor(sqs_event(&[("redelivery".to_owned(), last.1)]), dir)
            .await
            .unwrap();
    assert_eq!(outcome.written.len(), 1);
}

#[tokio::test]
async fn metrics_report_on_a_folder_matches_hand_computed_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let events = small_history();
    extract_into(dir.path(), &events).await;
    let html = dir.path().join("site/report.html");

    // `pipeline-router metrics report --dir DIR --out site/report.html --production-pipeline deploy-prod`
    let code = cli_metrics::run(cli_metrics::MetricsCommand::Report {
        store: cli_metrics::RowStore {
            dir: dir.path().to_path_buf(),
            bucket: None,
            prefix: PREFIX.to_owned(),
        },
        out: html.clone(),
        production_pipelines: vec!["deploy-prod".into()],
        since: None,
        until: None,
        title: "Team dashboard".into(),
    })
    .await
    .unwrap();
    assert_eq!(code, std::process::ExitCode::SUCCESS);

    // The same functions `run` uses, for the text it prints.
    let rows = cli_metrics::read_rows_from_dir(dir.path()).unwrap();
    assert_eq!(rows.len(), events.len() + 1, "one duplicate stored");
    let config = cli_metrics::report_config(
        "Team dashboard".into(),
        vec!["deploy-prod".into()],
        None,
        None,
    )
    .unwrap();
    let text = cli_metrics::write_report(&rows, &config, &dir.path().join("again.html")).unwrap();
    let expected_lines = [
        "Team dashboard",
        "Period: 2026-03-02 to 2026-03-04",
        "Events: 19 (1 duplicates ignored)",
        "Executions: 5 (succeeded 4, failed 1, stopped 0, superseded 0, in progress 0)",
        // build-app: B1 took 10 minutes.
        "  build-app    runs    1  failure rate   0.0%  p50  10m 00s  p90  10m 00s  p95  10m 00s",
        // deploy-prod: P1 30m, P3 30m, P4 40m succeeded; P2 failed. Nearest rank of 3:
        // p50 = 2nd = 30m, p90 = p95 = 3rd = 40m. Failure rate 1 / (3 + 1).
        "  deploy-prod  runs    4  failure rate  25.0%  p50  30m 00s  p90  40m 00s  p95  40m 00s",
        "  deploy-prod / Deploy / DeployToProd  failed 1 of 4 (25.0%)  last: JobFailed",
    ];
    for line in expected_lines {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    // DORA over 03-02..03-04 (3 days): deployments P1, P3, P4 = 1.00/day (elite).
    // Lead times: P1 09:50 - 09:00 (C1 entered with B1) = 50m; P3 12:30 - 10:00 (C2
    // entered with P2) = 2h 30m; P4 (no commit) 40m -> median 50m (elite).
    // Restore: P2 failed 10:20, P3 succeeded 12:30 -> 2h 10m (high).
    // Change failure rate: 1 failed of 4 completed = 25.0% (high).
    for part in [
        "1.00/day  elite",
        "(7.0 per week; 3 deployments in 3 days)",
        "50m 00s  elite",
        "(median of 3 deployments)",
        "2h 10m  high",
        "(median of 1 restores; 0 unrestored)",
        "25.0%  high",
        "(of 4 completed deployments)",
    ] {
        assert!(text.contains(part), "missing {part:?} in\n{text}");
    }

    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(
        page,
        std::fs::read_to_string(dir.path().join("again.html")).unwrap()
    );
    for (id, tier) in [
        ("dora-deployment-frequency", "elite"),
        ("dora-lead-time", "elite"),
        ("dora-time-to-restore", "high"),
        ("dora-change-failure-rate", "high"),
    ] {
        assert!(
            page.contains(&format!(r#"<div id="{id}" class="tile tier-{tier}">"#)),
            "{id} {tier}"
        );
    }
    assert!(page.contains("<title>2026-03-03 Failed: 1</title>"));
    assert!(page.contains("<title>2026-03-02 Succeeded: 2</title>"));
}

// ---------------------------------------------------------------------------------------
// the dashboard in a browser
// ---------------------------------------------------------------------------------------

/// Three weeks of three pipelines with a deterministic mix of outcomes, for the browser
/// test and the README screenshot.
fn busy_history() -> Vec<String> {
    let mut h = History::new();
    let mut seed: u32 = 7;
    let mut next = move |n: u32| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (seed >> 16) % n
    };
    for day in 1..=21u32 {
        for (pipeline, runs) in [("build-app", 4), ("deploy-staging", 2), ("deploy-prod", 1)] {
            for run in 0..runs {
                let exec = format!("{pipeline}-{day}-{run}");
                let start_min = 8 * 60 + run * 110 + next(40);
                let minutes = match pipeline {
                    "build-app" => 6 + next(9),
                    "deploy-staging" => 14 + next(12),
                    _ => 25 + next(25),
                };
                let at =
                    |m: u32| format!("2026-03-{day:02}T{:02}:{:02}:00Z", (m / 60) % 24, m % 60);
                let start = at(start_min);
                let commit = format!("{:040x}", u128::from(day * 10 + run) * 7919);
                h.pipeline(pipeline, &exec, "STARTED", &start, &start);
                h.source(pipeline, &exec, &at(start_min), &commit);
                let roll = next(100);
                let (state, action_state) = match roll {
                    0..12 => ("FAILED", "FAILED"),
                    12..16 => ("SUPERSEDED", "SUCCEEDED"),
                    _ => ("SUCCEEDED", "SUCCEEDED"),
                };
                let end = at(start_min + minutes);
                if pipeline == "deploy-prod" {
                    h.deploy(&exec, action_state, &end);
                } else {
                    let (stage, action, category, provider) = if pipeline == "build-app" {
                        ("Build", "UnitTests", "Test", "CodeBuild")
                    } else {
                        ("Deploy", "DeployToStaging", "Deploy", "CodeDeploy")
                    };
                    let result = if action_state == "FAILED" {
                        json!({"external-execution-summary": "Tests failed", "error-code": "JobFailed"})
                    } else {
                        json!({})
                    };
                    h.action(
                        pipeline,
                        &exec,
                        stage,
                        action,
                        category,
                        provider,
                        action_state,
                        &end,
                        result,
                    );
                }
                h.pipeline(pipeline, &exec, state, &end, &start);
            }
        }
    }
    h.events
}

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium(args: &[&str], profile: &Path) -> std::process::Output {
    assert!(
        Path::new(CHROMIUM).is_file(),
        "{CHROMIUM} is missing: run the suite with scripts/test.sh (it installs Debian's chromium), or `apt-get install -y chromium`"
    );
    let profile = format!("--user-data-dir={}", profile.display());
    let output = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &profile,
        ])
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {CHROMIUM}: {e}; run the suite with scripts/test.sh")
        });
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[tokio::test]
async fn the_dashboard_renders_every_chart_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    extract_into(dir.path(), &busy_history()).await;
    let rows = cli_metrics::read_rows_from_dir(dir.path()).unwrap();
    let config = ReportConfig {
        title: "pipeline-router metrics".into(),
        dora: DoraConfig {
            production_pipelines: ["deploy-prod".to_owned()].into(),
            period: None,
        },
        ..ReportConfig::default()
    };
    let html = dir.path().join("report.html");
    cli_metrics::write_report(&rows, &config, &html).unwrap();
    let url = format!("file://{}", html.display());

    let profile = tempfile::tempdir().unwrap();
    let output = chromium(&["--dump-dom", &url], profile.path());
    let dom = String::from_utf8_lossy(&output.stdout);
    for id in CHART_IDS {
        assert!(
            dom.contains(&format!(r#"<svg id="{id}""#)),
            "chart {id} is not in the rendered DOM"
        );
    }
    for id in DORA_TILE_IDS {
        assert!(dom.contains(&format!(r#"id="{id}""#)), "tile {id}");
    }
    assert!(dom.contains("<rect"), "the bar charts drew bars");

    // `UPDATE_DASHBOARD_PNG=1` refreshes the README picture, and the sample history that
    // `scripts/demo.sh` builds its dashboard from.
    if std::env::var("UPDATE_DASHBOARD_PNG").is_ok_and(|v| v == "1") {
        let sample =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../events/metrics-extractor/history");
        let _ = std::fs::remove_dir_all(&sample);
        for object in walk(dir.path()) {
            if object.extension().is_some_and(|e| e == "gz") {
                let target = sample.join(object.strip_prefix(dir.path()).unwrap());
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::copy(&object, &target).unwrap();
            }
        }
        let png = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/dashboard.png");
        let screenshot = format!("--screenshot={}", png.display());
        chromium(
            &[
                &screenshot,
                "--window-size=1400,1800",
                "--hide-scrollbars",
                &url,
            ],
            profile.path(),
        );
        assert!(png.is_file());
    }
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
