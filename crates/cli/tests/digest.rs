//! `pipeline-router metrics digest --dir`: the digest of a folder of rows, as text and as
//! Block Kit JSON; and its errors.
//!
//! The folder: deploy-prod D1 on 2026-03-02 (SUCCEEDED 10:00 -> 10:20) and D2 on
//! 2026-03-03 (FAILED 09:00 -> 09:10, action Deploy / Ship failed with JobFailed), and a
//! run of old-pipeline on 2025-06-01, outside both one-day periods.
#![allow(clippy::unwrap_used)] // test set-up: a failure here is a test failure

use std::path::Path;
use std::process::Command;

use pipeline_metrics::row::{self, Source};
use serde_json::{Value, json};

fn event(id: usize, time: &str, detail_type: &str, detail: Value) -> String {
    json!({
        "version": "0", "id": format!("cli-digest-{id:04}"),
        "detail-type": format!("CodePipeline {detail_type} Execution State Change"),
        "source": "aws.codepipeline", "account": "123456789012", "time": time,
        "region": "eu-west-1", "resources": [], "detail": detail
    })
    .to_string()
}

fn write_rows(dir: &Path) {
    let mut events = Vec::new();
    let mut run = |pipeline: &str, exec: &str, start: &str, end: &str, state: &str| {
        let n = events.len();
        let pipeline_event = |i: usize, time: &str, state: &str| {
            event(
                n + i,
                time,
                "Pipeline",
                json!({"pipeline": pipeline, "execution-id": exec, "state": state,
                       "start-time": start, "version": 1}),
            )
        };
        events.push(pipeline_event(0, start, "STARTED"));
        let mut action = json!({"pipeline": pipeline, "execution-id": exec, "stage": "Deploy",
            "action": "Ship", "state": state, "version": 1,
            "type": {"owner": "AWS", "category": "Deploy", "provider": "CodeDeploy", "version": "1"}});
        if state == "FAILED" {
            action["execution-result"] =
                json!({"external-execution-summary": "boom", "error-code": "JobFailed"});
        }
        events.push(event(n + 1, end, "Action", action));
        events.push(pipeline_event(2, end, state));
    };
    run(
        "deploy-prod",
        "D1",
        "2026-03-02T10:00:00Z",
        "2026-03-02T10:20:00Z",
        "SUCCEEDED",
    );
    run(
        "deploy-prod",
        "D2",
        "2026-03-03T09:00:00Z",
        "2026-03-03T09:10:00Z",
        "FAILED",
    );
    run(
        "old-pipeline",
        "O1",
        "2025-06-01T09:00:00Z",
        "2025-06-01T09:10:00Z",
        "FAILED",
    );
    let rows: Vec<_> = events
        .iter()
        .map(|e| row::from_json(e, Source::Live).unwrap())
        .collect();
    for object in pipeline_metrics::encode_batch("pipeline-events", "cli", &rows).unwrap() {
        let path = dir.join(&object.key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, object.bytes).unwrap();
    }
}

fn digest(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_pipeline-router"))
        .args(["metrics", "digest", "--dir"])
        .arg(dir)
        .args(["--day", "2026-03-03", "--period-days", "1"])
        .args(["--production-pipeline", "deploy-prod"])
        .args(extra)
        .env_remove("SLACK_BOT_TOKEN")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn metrics_digest_prints_the_day_as_text() {
    let dir = tempfile::tempdir().unwrap();
    write_rows(dir.path());
    let (code, stdout, stderr) = digest(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    for expected in [
        "Pipeline metrics · 2026-03-03\n",
        "Tue 2026-03-03 (UTC): 1 run in 1 pipeline, 1 failed (in 1 pipeline)\n",
        "✗ deploy-prod 1 run: 1 failed\n      ↳ Deploy / Ship failed 1 of 1 (JobFailed)\n",
        "DORA (deploy-prod), 2026-03-03 to 2026-03-03, change since 2026-03-02 to 2026-03-02\n",
        // 0 deployments on 03-03 (1 on 03-02); 1 failure of 1 (0 of 1 before).
        "  Deployment frequency  0.00/day · Low  ↓ -1.00/day, worse · Elite → Low\n",
        "  Change failure rate  100.0% · Low  ↑ +100.0 pts, worse · Elite → Low\n",
        "Held pushes: not available.\n",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in\n{stdout}"
        );
    }
    assert!(!stdout.contains("old-pipeline"), "{stdout}");
}

#[test]
fn metrics_digest_json_is_the_block_kit_message() {
    let dir = tempfile::tempdir().unwrap();
    write_rows(dir.path());
    let (code, stdout, stderr) = digest(
        dir.path(),
        &[
            "--json",
            "--dashboard-url",
            "https://example.com/latest.html",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let message: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        message["text"],
        "Pipeline metrics for 2026-03-03: 1 run in 1 pipeline, 1 failed (in 1 pipeline)."
    );
    let blocks = message["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(
        blocks[2]["text"]["text"],
        "✗ *deploy-prod* 1 run: 1 failed\n      ↳ Deploy / Ship failed 1 of 1 (JobFailed)"
    );
    assert!(
        blocks
            .iter()
            .any(|b| b["text"]["text"] == "<https://example.com/latest.html|Open the dashboard>"),
        "{stdout}"
    );
    assert!(message.get("channel").is_none());
}

#[test]
fn metrics_digest_post_needs_a_channel_and_a_token() {
    let dir = tempfile::tempdir().unwrap();
    write_rows(dir.path());
    let (code, _, stderr) = digest(dir.path(), &["--post"]);
    assert_eq!(code, 2, "clap refuses --post without --channel: {stderr}");
    assert!(stderr.contains("--channel"), "{stderr}");
    let (code, _, stderr) = digest(dir.path(), &["--post", "--channel", "#deploys"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("SLACK_BOT_TOKEN"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
