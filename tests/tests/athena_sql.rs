//! One truth in Rust and Athena: the queries of `sql/` run in DuckDB
//! (`tests/support/athena_sql.py`, with Trino's semantics where the engines differ) over
//! the objects the extractor and the backfill write, and every figure they give is
//! compared with the Rust report's for the same period and production pipelines.
//!
//! The fixture holds every case that has made the two disagree or could: duplicates
//! across objects, events out of order, a retried execution (FAILED, RESUMED with
//! attempt 2, SUCCEEDED), SUPERSEDED, STOPPED, an action ABANDONED, an execution that
//! never finishes, unknown states (an execution whose only event is `QUEUED`, a made-up
//! `PAUSED`, an action `SKIPPED`), an execution and actions crossing midnight UTC at the
//! period's first day, and a history import (`backfill:...` ids) overlapping live days.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use jiff::Timestamp;
use jiff::civil::Date;
use pipeline_metrics::batch::{encode_batch, format_day};
use pipeline_metrics::dashboard::{Report, ReportConfig};
use pipeline_metrics::metrics::{self, DailyOutcomes, Execution, OutcomeCounts};
use pipeline_metrics::row::{self, ActionExecutionSummary, ExecutionSummary, Row, Source};
use pipeline_metrics::{DoraConfig, Level, Tier};
use serde_json::{Value, json};

const PREFIX: &str = "pipeline-events";
const PROD: &str = "deploy-prod";
const BUILD: &str = "build-app";
const C1: &str = "1111111111111111111111111111111111111111";
const C2: &str = "2222222222222222222222222222222222222222";
const C3: &str = "3333333333333333333333333333333333333333";
const C0: &str = "0000000000000000000000000000000000000000";

/// Live rows made from EventBridge events, as the extractor makes them.
#[derive(Default)]
struct Live {
    rows: Vec<Row>,
    counter: u32,
}

impl Live {
    fn push(&mut self, detail_type: &str, time: &str, detail: Value) -> Row {
        self.counter += 1;
        let event = json!({
            "version": "0",
            "id": format!("0a75e000-0000-4000-8000-{:012}", self.counter),
            "detail-type": format!("CodePipeline {detail_type} Execution State Change"),
            "source": "aws.codepipeline",
            "account": "123456789012",
            "time": time,
            "region": "eu-west-1",
            "resources": [],
            "detail": detail
        });
        let row = row::from_json(&event.to_string(), Source::Live)
            .unwrap_or_else(|e| panic!("{event}: {e}"));
        self.rows.push(row.clone());
        row
    }

    fn pipeline(
        &mut self,
        pipeline: &str,
        exec: &str,
        state: &str,
        time: &str,
        start: &str,
        attempt: u32,
    ) -> Row {
        self.push(
            "Pipeline",
            time,
            json!({"pipeline": pipeline, "execution-id": exec, "state": state, "start-time": start,
                   "version": 1.0, "pipeline-execution-attempt": f64::from(attempt),
                   "execution-trigger": {"trigger-type": "StartPipelineExecution"}}),
        )
    }

