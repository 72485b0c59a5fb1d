//! The hand-described history the two engines read: live batches made from EventBridge
//! events as the extractor makes them, and history imports, in the objects that hold them.

use std::collections::BTreeMap;
use std::path::Path;

use integration_tests::pipeline_events::{self, ACCOUNT, REGION};
use jiff::Timestamp;
use jiff::civil::Date;
use pipeline_metrics::batch::encode_batch;
use pipeline_metrics::row::{self, ActionExecutionSummary, ExecutionSummary, Row, Source};
use serde_json::{Value, json};

pub(crate) const PREFIX: &str = "pipeline-events";
pub(crate) const PROD: &str = "deploy-prod";
pub(crate) const BUILD: &str = "build-app";
pub(crate) const C1: &str = "1111111111111111111111111111111111111111";
pub(crate) const C2: &str = "2222222222222222222222222222222222222222";
pub(crate) const C3: &str = "3333333333333333333333333333333333333333";
pub(crate) const C0: &str = "0000000000000000000000000000000000000000";

/// Live rows made from EventBridge events, as the extractor makes them.
#[derive(Default)]
pub(crate) struct Live {
    pub(crate) rows: Vec<Row>,
    counter: u32,
    /// The start time of each execution id [`Live::started`].
    starts: BTreeMap<String, String>,
}

impl Live {
    fn push(&mut self, detail_type: &str, time: &str, detail: Value) -> Row {
        self.counter += 1;
        let id = format!("0a75e000-0000-4000-8000-{:012}", self.counter);
        let event = pipeline_events::event(&id, time, detail_type, detail);
        let row = row::from_json(&event.to_string(), Source::Live)
            .unwrap_or_else(|e| panic!("{event}: {e}"));
        self.rows.push(row.clone());
        row
    }

    /// `exec` STARTED at `time` (attempt 1); [`Live::at`] knows its start from then on.
    pub(crate) fn started(&mut self, pipeline: &str, exec: &str, time: &str) -> Row {
        self.starts.insert(exec.to_owned(), time.to_owned());
        self.attempt(pipeline, exec, "STARTED", time, 1)
    }

    /// `exec` (already [`Live::started`]) in `state` at `time`, attempt 1.
    pub(crate) fn at(&mut self, pipeline: &str, exec: &str, state: &str, time: &str) -> Row {
        self.attempt(pipeline, exec, state, time, 1)
    }

    /// `exec` (already [`Live::started`]) in `state` at `time`, attempt `n`.
    pub(crate) fn attempt(
        &mut self,
        pipeline: &str,
        exec: &str,
        state: &str,
        time: &str,
        n: u32,
    ) -> Row {
        let Some(start) = self.starts.get(exec).cloned() else {
            panic!("{exec}: `started` comes first");
        };
        let detail = pipeline_events::pipeline_detail(pipeline, exec, state, &start, n);
        self.push("Pipeline", time, detail)
    }

    /// A pipeline event before (or without) the execution's STARTED: `exec` in `state` at
    /// `time`, started at `start`, attempt 1.
    pub(crate) fn early(
        &mut self,
        pipeline: &str,
        exec: &str,
        state: &str,
        time: &str,
        start: &str,
    ) -> Row {
        self.starts.insert(exec.to_owned(), start.to_owned());
        self.at(pipeline, exec, state, time)
    }

