//! `pipeline-router invoke metrics-reporter` as a user runs it with no AWS account: after
//! `invoke metrics-extractor` wrote the sample batch's rows to `./out/metrics`, the
//! scheduled sample reports on 2026-03-14 into `./out/metrics/reports/`, and the digest
//! is printed (not sent) when a channel is given; its flags are its own.
#![allow(clippy::unwrap_used)] // test set-up: a failure here is a test failure

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn sample(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(path)
}

/// Runs the binary in `cwd`: exit code, stdout, stderr.
fn run(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_pipeline-router"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SLACK_BOT_TOKEN")
        .env_remove("SLACK_API_URL")
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

/// A folder where `invoke metrics-extractor` has written the sample batch's rows.
fn folder_with_rows() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let batch = sample("metrics-extractor/sqs-batch.json");
    let (code, stdout, stderr) = run(
        dir.path(),
        &[
            "invoke",
            "metrics-extractor",
            "--event",
            batch.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        dir.path()
            .join("out/metrics/pipeline-events/dt=2026-03-14")
            .is_dir()
    );
    dir
}

fn invoke_reporter(cwd: &Path, event: &str, extra: &[&str]) -> (i32, String, String) {
    let event = sample(event);
    let mut args = vec![
        "invoke",
        "metrics-reporter",
        "--event",
        event.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(cwd, &args)
}

#[test]
fn the_scheduled_sample_writes_both_reports_of_the_day_and_prints_the_digest() {
    let dir = folder_with_rows();
    let (code, stdout, stderr) = invoke_reporter(
        dir.path(),
        "metrics-reporter/scheduled.json",
        &[
            "--channel",
            "#deploys",
            "--production-pipeline",
            "web-app-prod",
        ],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let response: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(response["day"], "2026-03-14", "{response}");
    assert_eq!(response["rows"], 3, "the three rows of the sample batch");
    assert_eq!(
        response["written"],
        serde_json::json!(["reports/latest.html", "reports/2026-03-14.html"])
    );
    assert_eq!(response["posted_to"], "#deploys");

    let reports = dir.path().join("out/metrics/reports");
    let latest = std::fs::read_to_string(reports.join("latest.html")).unwrap();
    let day = std::fs::read_to_string(reports.join("2026-03-14.html")).unwrap();
    assert_eq!(latest, day);
    assert!(latest.starts_with("<!DOCTYPE html>"));
    assert!(latest.contains("web-app-prod"));
    assert!(
        stderr.contains("wrote ./out/metrics/reports/latest.html"),
        "{stderr}"
    );

    // The digest, printed as the chat.postMessage body it would send.
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("slack (not sent): chat.postMessage "))
        .unwrap_or_else(|| panic!("no digest on stderr:\n{stderr}"));
    let message: Value = serde_json::from_str(line).unwrap();
    assert_eq!(message["channel"], "#deploys");
    assert_eq!(
        message["text"],
        "Pipeline metrics for 2026-03-14: 1 run in 1 pipeline, 0 failed."
    );
    assert!(stderr.contains("digest to #deploys (not sent)"), "{stderr}");
}

#[test]
fn without_a_channel_no_digest_and_a_re_run_reports_the_day_given() {
    let dir = folder_with_rows();
    let (code, stdout, stderr) =
        invoke_reporter(dir.path(), "metrics-reporter/rerun-day.json", &[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let response: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(response["day"], "2026-03-14");
    assert_eq!(response["posted_to"], Value::Null);
    assert!(
        stderr.contains(r#""decision":"digest_skipped""#),
        "{stderr}"
    );
    assert!(!stderr.contains("slack (not sent)"), "{stderr}");
    assert!(
        dir.path()
            .join("out/metrics/reports/2026-03-14.html")
            .is_file()
    );
}

#[test]
fn a_malformed_event_is_the_lambda_error_and_the_flags_are_its_own() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), r#"{"time": "2026-03-15"}"#).unwrap();
    let (code, stdout, _) = run(
        dir.path(),
        &["invoke", "metrics-reporter", "--event", "bad.json"],
    );
    assert_eq!(code, 1);
    let error: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(error["errorType"], "MalformedEvent");

    let event = sample("metrics-reporter/scheduled.json");
    let event = event.to_str().unwrap();
    for (flags, why) in [
        (
            vec!["--post"],
            "--post needs --channel (the token too, checked after)",
        ),
        (vec!["--repo", "."], "--repo is commit-filter's"),
        (vec!["--aws", "--dir", "x"], "--aws reads the bucket"),
    ] {
        let mut args = vec!["invoke", "metrics-reporter", "--event", event];
        args.extend(flags);
        let (code, _, stderr) = run(dir.path(), &args);
        assert_eq!(code, 2, "{why}: {stderr}");
    }
    // --post with a channel but no token: a clear error, nothing written.
    let (code, _, stderr) = run(
        dir.path(),
        &[
            "invoke",
            "metrics-reporter",
            "--event",
            event,
            "--post",
            "--channel",
            "#deploys",
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("SLACK_BOT_TOKEN"), "{stderr}");
    assert!(!dir.path().join("out/metrics/reports").exists());
}

#[test]
fn with_aws_it_reads_the_functions_environment() {
    let dir = tempfile::tempdir().unwrap();
    let event = sample("metrics-reporter/scheduled.json");
    let output = Command::new(env!("CARGO_BIN_EXE_pipeline-router"))
        .args(["invoke", "metrics-reporter", "--aws", "--event"])
        .arg(&event)
        .current_dir(dir.path())
        .env_remove("METRICS_BUCKET")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("METRICS_BUCKET must name the metrics bucket"),
        "{stderr}"
    );
}