    fn stage(&mut self, pipeline: &str, exec: &str, stage: &str, state: &str, time: &str) -> Row {
        self.push(
            "Stage",
            time,
            json!({"pipeline": pipeline, "execution-id": exec, "stage": stage, "state": state,
                   "version": 1.0, "pipeline-execution-attempt": 1.0}),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn action(
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

    fn source(&mut self, pipeline: &str, exec: &str, time: &str, commit: &str) -> Row {
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

    fn deploy(&mut self, exec: &str, attempt_id: &str, state: &str, time: &str) -> Row {
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

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn day(text: &str) -> Date {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn execution_summary(
    pipeline: &str,
    exec: &str,
    status: &str,
    start: &str,
    end: &str,
    commit: Option<&str>,
) -> ExecutionSummary {
    ExecutionSummary {
        account: "123456789012".to_owned(),
        region: "eu-west-1".to_owned(),
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

fn action_summary(
    exec: &str,
    attempt_id: &str,
    status: &str,
    start: &str,
    end: &str,
) -> ActionExecutionSummary {
    let failed = status == "Failed";
    ActionExecutionSummary {
        account: "123456789012".to_owned(),
        region: "eu-west-1".to_owned(),
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
fn fixture() -> Vec<(String, Vec<Row>)> {
    let mut h = Live::default();
    // B0 crosses midnight into the period's first day: started 03-03 (before the
    // period), its test action and its end on 03-04.
    h.pipeline(
        BUILD,
        "B0",
        "STARTED",
        "2026-03-03T23:58:00Z",
        "2026-03-03T23:58:00Z",
        1,
    );
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
    h.pipeline(
        BUILD,
        "B0",
        "SUCCEEDED",
        "2026-03-04T00:03:00Z",
        "2026-03-03T23:58:00Z",
        1,
    );
    // P0 deploys C1 (lead time from B0's start: 32 min).
    h.pipeline(
        PROD,
        "P0",
        "STARTED",
        "2026-03-04T00:10:00Z",
        "2026-03-04T00:10:00Z",
        1,
    );
    h.source(PROD, "P0", "2026-03-04T00:10:30Z", C1);
    h.deploy("P0", "P0-deploy", "SUCCEEDED", "2026-03-04T00:29:00Z");
    h.pipeline(
        PROD,
        "P0",
        "SUCCEEDED",
        "2026-03-04T00:30:00Z",
        "2026-03-04T00:10:00Z",
        1,
    );
    // P1 fails, is retried (RESUMED, attempt 2) and succeeds: a success.
    h.pipeline(
        PROD,
        "P1",
        "STARTED",
        "2026-03-04T10:00:00Z",
        "2026-03-04T10:00:00Z",
        1,
    );
    h.source(PROD, "P1", "2026-03-04T10:00:30Z", C2);
    h.deploy("P1", "P1-deploy-1", "FAILED", "2026-03-04T10:19:00Z");
    h.stage(PROD, "P1", "Deploy", "FAILED", "2026-03-04T10:19:30Z");
    h.pipeline(
        PROD,
        "P1",
        "FAILED",
        "2026-03-04T10:20:00Z",
        "2026-03-04T10:00:00Z",
        1,
    );
    h.pipeline(
        PROD,
        "P1",
        "RESUMED",
        "2026-03-04T10:30:00Z",
        "2026-03-04T10:00:00Z",
        2,
    );
    h.deploy("P1", "P1-deploy-2", "STARTED", "2026-03-04T10:31:00Z");
    h.deploy("P1", "P1-deploy-2", "SUCCEEDED", "2026-03-04T10:49:00Z");
    h.stage(PROD, "P1", "Deploy", "SUCCEEDED", "2026-03-04T10:49:30Z");
    h.pipeline(
        PROD,
        "P1",
        "SUCCEEDED",
        "2026-03-04T10:50:00Z",
        "2026-03-04T10:00:00Z",
        2,
    );
    let first = std::mem::take(&mut h.rows);

    // P2 fails (a failed deployment), P3 recovers with the same commit.
    let p2_started = h.pipeline(
        PROD,
        "P2",
        "STARTED",
        "2026-03-05T09:00:00Z",
        "2026-03-05T09:00:00Z",
        1,
    );
    h.source(PROD, "P2", "2026-03-05T09:00:30Z", C3);
    let p2_deploy_failed = h.deploy("P2", "P2-deploy", "FAILED", "2026-03-05T09:19:00Z");
    h.stage(PROD, "P2", "Deploy", "FAILED", "2026-03-05T09:19:30Z");
    let p2_failed = h.pipeline(
        PROD,
        "P2",
        "FAILED",
        "2026-03-05T09:20:00Z",
        "2026-03-05T09:00:00Z",
        1,
    );
    // P3's end arrives before its start (out of order).
    h.pipeline(
        PROD,
        "P3",
        "SUCCEEDED",
        "2026-03-05T12:30:00Z",
        "2026-03-05T12:00:00Z",
        1,
    );
    h.deploy("P3", "P3-deploy", "SUCCEEDED", "2026-03-05T12:29:00Z");
    h.source(PROD, "P3", "2026-03-05T12:00:30Z", C3);
    h.pipeline(
        PROD,
        "P3",
        "STARTED",
        "2026-03-05T12:00:00Z",
        "2026-03-05T12:00:00Z",
        1,
    );
    // P4 superseded; P5 stopped, its deploy abandoned.
    h.pipeline(
        PROD,
        "P4",
        "STARTED",
        "2026-03-06T08:00:00Z",
        "2026-03-06T08:00:00Z",
        1,
    );
    h.pipeline(
        PROD,
        "P4",
        "SUPERSEDED",
        "2026-03-06T08:05:00Z",
        "2026-03-06T08:00:00Z",
        1,
    );
    h.pipeline(
        PROD,
        "P5",
        "STARTED",
        "2026-03-06T09:00:00Z",
        "2026-03-06T09:00:00Z",
        1,
    );
    h.deploy("P5", "P5-deploy", "STARTED", "2026-03-06T09:01:00Z");
    h.pipeline(
        PROD,
        "P5",
        "STOPPING",
        "2026-03-06T09:10:00Z",
        "2026-03-06T09:00:00Z",
        1,
    );
    h.deploy("P5", "P5-deploy", "ABANDONED", "2026-03-06T09:10:30Z");
    h.pipeline(
        PROD,
        "P5",
        "STOPPED",
        "2026-03-06T09:11:00Z",
        "2026-03-06T09:00:00Z",
        1,
    );
    let mut second = std::mem::take(&mut h.rows);

    // P6 never finishes.
    h.pipeline(
        PROD,
        "P6",
        "STARTED",
        "2026-03-07T10:00:00Z",
        "2026-03-07T10:00:00Z",
        1,
    );
    h.deploy("P6", "P6-deploy", "STARTED", "2026-03-07T10:01:00Z");
    // Unknown states: Q1's only event is QUEUED; Q2 ends PAUSED (a made-up future state),
    // its test action SKIPPED.
    h.pipeline(
        BUILD,
        "Q1",
        "QUEUED",
        "2026-03-08T11:00:00Z",
        "2026-03-08T11:00:00Z",
        1,
    );
    h.pipeline(
        BUILD,
        "Q2",
        "STARTED",
        "2026-03-08T12:00:00Z",
        "2026-03-08T12:00:00Z",
        1,
    );
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
    h.pipeline(
        BUILD,
        "Q2",
        "PAUSED",
        "2026-03-08T12:05:00Z",
        "2026-03-08T12:00:00Z",
        1,
    );
    // B9 on the period's last day (today).
    h.pipeline(
        BUILD,
        "B9",
        "STARTED",
        "2026-03-10T07:00:00Z",
        "2026-03-10T07:00:00Z",
        1,
    );
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
    h.pipeline(
        BUILD,
        "B9",
        "SUCCEEDED",
        "2026-03-10T07:06:00Z",
        "2026-03-10T07:00:00Z",
        1,
    );
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
fn write_objects(dir: &Path, batches: &[(String, Vec<Row>)]) {
    for (batch_id, rows) in batches {
        for object in encode_batch(PREFIX, batch_id, rows).unwrap_or_else(|e| panic!("{e}")) {
            let path = dir.join(&object.key);
            std::fs::create_dir_all(path.parent().unwrap_or(dir)).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(&path, &object.bytes)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("support/athena_sql.py")
}

/// Every query's rows from DuckDB, by query name (and `executions`, the view).
fn athena(dir: &Path, today: Date, days: u32) -> BTreeMap<String, Vec<Value>> {
    let out = Command::new(python())
        .arg(script())
        .arg("--rows")
        .arg(dir.join(PREFIX))
        .args(["--today", &format_day(today)])
        .args(["--param", &format!("Production={PROD}")])
        .args(["--param", &format!("MetricsPeriodDays={days}")])
        .output()
        .unwrap_or_else(|e| panic!("{} {}: {e}", python(), script().display()));
    assert!(
        out.status.success(),
        "athena_sql.py failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let all: BTreeMap<String, Value> =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    all.into_iter()
        .map(|(k, v)| (k, v.as_array().cloned().unwrap_or_default()))
        .collect()
}

fn text(v: &Value, field: &str) -> Option<String> {
    v[field].as_str().map(str::to_owned)
}

fn number(v: &Value, field: &str) -> Option<f64> {
    v[field].as_f64()
}

fn count(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} is not a count in {v}"))
}

fn time(v: &Value, field: &str) -> Option<Timestamp> {
    text(v, field).map(|t| ts(&t))
}

/// Floats equal to a small tolerance; `None` only equals `None`.
fn assert_close(what: &str, sql: Option<f64>, rust: Option<f64>) {
    match (sql, rust) {
        (Some(a), Some(b)) => assert!(
            (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
            "{what}: Athena {a}, Rust {b}"
        ),
        (a, b) => assert_eq!(a, b, "{what}: Athena {a:?}, Rust {b:?}"),
    }
}

fn assert_executions(sql: &[Value], rust: &[Execution]) {
    let sql: BTreeMap<(String, String), &Value> = sql
        .iter()
        .map(|e| {
            (
                (
                    text(e, "pipeline").unwrap_or_default(),
                    text(e, "execution_id").unwrap_or_default(),
                ),
                e,
            )
        })
        .collect();
    assert_eq!(sql.len(), rust.len(), "executions: Athena {:?}", sql.keys());
    for e in rust {
        let what = format!("execution {}/{}", e.pipeline, e.execution_id);
        let Some(s) = sql.get(&(e.pipeline.clone(), e.execution_id.clone())) else {
            panic!("{what}: not in Athena's executions");
        };
        assert_eq!(
            text(s, "final_state").as_deref(),
            Some(e.final_state.as_str()),
            "{what}: final state"
        );
        assert_eq!(time(s, "start_at"), Some(e.start), "{what}: start");
        assert_eq!(time(s, "end_at"), e.end, "{what}: end");
        assert_close(
            &format!("{what}: duration"),
            number(s, "duration_seconds"),
            e.duration_seconds(),
        );
        assert_eq!(
            s["attempts"].as_u64(),
            e.attempts.map(u64::from),
            "{what}: attempts"
        );
        assert_eq!(text(s, "commit_id"), e.commit_id, "{what}: commit");
    }
}

fn counts_of(v: &Value) -> OutcomeCounts {
    OutcomeCounts {
        succeeded: count(v, "succeeded"),
        failed: count(v, "failed"),
        stopped: count(v, "stopped"),
        superseded: count(v, "superseded"),
        in_progress: count(v, "in_progress"),
        unknown: count(v, "unknown"),
    }
}

type DayKey = (String, Date, String, Option<String>, Option<String>);

fn day_key(level: &str, o: &DailyOutcomes) -> DayKey {
    (
        level.to_owned(),
        o.day,
        o.pipeline.clone(),
        o.stage.clone(),
        o.action.clone(),
    )
}

/// Outcomes per day at every level, with the failure rate and the previous day's.
fn assert_outcomes_per_day(sql: &[Value], rust: &BTreeMap<DayKey, OutcomeCounts>) {
    let mut seen = 0;
    for s in sql {
        let level = text(s, "level").unwrap_or_default();
        let key: DayKey = (
            level.clone(),
            day(&text(s, "day").unwrap_or_default()),
            text(s, "pipeline").unwrap_or_default(),
            text(s, "stage"),
            text(s, "action"),
        );
        let Some(counts) = rust.get(&key) else {
            panic!("outcomes-per-day: Athena has {key:?}, Rust does not: {s}");
        };
        seen += 1;
        assert_eq!(counts_of(s), *counts, "outcomes-per-day {key:?}");
        assert_close(
            &format!("failure rate {key:?}"),
            number(s, "failure_rate"),
            counts.failure_rate(),
        );
        let mut yesterday = key.clone();
        yesterday.1 = key.1.yesterday().unwrap_or(key.1);
        let previous = rust.get(&yesterday).and_then(OutcomeCounts::failure_rate);
        assert_close(
            &format!("previous day's failure rate {key:?}"),
            number(s, "previous_day_failure_rate"),
            previous,
        );
    }
    assert_eq!(
        seen,
        rust.len(),
        "outcomes-per-day: Rust has {:?}",
        rust.keys()
    );
}

/// The figures Rust gives for the period `days` days up to `today`, compared with every
/// figure of every query.
fn compare(today: Date, days: u32) -> Report {
    let batches = fixture();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write_objects(dir.path(), &batches);
    let rows: Vec<Row> = batches.into_iter().flat_map(|(_, rows)| rows).collect();
    let sql = athena(dir.path(), today, days);

    let first = today
        .checked_sub(jiff::Span::new().days(i64::from(days) - 1))
        .unwrap_or_else(|e| panic!("{e}"));
    let period = (first, today);
    let config = ReportConfig {
        dora: DoraConfig {
            production_pipelines: [PROD.to_owned()].into(),
            period: None,
        },
        max_actions: 25,
        period: Some(period),
        ..ReportConfig::default()
    };
    let report = Report::build(&rows, &config);

    // The view: every execution, whatever the period.
    assert_executions(&sql["executions"], &metrics::executions(&rows));

    // Outcomes per day: executions of the period by start day, steps by event day.
    let mut per_day: BTreeMap<DayKey, OutcomeCounts> = BTreeMap::new();
    for o in metrics::pipeline_outcomes_per_day(&report.executions) {
        per_day.insert(day_key("pipeline", &o), o.counts);
    }
    let rows_in_period: Vec<Row> = rows
        .iter()
        .filter(|r| metrics::in_period(pipeline_metrics::utc::day(r.event_time), period))
        .cloned()
        .collect();
    for (level, name) in [(Level::Stage, "stage"), (Level::Action, "action")] {
        for o in metrics::step_outcomes_per_day(&rows_in_period, level) {
            per_day.insert(day_key(name, &o), o.counts);
        }
    }
    assert_outcomes_per_day(&sql["outcomes-per-day"], &per_day);
    // The dashboard's executions per day are the same executions.
    let mut all_days: BTreeMap<Date, OutcomeCounts> = BTreeMap::new();
    for ((level, day, ..), counts) in &per_day {
        if level == "pipeline" {
            all_days.entry(*day).or_default().merge(counts);
        }
    }
    let dashboard_days: BTreeMap<Date, OutcomeCounts> = report
        .per_day
        .iter()
        .filter(|(_, c)| c.total() > 0)
        .cloned()
        .collect();
    assert_eq!(dashboard_days, all_days, "executions per day");

    // Hotspots: the report's actions that failed, in order.
    let hotspots: Vec<_> = report
        .actions
        .iter()
        .filter(|a| a.counts.failed > 0)
        .collect();
    let sql_hotspots = &sql["action-failure-hotspots"];
    assert_eq!(
        sql_hotspots.len(),
        hotspots.len(),
        "hotspots: Athena {sql_hotspots:?}"
    );
    for (s, a) in sql_hotspots.iter().zip(&hotspots) {
        let what = format!("hotspot {}/{}/{}", a.pipeline, a.stage, a.action);
        let name = (text(s, "pipeline"), text(s, "stage"), text(s, "action"));
        assert_eq!(
            name,
            (
                Some(a.pipeline.clone()),
                Some(a.stage.clone()),
                Some(a.action.clone())
            ),
            "{what}: order"
        );
        assert_eq!(text(s, "provider"), a.provider, "{what}: provider");
        assert_eq!(count(s, "failed"), a.counts.failed, "{what}: failed");
        assert_eq!(
            count(s, "succeeded"),
            a.counts.succeeded,
            "{what}: succeeded"
        );
        assert_close(
            &format!("{what}: failure rate"),
            number(s, "failure_rate"),
            a.counts.failure_rate(),
        );
        assert_eq!(
            text(s, "last_error_code"),
            a.last_error_code,
            "{what}: last error code"
        );
        assert_eq!(
            text(s, "last_error_summary"),
            a.last_error_summary,
            "{what}: last error summary"
        );
        assert_eq!(
            time(s, "last_failure_at"),
            a.last_failure,
            "{what}: last failure"
        );
    }

    // Duration percentiles.
    let sql_durations = &sql["duration-percentiles"];
    assert_eq!(
        sql_durations.len(),
        report.durations.len(),
        "durations: Athena {sql_durations:?}"
    );
    for (s, d) in sql_durations.iter().zip(&report.durations) {
        let what = format!("durations of {}", d.pipeline);
        assert_eq!(
            text(s, "pipeline").as_deref(),
            Some(d.pipeline.as_str()),
            "{what}"
        );
        assert_eq!(count(s, "n"), d.count as u64, "{what}: n");
        assert_close(&format!("{what}: p50"), number(s, "p50"), Some(d.p50));
        assert_close(&format!("{what}: p90"), number(s, "p90"), Some(d.p90));
        assert_close(&format!("{what}: p95"), number(s, "p95"), Some(d.p95));
        let max = report
            .executions
            .iter()
            .filter(|e| {
                e.pipeline == d.pipeline && e.outcome == pipeline_metrics::Outcome::Succeeded
            })
            .filter_map(Execution::duration_seconds)
            .reduce(f64::max);
        assert_close(&format!("{what}: max"), number(s, "max_seconds"), max);
    }

    // DORA.
    let Some(d) = &report.dora else {
        panic!("no DORA metrics in the report");
    };
    assert_eq!(d.days, days);
    let [s] = sql["dora-metrics"].as_slice() else {
        panic!("dora-metrics: not one row: {:?}", sql["dora-metrics"]);
    };
    let tier = |t: Option<Tier>| t.map(|t| t.as_str().to_owned());
    assert_close(
        "deployments per day",
        number(s, "deployments_per_day"),
        d.deployment_frequency.value,
    );
    assert_eq!(
        text(s, "deployment_frequency_tier"),
        tier(d.deployment_frequency.tier),
        "deployment frequency tier"
    );
    assert_close(
        "lead time",
        number(s, "lead_time_seconds"),
        d.lead_time.value,
    );
    assert_eq!(
        text(s, "lead_time_tier"),
        tier(d.lead_time.tier),
        "lead time tier"
    );
    assert_close(
        "failed deployment recovery time",
        number(s, "failed_deployment_recovery_seconds"),
        d.failed_deployment_recovery.value,
    );
    assert_eq!(
        text(s, "failed_deployment_recovery_tier"),
        tier(d.failed_deployment_recovery.tier),
        "failed deployment recovery tier"
    );
    assert_close(
        "change failure rate",
        number(s, "change_failure_rate"),
        d.change_failure_rate.value,
    );
    assert_eq!(
        text(s, "change_failure_rate_tier"),
        tier(d.change_failure_rate.tier),
        "change failure rate tier"
    );
    report
}

#[test]
fn athena_and_the_report_agree_on_every_figure() {
    let report = compare(day("2026-03-10"), 7);
    let d = report.dora.as_ref().unwrap_or_else(|| panic!("no DORA"));
    // The figures themselves, by hand: deployments P0, P1 (retried), P3 in 7 days.
    assert_eq!(d.deployment_frequency.samples, 3);
    assert_eq!(d.deployment_frequency.tier, Some(Tier::High));
    // Lead times 32m (P0, from B0's start), 50m (P1), 3h 30m (P3, from P2's start):
    // the median is the 2nd of 3.
    assert_eq!(d.lead_time.value, Some(3000.0));
    // P2 failed 09:20:05 (the import's later time), P3 recovered 12:30:04.
    assert_eq!(
        d.failed_deployment_recovery.value,
        Some(3.0 * 3600.0 + 9.0 * 60.0 + 59.0)
    );
    // 1 failed (P2) of 4 completed (the old failure is before the period).
    assert_eq!(d.change_failure_rate.value, Some(0.25));
    // P2's deploy failed once, though the import holds it again under another id.
    let deploy = report
        .actions
        .iter()
        .find(|a| a.action == "DeployToProd")
        .unwrap_or_else(|| panic!("no DeployToProd"));
    assert_eq!((deploy.counts.failed, deploy.counts.succeeded), (2, 3));
    // Lint's last failure (Q2's) has no error code, though an earlier one had.
    let lint = report
        .actions
        .iter()
        .find(|a| a.action == "Lint")
        .unwrap_or_else(|| panic!("no Lint"));
    assert_eq!(lint.counts.failed, 2);
    assert_eq!(lint.last_error_code, None);
    // Every execution that started in the period is in exactly one outcome: B9, P0..P6,
    // Q1 (QUEUED) and Q2 (PAUSED); B0 started the day before.
    let mut all = OutcomeCounts::default();
    for c in report.totals.values() {
        all.merge(c);
    }
    assert_eq!(
        all,
        OutcomeCounts {
            succeeded: 4,
            failed: 1,
            stopped: 1,
            superseded: 1,
            in_progress: 1,
            unknown: 2
        }
    );
    assert_eq!(all.total(), report.executions.len() as u64);
}

#[test]
fn a_period_without_deployments_is_low_in_both() {
    let report = compare(day("2026-06-30"), 30);
    let d = report.dora.as_ref().unwrap_or_else(|| panic!("no DORA"));
    assert_eq!(d.deployment_frequency.value, Some(0.0));
    assert_eq!(d.deployment_frequency.tier, Some(Tier::Low));
    assert_eq!(d.lead_time.value, None);
    assert!(report.executions.is_empty());
}

/// Runs the engine's division check on one query; `(exit code, stderr)`.
fn check_sql(sql: &str) -> (Option<i32>, String) {
    let out = Command::new(python())
        .arg(script())
        .args(["--check-sql", sql])
        .output()
        .unwrap_or_else(|e| panic!("{} {}: {e}", python(), script().display()));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_engine_refuses_integer_and_decimal_divisions() {
    // The forms the queries had before the double-division fix: in Trino
    // `count_if(...) / 30` truncates and `x / 30.0` is a decimal division (scale 1).
    for sql in [
        "SELECT count_if(state = 'FAILED') / 30 AS per_day FROM events",
        "SELECT count(*) / 30.0 AS per_day FROM events",
        "SELECT 1 / 30.0 AS high FROM events",
    ] {
        let (code, stderr) = check_sql(sql);
        assert_eq!(code, Some(2), "{sql} was not refused: {stderr}");
        assert!(stderr.contains("divides"), "{sql}: {stderr}");
    }
    // Double divisions, and an integer rank in element_at, are what the queries use.
    for sql in [
        "SELECT CAST(count_if(state = 'FAILED') AS double) / 30 AS per_day FROM events",
        "SELECT count(*) / CAST(30 AS double), 1e0 / 30 FROM events",
        "SELECT element_at(array_sort(array_agg(attempt)), (50 * count(*) + 99) / 100) FROM events",
    ] {
        let (code, stderr) = check_sql(sql);
        assert_eq!(code, Some(0), "{sql} was refused: {stderr}");
    }
}
