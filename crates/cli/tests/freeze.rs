//! A push during a change freeze, end to end on the embedded defaults: `invoke
//! commit-filter` on `events/commit-filter/push-during-freeze.json` with the sample rules
//! (`events/scheduler/rules.yaml`, weekend freeze on api-*) holds api-deploy in
//! `out/holds.json` instead of starting it; `holds list` shows the hold; `holds release`
//! records one start at the held commit and removes it. And the CLI's output to a closed
//! pipe ends quietly, never with a panic.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bin(cwd: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pipeline-router"));
    command.current_dir(cwd);
    command
}

fn run(command: &mut Command) -> (i32, String, String) {
    let output = command.output().unwrap_or_else(|e| panic!("run: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("git: {e}"));
    assert!(output.status.success(), "git {args:?} failed");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A `monorepo` whose second commit changes services/api; returns (before, after).
fn monorepo(dir: &Path) -> (String, String) {
    std::fs::create_dir_all(dir.join("services/api")).unwrap_or_else(|e| panic!("{e}"));
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.email", "dev@example.com"]);
    git(dir, &["config", "user.name", "Dev"]);
    std::fs::write(dir.join("README.md"), "hi\n").unwrap_or_else(|e| panic!("{e}"));
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "one"]);
    let before = git(dir, &["rev-parse", "HEAD"]);
    std::fs::write(dir.join("services/api/main.go"), "package main\n")
        .unwrap_or_else(|e| panic!("{e}"));
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "two"]);
    (before, git(dir, &["rev-parse", "HEAD"]))
}

#[test]
fn a_push_during_the_weekend_freeze_is_held_listed_and_released_at_its_commit() {
    let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cwd = folder.path();
    let repo = cwd.join("monorepo");
    let (before, after) = monorepo(&repo);
    let sample =
        std::fs::read_to_string(workspace().join("events/commit-filter/push-during-freeze.json"))
            .unwrap_or_else(|e| panic!("{e}"));
    let mut event: serde_json::Value =
        serde_json::from_str(&sample).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(event["time"], "2026-03-28T10:00:00Z", "a Saturday");
    event["detail"]["oldCommitId"] = serde_json::json!(before);
    event["detail"]["commitId"] = serde_json::json!(after);
    std::fs::write(cwd.join("event.json"), event.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let rules = workspace().join("events/scheduler/rules.yaml");

    let (code, stdout, stderr) = run(bin(cwd)
        .args([
            "invoke",
            "commit-filter",
            "--event",
            "event.json",
            "--repo",
            "monorepo",
            "--rules",
        ])
        .arg(&rules));
    assert_eq!(code, 0, "{stderr}");
    let output: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let api = &output["decisions"][0];
    assert_eq!(api["pipeline"], "api-deploy");
    assert_eq!(api["decision"], "frozen");
    assert_eq!(api["reason"], "freeze_hold");
    assert_eq!(api["freeze"], "weekend");
    // Monday 30 March 09:00 CEST, the next workday after the window (08:00 CEST).
    assert_eq!(api["release_at"], "2026-03-30T07:00:00Z");
    assert!(
        output["starts"].as_array().is_none_or(Vec::is_empty),
        "{stdout}"
    );
    assert!(stderr.contains("0 start(s) recorded"), "{stderr}");
    assert!(
        stderr.contains("1 hold(s) written to out/holds.json"),
        "{stderr}"
    );

    let (code, listed, stderr) = run(bin(cwd).args(["holds", "list"]));
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<&str> = listed.lines().collect();
    assert_eq!(rows.len(), 2, "{listed}");
    let columns: Vec<&str> = rows[1].split('\t').collect();
    assert_eq!(
        columns,
        [
            "api-deploy",
            "main",
            &after[..12],
            "1",
            "weekend",
            "2026-03-28T10:00:00Z",
            "2026-03-30T07:00:00Z"
        ]
    );

    let (code, released, stderr) = run(bin(cwd).args(["holds", "release", "api-deploy"]));
    assert_eq!(code, 0, "{stderr}");
    let released: serde_json::Value =
        serde_json::from_str(&released).unwrap_or_else(|e| panic!("{e}: {released}"));
    assert_eq!(released["outcome"], "released");
    assert_eq!(released["request"]["pipeline"], "api-deploy");
    assert_eq!(
        released["request"]["source_revision"]["commit_id"],
        after.as_str()
    );
    assert_eq!(
        released["request"]["source_revision"]["action_name"],
        "Source"
    );
    let (_, listed, _) = run(bin(cwd).args(["holds", "list"]));
    assert_eq!(listed.trim(), "no holds");
}

#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    // A year of the sample calendar is far more than a pipe buffer holds, so the CLI is
    // still writing when the reader goes away (as with `| head -1`).
    let mut child = bin(&workspace())
        .args([
            "calendar",
            "--rules",
            "events/scheduler/rules.yaml",
            "--days",
            "366",
        ])
        .args([
            "--from",
            "2026-01-01T00:00:00Z",
            "--holds",
            "no-such-holds.json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    let mut first = [0_u8; 16];
    if let Some(stdout) = child.stdout.as_mut() {
        stdout
            .read_exact(&mut first)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(&first[..10], b"2026-01-01");
}
