//! `metrics backfill` through the real CodePipeline client.

use super::*;

// backfill

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
