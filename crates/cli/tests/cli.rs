//! The `pipeline-router` binary as a user runs it: exit codes, what it prints, and clear
//! errors (never a panic) on bad rules, bad revisions and bad events; a push during a
//! change freeze held and released on the embedded defaults; output to a closed pipe.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pipeline-router"))
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn run(command: &mut Command) -> (i32, String, String) {
    let output = command.output().unwrap_or_else(|e| panic!("run: {e}"));
    let (stdout, stderr) = text(&output);
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
    assert!(output.status.success(), "git {args:?}: {}", text(&output).1);
    text(&output).0.trim().to_owned()
}

/// A repository called `monorepo` with two commits on main.
fn monorepo() -> (tempfile::TempDir, PathBuf, String, String) {
    let parent = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = parent.path().join("monorepo");
    std::fs::create_dir_all(dir.join("services/api")).unwrap_or_else(|e| panic!("{e}"));
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["config", "user.email", "dev@example.com"]);
    git(&dir, &["config", "user.name", "Dev"]);
    std::fs::write(dir.join("README.md"), "hi\n").unwrap_or_else(|e| panic!("{e}"));
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "one"]);
    let first = git(&dir, &["rev-parse", "HEAD"]);
    std::fs::write(dir.join("services/api/main.go"), "package main\n")
        .unwrap_or_else(|e| panic!("{e}"));
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "two"]);
    let second = git(&dir, &["rev-parse", "HEAD"]);
    (parent, dir, first, second)
}

#[test]
fn check_accepts_the_example_rules() {
    let (code, stdout, _) = run(bin()
        .arg("check")
        .arg(workspace().join("routing-rules.yaml")));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("ok (2 repositories, 7 pipelines)"),
        "{stdout}"
    );
}

#[test]
fn check_names_the_file_line_and_problem() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cases = [
        (
            "version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: p\n        paths: { include: [\"a/{b,c\"] }\n",
            ":6:",
            "missing `}`",
        ),
        (
            "version: 1\nrepositories:\n  - name: r\n    pipeline: []\n",
            ":4:",
            "unknown field `pipeline`",
        ),
        ("version: 1\nrepositories: [\n", ":", "rules.yaml"),
        ("", "", "missing field"),
    ];
    for (rules, location, problem) in cases {
        let file = dir.path().join("rules.yaml");
        std::fs::write(&file, rules).unwrap_or_else(|e| panic!("{e}"));
        let (code, _, stderr) = run(bin().arg("check").arg(&file));
        assert_eq!(code, 2, "{rules:?}");
        assert!(
            stderr.contains(&format!("rules.yaml{location}")),
            "{stderr}"
        );
        assert!(stderr.contains(problem), "{stderr}");
    }
    let (code, _, stderr) = run(bin().arg("check").arg(dir.path().join("absent.yaml")));
    assert_eq!(code, 2);
    assert!(stderr.contains("absent.yaml: cannot read"), "{stderr}");
}