    pub(crate) fn stage(
        &mut self,
        pipeline: &str,
        exec: &str,
        stage: &str,
        state: &str,
        time: &str,
    ) -> Row {
        self.push(
            "Stage",
            time,
            json!({"pipeline": pipeline, "execution-id": exec, "stage": stage, "state": state,
                   "version": 1.0, "pipeline-execution-attempt": 1.0}),
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn action(
        &mut self,
        pipeline: &str,
        exec: &str,
        stage: &str,
        action: &str,
        attempt_id: &str,
        provider: &str,
        state: &str,
        time: &str,
        result: Value,
    ) -> Row {
        self.push(
            "Action",
            time,
            json!({"pipeline": pipeline, "execution-id": exec, "stage": stage, "action": action,
                   "action-execution-id": attempt_id, "state": state, "version": 1.0,
                   "region": "eu-west-1",
                   "type": {"owner": "AWS", "category": if stage == "Source" { "Source" } else { "Build" },
                            "provider": provider, "version": "1"},
                   "execution-result": result}),
        )
    }

    pub(crate) fn source(&mut self, pipeline: &str, exec: &str, time: &str, commit: &str) -> Row {
        self.action(
            pipeline,
            exec,
            "Source",
            "Source",
            &format!("{exec}-source"),
            "CodeCommit",
            "SUCCEEDED",
            time,
            json!({"external-execution-id": commit, "external-execution-summary": "change"}),
        )
    }

    pub(crate) fn deploy(&mut self, exec: &str, attempt_id: &str, state: &str, time: &str) -> Row {
        let result = if state == "FAILED" {
            json!({"external-execution-summary": format!("{exec} failed"), "error-code": "JobFailed"})
        } else {
            json!({"external-execution-summary": "Deployed"})
        };
        self.action(
            PROD,
            exec,
            "Deploy",
            "DeployToProd",
            attempt_id,
            "CodeDeploy",
            state,
            time,
            result,
        )
    }
}

/// A timestamp of the fixture (RFC 3339).
pub(crate) fn ts(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// A day of the fixture (`YYYY-MM-DD`).
pub(crate) fn day(text: &str) -> Date {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// CodePipeline's summary of an execution, as the history import reads it.
pub(crate) fn execution_summary(
    pipeline: &str,
    exec: &str,
    status: &str,
    start: &str,
    end: &str,
    commit: Option<&str>,
) -> ExecutionSummary {
    ExecutionSummary {
        account: ACCOUNT.to_owned(),
        region: REGION.to_owned(),
        pipeline: pipeline.to_owned(),
        execution_id: exec.to_owned(),
        status: status.to_owned(),
        start_time: ts(start),
        last_update_time: Some(ts(end)),
        trigger_type: Some("StartPipelineExecution".to_owned()),
        trigger_detail: None,
        commit_id: commit.map(str::to_owned),
        branch: None,
    }
}

/// CodePipeline's summary of a deploy-prod `DeployToProd` attempt, as the history import
/// reads it.
pub(crate) fn action_summary(
    exec: &str,
    attempt_id: &str,
    status: &str,
    start: &str,
    end: &str,
) -> ActionExecutionSummary {
    let failed = status == "Failed";
    ActionExecutionSummary {
        account: ACCOUNT.to_owned(),
        region: REGION.to_owned(),
        pipeline: PROD.to_owned(),
        execution_id: exec.to_owned(),
        stage: "Deploy".to_owned(),
        action: "DeployToProd".to_owned(),
        action_execution_id: Some(attempt_id.to_owned()),
        status: status.to_owned(),
        start_time: ts(start),
        last_update_time: Some(ts(end)),
        owner: Some("AWS".to_owned()),
        category: Some("Build".to_owned()),
        provider: Some("CodeDeploy".to_owned()),
        version: Some("1".to_owned()),
        external_execution_id: None,
        external_execution_url: None,
        summary: Some(if failed {
            format!("{exec} failed")
        } else {
            "Deployed".to_owned()
        }),
        error_code: failed.then(|| "JobFailed".to_owned()),
    }
}

/// The fixture, as the objects that hold it: three live batches (some events in two of
/// them, some out of order) and one history import overlapping the live days. Today is
/// 2026-03-10; with a 7-day period the period is 03-04 to 03-10.
pub(crate) fn fixture() -> Vec<(String, Vec<Row>)> {
    let mut h = Live::default();
    // B0 crosses midnight into the period's first day: started 03-03 (before the
    // period), its test action and its end on 03-04.
    h.started(BUILD, "B0", "2026-03-03T23:58:00Z");
    h.source(BUILD, "B0", "2026-03-03T23:58:30Z", C1);
    h.action(
        BUILD,
        "B0",
        "Test",
        "UnitTests",
        "B0-test",
        "CodeBuild",
        "SUCCEEDED",
        "2026-03-04T00:02:00Z",
        json!({}),
    );
    // A lint failure with an error code; Q2's later one has none, so the last error code
    // is NULL (Trino's max_by keeps the winning row's NULL).
    h.action(
        BUILD,
        "B0",
        "Test",
        "Lint",
        "B0-lint",
        "CodeBuild",
        "FAILED",
        "2026-03-04T00:01:00Z",
        json!({"external-execution-summary": "lint failed", "error-code": "LintErrors"}),
    );
    h.at(BUILD, "B0", "SUCCEEDED", "2026-03-04T00:03:00Z");
    // P0 deploys C1 (lead time from B0's start: 32 min).
    h.started(PROD, "P0", "2026-03-04T00:10:00Z");
    h.source(PROD, "P0", "2026-03-04T00:10:30Z", C1);
    h.deploy("P0", "P0-deploy", "SUCCEEDED", "2026-03-04T00:29:00Z");
    h.at(PROD, "P0", "SUCCEEDED", "2026-03-04T00:30:00Z");
    // P1 fails, is retried (RESUMED, attempt 2) and succeeds: a success.
    h.started(PROD, "P1", "2026-03-04T10:00:00Z");
    h.source(PROD, "P1", "2026-03-04T10:00:30Z", C2);
    h.deploy("P1", "P1-deploy-1", "FAILED", "2026-03-04T10:19:00Z");
    h.stage(PROD, "P1", "Deploy", "FAILED", "2026-03-04T10:19:30Z");
    h.at(PROD, "P1", "FAILED", "2026-03-04T10:20:00Z");
    h.attempt(PROD, "P1", "RESUMED", "2026-03-04T10:30:00Z", 2);
    h.deploy("P1", "P1-deploy-2", "STARTED", "2026-03-04T10:31:00Z");
    h.deploy("P1", "P1-deploy-2", "SUCCEEDED", "2026-03-04T10:49:00Z");
    h.stage(PROD, "P1", "Deploy", "SUCCEEDED", "2026-03-04T10:49:30Z");
    h.attempt(PROD, "P1", "SUCCEEDED", "2026-03-04T10:50:00Z", 2);
    let first = std::mem::take(&mut h.rows);

    // P2 fails (a failed deployment), P3 recovers with the same commit.
    let p2_started = h.started(PROD, "P2", "2026-03-05T09:00:00Z");
    h.source(PROD, "P2", "2026-03-05T09:00:30Z", C3);
    let p2_deploy_failed = h.deploy("P2", "P2-deploy", "FAILED", "2026-03-05T09:19:00Z");
    h.stage(PROD, "P2", "Deploy", "FAILED", "2026-03-05T09:19:30Z");
    let p2_failed = h.at(PROD, "P2", "FAILED", "2026-03-05T09:20:00Z");
    // P3's end arrives before its start (out of order).
    h.early(
        PROD,
        "P3",
        "SUCCEEDED",
        "2026-03-05T12:30:00Z",
        "2026-03-05T12:00:00Z",
    );
    h.deploy("P3", "P3-deploy", "SUCCEEDED", "2026-03-05T12:29:00Z");
    h.source(PROD, "P3", "2026-03-05T12:00:30Z", C3);
    h.started(PROD, "P3", "2026-03-05T12:00:00Z");
    // P4 superseded; P5 stopped, its deploy abandoned.
    h.started(PROD, "P4", "2026-03-06T08:00:00Z");
    h.at(PROD, "P4", "SUPERSEDED", "2026-03-06T08:05:00Z");
    h.started(PROD, "P5", "2026-03-06T09:00:00Z");
    h.deploy("P5", "P5-deploy", "STARTED", "2026-03-06T09:01:00Z");
    h.at(PROD, "P5", "STOPPING", "2026-03-06T09:10:00Z");
    h.deploy("P5", "P5-deploy", "ABANDONED", "2026-03-06T09:10:30Z");
    h.at(PROD, "P5", "STOPPED", "2026-03-06T09:11:00Z");
    let mut second = std::mem::take(&mut h.rows);

    // P6 never finishes.
    h.started(PROD, "P6", "2026-03-07T10:00:00Z");
    h.deploy("P6", "P6-deploy", "STARTED", "2026-03-07T10:01:00Z");
    // Unknown states: Q1's only event is QUEUED; Q2 ends PAUSED (a made-up future state),
    // its test action SKIPPED.
    h.early(
        BUILD,
        "Q1",
        "QUEUED",
        "2026-03-08T11:00:00Z",
        "2026-03-08T11:00:00Z",
    );
    h.started(BUILD, "Q2", "2026-03-08T12:00:00Z");
    h.action(
        BUILD,
        "Q2",
        "Test",
        "UnitTests",
        "Q2-test",
        "CodeBuild",
        "SKIPPED",
        "2026-03-08T12:01:00Z",
        json!({}),
    );
    h.action(
        BUILD,
        "Q2",
        "Test",
        "Lint",
        "Q2-lint",
        "CodeBuild",
        "FAILED",
        "2026-03-08T12:02:00Z",
        json!({"external-execution-summary": "lint failed"}),
    );
    h.at(BUILD, "Q2", "PAUSED", "2026-03-08T12:05:00Z");
    // B9 on the period's last day (today).
    h.started(BUILD, "B9", "2026-03-10T07:00:00Z");
    h.source(BUILD, "B9", "2026-03-10T07:00:30Z", C2);
    h.action(
        BUILD,
        "B9",
        "Test",
        "UnitTests",
        "B9-test",
        "CodeBuild",
        "FAILED",
        "2026-03-10T07:03:00Z",
        json!({"external-execution-summary": "flaky", "error-code": "JobFailed"}),
    );
    h.action(
        BUILD,
        "B9",
        "Test",
        "UnitTests",
        "B9-test-2",
        "CodeBuild",
        "SUCCEEDED",
        "2026-03-10T07:05:00Z",
        json!({}),
    );
    h.at(BUILD, "B9", "SUCCEEDED", "2026-03-10T07:06:00Z");
    let mut third = std::mem::take(&mut h.rows);
    // Redelivered across batches: P2's start, its failed deploy and its end.
    third.extend([p2_started, p2_deploy_failed, p2_failed]);
    second.reverse();

    // The history import overlaps the live days: P2 and P3 again, with `backfill:` ids
    // and CodePipeline's own times (a few seconds after the events), and an old failure
    // (before the period) only the import knows.
    let mut backfill = Vec::new();
    backfill.extend(row::backfill_execution(&execution_summary(
        PROD,
        "P2",
        "Failed",
        "2026-03-05T09:00:00Z",
        "2026-03-05T09:20:05Z",
        Some(C3),
    )));
    backfill.extend(row::backfill_action(&action_summary(
        "P2",
        "P2-deploy",
        "Failed",
        "2026-03-05T09:01:00Z",
        "2026-03-05T09:19:02Z",
    )));
    backfill.extend(row::backfill_execution(&execution_summary(
        PROD,
        "P3",
        "Succeeded",
        "2026-03-05T12:00:00Z",
        "2026-03-05T12:30:04Z",
        Some(C3),
    )));
    backfill.extend(row::backfill_action(&action_summary(
        "P3",
        "P3-deploy",
        "Succeeded",
        "2026-03-05T12:01:00Z",
        "2026-03-05T12:29:03Z",
    )));
    backfill.extend(row::backfill_execution(&execution_summary(
        PROD,
        "POLD",
        "Failed",
        "2026-03-01T08:00:00Z",
        "2026-03-01T08:30:00Z",
        Some(C0),
    )));
    backfill.extend(row::backfill_action(&action_summary(
        "POLD",
        "POLD-deploy",
        "Failed",
        "2026-03-01T08:01:00Z",
        "2026-03-01T08:29:00Z",
    )));

    vec![
        ("live-1".to_owned(), first),
        ("live-2".to_owned(), second),
        ("live-3".to_owned(), third),
        ("backfill-deploy-prod".to_owned(), backfill),
    ]
}

/// Writes the batches in the extractor's layout (`{PREFIX}/dt=.../{batch}.json.gz`).
pub(crate) fn write_objects(dir: &Path, batches: &[(String, Vec<Row>)]) {
    for (batch_id, rows) in batches {
        for object in encode_batch(PREFIX, batch_id, rows).unwrap_or_else(|e| panic!("{e}")) {
            let path = dir.join(&object.key);
            std::fs::create_dir_all(path.parent().unwrap_or(dir)).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(&path, &object.bytes)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

/// The period's edges, in one live batch. Today is 2026-03-10; with a 7-day period the
/// period is 03-04 00:00:00.000 to 03-10 23:59:59.999 UTC.
pub(crate) fn edges() -> Vec<(String, Vec<Row>)> {
    let mut h = Live::default();
    // E0 deploys and ends at the last millisecond before the period: neither its run nor
    // its deploy action nor the deployment is the period's.
    h.started(PROD, "E0", "2026-03-03T23:30:00Z");
    h.source(PROD, "E0", "2026-03-03T23:30:30Z", C1);
    h.deploy("E0", "E0-deploy", "SUCCEEDED", "2026-03-03T23:59:59.999Z");
    h.at(PROD, "E0", "SUCCEEDED", "2026-03-03T23:59:59.999Z");
    // E1 starts the day before and ends inside the period, its deploy action exactly at
    // 00:00:00 of the first day: a deployment of the period (placed by its end) and a
    // deploy outcome on 03-04, but not a run of the period (placed by its start).
    h.started(PROD, "E1", "2026-03-03T23:50:00Z");
    h.source(PROD, "E1", "2026-03-03T23:50:30Z", C2);
    h.deploy("E1", "E1-deploy", "SUCCEEDED", "2026-03-04T00:00:00Z");
    h.at(PROD, "E1", "SUCCEEDED", "2026-03-04T00:00:30Z");
    // E9 starts on the last day and fails at its last millisecond: a run, a failed deploy
    // outcome and a failed deployment of the period.
    h.started(PROD, "E9", "2026-03-10T23:00:00Z");
    h.source(PROD, "E9", "2026-03-10T23:00:30Z", C3);
    h.deploy("E9", "E9-deploy", "FAILED", "2026-03-10T23:59:59.999Z");
    h.at(PROD, "E9", "FAILED", "2026-03-10T23:59:59.999Z");
    // F1 starts at the first instant after the period (tomorrow): none of it counts.
    h.started(BUILD, "F1", "2026-03-11T00:00:00Z");
    h.source(BUILD, "F1", "2026-03-11T00:00:00Z", C0);
    h.at(BUILD, "F1", "SUCCEEDED", "2026-03-11T00:05:00Z");
    vec![("live-edges".to_owned(), h.rows)]
}