#[test]
fn plan_prints_which_pipelines_start_and_why() {
    let (_keep, dir, first, second) = monorepo();
    let rules = workspace().join("routing-rules.yaml");
    let (code, stdout, stderr) = run(bin()
        .args(["plan", "--rules"])
        .arg(&rules)
        .arg("--repo")
        .arg(&dir)
        .args(["--from", &first, "--to", &second]));
    assert_eq!(code, 0, "{stderr}");
    let api = stdout
        .lines()
        .find(|l| l.starts_with("api-deploy "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(api.contains("start"), "{api}");
    assert!(
        api.contains("services/api/main.go (services/api/**)"),
        "{api}"
    );
    let web = stdout
        .lines()
        .find(|l| l.starts_with("web-deploy "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        web.contains("skip") && web.contains("no_matching_path"),
        "{web}"
    );

    let (code, stdout, _) = run(bin()
        .args(["plan", "--json", "--rules"])
        .arg(&rules)
        .arg("--repo")
        .arg(&dir)
        .args(["--from", "HEAD~1"]));
    assert_eq!(code, 0);
    let plan: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(plan["push"]["commit_id"], second.as_str());
    assert_eq!(plan["decisions"][0]["decision"], "start");
}

#[test]
fn plan_explains_bad_revisions_and_repositories() {
    let (_keep, dir, _, _) = monorepo();
    let rules = workspace().join("routing-rules.yaml");
    let (code, _, stderr) = run(bin()
        .args(["plan", "--rules"])
        .arg(&rules)
        .arg("--repo")
        .arg(&dir)
        .args(["--from", "no-such-commit"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`no-such-commit` is not a commit"),
        "{stderr}"
    );

    let elsewhere = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (code, _, stderr) = run(bin()
        .args(["plan", "--rules"])
        .arg(&rules)
        .arg("--repo")
        .arg(elsewhere.path()));
    assert_eq!(code, 2);
    assert!(stderr.contains("git"), "{stderr}");
}

#[test]
fn invoke_runs_the_handler_with_the_local_repository_and_records_starts() {
    let (_keep, dir, first, second) = monorepo();
    let template = std::fs::read_to_string(workspace().join("events/commit-filter/push-main.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut event: serde_json::Value =
        serde_json::from_str(&template).unwrap_or_else(|e| panic!("{e}"));
    event["detail"]["oldCommitId"] = serde_json::json!(first);
    event["detail"]["commitId"] = serde_json::json!(second);
    let event_file = dir
        .parent()
        .map(|p| p.join("event.json"))
        .unwrap_or_default();
    std::fs::write(&event_file, event.to_string()).unwrap_or_else(|e| panic!("{e}"));

    let (code, stdout, stderr) = run(bin()
        .args(["invoke", "commit-filter", "--event"])
        .arg(&event_file)
        .arg("--rules")
        .arg(workspace().join("routing-rules.yaml"))
        .arg("--repo")
        .arg(&dir));
    assert_eq!(code, 0, "{stderr}");
    let output: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(output["starts"][0]["pipeline"], "api-deploy");
    assert_eq!(output["starts"][0]["execution_id"], "local-1");
    assert!(
        stderr.contains("1 start(s) recorded, none sent"),
        "{stderr}"
    );
    // One JSON log line per pipeline decision.
    let decisions: Vec<serde_json::Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["message"] == "pipeline decision")
        .collect();
    assert_eq!(decisions.len(), 4, "{stderr}");
    assert_eq!(decisions[0]["pipeline"], "api-deploy");
    assert_eq!(decisions[0]["decision"], "start");
    assert_eq!(decisions[0]["reason"], "path_matched");
    assert_eq!(decisions[0]["matched"], "services/api/main.go");
}

#[test]
fn invoke_reports_malformed_events_without_panicking() {
    let (code, stdout, _) = run(bin()
        .args(["invoke", "commit-filter", "--event"])
        .arg(workspace().join("events/commit-filter/malformed.json"))
        .arg("--rules")
        .arg(workspace().join("routing-rules.yaml")));
    assert_eq!(code, 1);
    let error: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(error["errorType"], "MalformedEvent");

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let not_json = dir.path().join("event.json");
    std::fs::write(&not_json, "{ not json").unwrap_or_else(|e| panic!("{e}"));
    let (code, _, stderr) = run(bin()
        .args(["invoke", "commit-filter", "--event"])
        .arg(&not_json)
        .arg("--rules")
        .arg(workspace().join("routing-rules.yaml")));
    assert_eq!(code, 2);
    assert!(stderr.contains("is not valid JSON"), "{stderr}");
}

#[test]
fn invoke_subcommands_accept_only_their_own_flags() {
    let event = workspace().join("events/metrics-extractor/sqs-batch.json");
    for (function, foreign) in [
        ("metrics-extractor", "--aws"),
        ("metrics-extractor", "--rules"),
        ("approval-requester", "--signing-secret"),
        ("commit-filter", "--config"),
    ] {
        let (code, stdout, stderr) = run(bin()
            .args(["invoke", function, "--event"])
            .arg(&event)
            .args([foreign, "x"]));
        assert_eq!(code, 2, "{function} {foreign}: {stdout}");
        assert!(
            stderr.contains(&format!("unexpected argument '{foreign}'")),
            "{function} {foreign}: {stderr}"
        );
        assert!(stdout.is_empty(), "{stdout}");
    }
    // --repo reads a local diff, --aws reads CodeCommit's: not both.
    let (code, _, stderr) = run(bin()
        .args(["invoke", "commit-filter", "--aws", "--repo", ".", "--event"])
        .arg(workspace().join("events/commit-filter/push-main.json")));
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn plan_with_an_unknown_repository_name_lists_the_configured_names() {
    let (_keep, dir, first, second) = monorepo();
    let (code, stdout, stderr) = run(bin()
        .args(["plan", "--rules"])
        .arg(workspace().join("routing-rules.yaml"))
        .arg("--repo")
        .arg(&dir)
        .args(["--repository-name", "no-such-repo"])
        .args(["--from", &first, "--to", &second]));
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("`no-such-repo`"), "{stderr}");
    let rules = pipeline_router_cli::check(&workspace().join("routing-rules.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    for repository in &rules.repositories {
        assert!(stderr.contains(&repository.name), "{stderr}");
    }
}

#[test]
fn invoke_commit_filter_on_aws_reads_the_functions_environment() {
    // DIFF_PAGE_SIZE is the function's setting: --aws refuses a bad one as the Lambda does.
    let (code, stdout, stderr) = run(bin()
        .args(["invoke", "commit-filter", "--aws", "--event"])
        .arg(workspace().join("events/commit-filter/push-main.json"))
        .env("DIFF_PAGE_SIZE", "ten"));
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("DIFF_PAGE_SIZE"), "{stderr}");
}

#[test]
fn invoke_approval_functions_on_aws_read_the_functions_environment() {
    // --aws builds the Lambda's wiring: without its settings it stops, naming them.
    for (function, event) in [
        (
            "approval-requester",
            "events/approval-requester/approval-notification.json",
        ),
        (
            "approval-handler",
            "events/approval-handler/approve-click.json",
        ),
    ] {
        let (code, stdout, stderr) = run(bin()
            .args(["invoke", function, "--aws", "--event"])
            .arg(workspace().join(event))
            .env_remove("APPROVALS_CONFIG_PARAMETER")
            .env_remove("APPROVALS_CONFIG_FILE")
            .env_remove("SLACK_SIGNING_SECRET")
            .env("AWS_REGION", "us-east-1"));
        assert_eq!(code, 2, "{function}: {stdout}");
        assert!(
            stderr.contains("APPROVALS_CONFIG_PARAMETER"),
            "{function}: {stderr}"
        );
        assert!(stdout.is_empty(), "{function}: {stdout}");
    }
    // The local run's approvals file is not the Lambda's.
    let (code, _, stderr) = run(bin()
        .args([
            "invoke",
            "approval-requester",
            "--aws",
            "--config",
            "approvals.yaml",
        ])
        .arg("--event")
        .arg(workspace().join("events/approval-requester/approval-notification.json")));
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[tokio::test]
async fn the_aws_wiring_has_the_page_size_and_summary_topic_of_production() {
    let topic = "arn:aws:sns:us-east-1:123456789012:routing-summaries";
    let environment = move |name: &str| match name {
        "DIFF_PAGE_SIZE" => Some("25".to_owned()),
        "ROUTING_SUMMARY_TOPIC_ARN" => Some(topic.to_owned()),
        _ => None,
    };
    let aws = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .build();
    let rules = workspace().join("routing-rules.yaml");
    let function = pipeline_router_cli::commands::invoke::commit_filter::aws_function(
        Some(&rules),
        environment,
        &aws,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(function.source.page_size(), Some(25));
    match &function.publisher {
        commit_filter::aws::MaybeSns::Sns(sns) => assert_eq!(sns.topic_arn(), topic),
        commit_filter::aws::MaybeSns::Off => panic!("no summary topic"),
    }
    assert!(function.rules.repository("monorepo").is_some());

    // Without the variables, as in production: no page size, no summaries.
    let function = pipeline_router_cli::commands::invoke::commit_filter::aws_function(
        Some(&rules),
        |_| None,
        &aws,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(function.source.page_size(), None);
    assert!(matches!(
        function.publisher,
        commit_filter::aws::MaybeSns::Off
    ));
}

/// A push during a change freeze, end to end on the embedded defaults: `invoke
/// commit-filter` on `events/commit-filter/push-during-freeze.json` with the sample rules
/// (`events/scheduler/rules.yaml`, weekend freeze on api-*) holds api-deploy in
/// `out/holds.json` instead of starting it; `holds list` shows the hold; `holds release`
/// records one start at the held commit and removes it.
#[test]
fn a_push_during_the_weekend_freeze_is_held_listed_and_released_at_its_commit() {
    let (_keep, repo, before, after) = monorepo();
    let cwd = repo.parent().unwrap_or_else(|| panic!("no parent"));
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

    let (code, stdout, stderr) = run(bin()
        .current_dir(cwd)
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

    let (code, listed, stderr) = run(bin().current_dir(cwd).args(["holds", "list"]));
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

    let (code, released, stderr) =
        run(bin()
            .current_dir(cwd)
            .args(["holds", "release", "api-deploy"]));
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
    let (_, listed, _) = run(bin().current_dir(cwd).args(["holds", "list"]));
    assert_eq!(listed.trim(), "no holds");
}

#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    // A year of the sample calendar is far more than a pipe buffer holds, so the CLI is
    // still writing when the reader goes away (as with `| head -1`).
    let mut child = bin()
        .current_dir(workspace())
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
