//! The digest's limits as Slack receives them (60 failing pipelines in at most 50
//! blocks), and `metrics digest --post` and `invoke metrics-reporter --post` from a folder
//! to the local Slack server.

use super::*;

use aws_adapters::metrics_reporter::{S3ReportSink, S3RowSource};
use integration_tests::slack::SlackServer;
use metrics_reporter::ReporterFunction;
use pipeline_metrics::reporter::{NoHolds, Reporter, ReporterConfig};
use pipeline_router_cli::commands::invoke::EventFile;
use pipeline_router_cli::commands::invoke::metrics_reporter::MetricsReporterArgs;
use pipeline_router_cli::holds_file::FileHoldStore;
use pipeline_router_cli::metrics::{DigestArgs, RowStore, run_digest};
use pipeline_schedules::HoldStore;

use super::reporter::{
    DASHBOARD, block_texts, bucket_with, handle, reporter_history, slack_poster,
};

/// 60 pipelines with the longest names CodePipeline allows (100 characters), each with
/// one failed run whose 5 test actions failed.
fn sixty_failing_pipelines() -> Vec<String> {
    let mut h = History::new();
    for i in 0..60 {
        let p = format!("service-{i:02}-{}", "x".repeat(89));
        let (start, end) = ("2026-03-03T10:00:00Z", "2026-03-03T10:30:00Z");
        h.pipeline(&p, "X1", "STARTED", start, start);
        for a in 0..5 {
            h.action(
                &p,
                "X1",
                "IntegrationTests",
                &format!("Suite{a}-against-staging-eu-west-1"),
                "Test",
                "CodeBuild",
                "FAILED",
                end,
                json!({"external-execution-summary": "tests failed", "error-code": "JobFailed"}),
            );
        }
        h.pipeline(&p, "X1", "FAILED", end, start);
    }
    h.events
}

#[tokio::test]
async fn sixty_failing_pipelines_reach_slack_within_its_limits() {
    let bucket = bucket_with(&sixty_failing_pipelines()).await;
    let slack = SlackServer::start().await;
    let s3 = sdk::s3(&moto::endpoint());
    let function = ReporterFunction {
        reporter: Reporter {
            rows: S3RowSource::new(s3.clone(), bucket.clone(), PREFIX.to_owned()),
            sink: S3ReportSink::new(s3, bucket),
            poster: slack_poster(&slack),
            holds: NoHolds,
            config: ReporterConfig {
                report: ReportConfig::default(),
                period_days: 30,
                channel: Some("C0DIGEST".to_owned()),
                dashboard_url: None,
            },
        },
    };
    let response = handle(&function, json!({"day": "2026-03-03"})).await;
    assert_eq!(response.rows, 60 * 7);

    let posted = slack.calls("chat.postMessage");
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0]["channel"], "C0DIGEST");
    assert_eq!(
        posted[0]["text"],
        "Pipeline metrics for 2026-03-03: 60 runs in 60 pipelines, 60 failed (in 60 pipelines)."
    );
    let blocks = posted[0]["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50, "{} blocks", blocks.len());
    for block in blocks {
        let text = block
            .pointer("/text/text")
            .and_then(Value::as_str)
            .unwrap_or("");
        let max = if block["type"] == "header" { 150 } else { 3000 };
        assert!(
            text.chars().count() <= max,
            "{} chars in {}",
            text.chars().count(),
            block["type"]
        );
        assert!(
            block
                .get("fields")
                .and_then(Value::as_array)
                .is_none_or(|f| f.len() <= 10)
        );
    }
    let all = block_texts(blocks).join("\n");
    let shown = all.matches("✗ *service-").count();
    let more: usize = all
        .lines()
        .find_map(|l| l.strip_prefix("... and ")?.strip_suffix(" more pipelines"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no '... and N more pipelines' in\n{all}"));
    assert!(shown > 0 && more > 0);
    assert_eq!(shown + more, 60);
    assert!(
        all.contains(
            "↳ IntegrationTests / Suite0-against-staging-eu-west-1 failed 1 of 1 (JobFailed)"
        ),
        "{all}"
    );
    assert!(all.contains("↳ ... and 2 more failing actions"), "{all}");
}

/// A folder holding the reporter history's rows, and a holds file in it with deploy-prod
/// held by the weekend freeze; returns the folder and the file.
async fn folder_with_rows_and_a_hold() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let writer = FolderWriter::new(dir.path());
    for object in super::reporter::objects(&reporter_history()) {
        use pipeline_metrics::ports::ObjectWriter;
        writer.put(&object.key, object.bytes).await.unwrap();
    }
    let holds = dir.path().join("holds.json");
    let store = FileHoldStore::new(&holds);
    let hold: pipeline_schedules::Hold = serde_json::from_value(json!({
        "repository": "monorepo", "pipeline": "deploy-prod", "branch": "main",
        "commit_id": super::reporter::C2, "source_action": "Source", "pushes": 1,
        "recent_commits": [super::reporter::C2], "pushed_by": null,
        "held_since": "2026-03-06T17:00:00Z", "release_at": "2026-03-09T08:00:00Z",
        "freeze": "weekend", "updated_at": "2026-03-06T17:00:00Z"
    }))
    .unwrap();
    store.put_newest(hold).await.unwrap();
    (dir, holds)
}

#[tokio::test]
async fn metrics_digest_posts_the_folder_digest_to_slack() {
    let (dir, holds) = folder_with_rows_and_a_hold().await;
    let slack = SlackServer::start().await;
    let args = DigestArgs {
        store: RowStore {
            dir: dir.path().to_owned(),
            bucket: None,
            prefix: PREFIX.to_owned(),
        },
        day: Some(jiff::civil::date(2026, 3, 3)),
        production_pipelines: vec!["deploy-prod".to_owned()],
        period_days: 1,
        title: "Team digest".to_owned(),
        dashboard_url: Some(DASHBOARD.to_owned()),
        holds: Some(holds),
        json: true,
        post: true,
        channel: Some("#deploys".to_owned()),
        slack_token: Some(super::reporter::BOT_TOKEN.to_owned()),
        slack_api_url: slack.api_url(),
    };
    run_digest(args).await.unwrap();
    let posts = slack.requests();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].path, "/api/chat.postMessage");
    assert_eq!(
        posts[0].authorization.as_deref(),
        Some(format!("Bearer {}", super::reporter::BOT_TOKEN).as_str())
    );
    let body = &posts[0].body;
    assert_eq!(body["channel"], "#deploys");
    assert_eq!(
        body["text"],
        "Team digest for 2026-03-03: 3 runs in 2 pipelines, 1 failed (in 1 pipeline); 1 push held by freezes."
    );
    let all = block_texts(body["blocks"].as_array().unwrap()).join("\n");
    for expected in [
        "Team digest · 2026-03-03",
        "↳ Deploy / DeployToProd failed 1 of 2 (JobFailed)",
        "*Lead time for changes*\n3h 15m · High\n↑ +2h 45m, worse · Elite → High",
        "• *deploy-prod* @ main: freeze weekend, releases 2026-03-09 08:00 UTC (1 push)",
        "Open the dashboard",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in\n{all}");
    }
    assert!(!all.contains("ancient-pipeline"));
}

/// `invoke metrics-reporter --post`: the function's handler over the folder (rows from its
/// partitions, pages to its `reports/`), the digest sent to the local Slack.
#[tokio::test]
async fn invoke_metrics_reporter_posts_the_digest_and_writes_the_pages_in_the_folder() {
    let (dir, holds) = folder_with_rows_and_a_hold().await;
    let event = dir.path().join("rerun.json");
    std::fs::write(&event, r#"{"day": "2026-03-03"}"#).unwrap();
    let slack = SlackServer::start().await;
    let args = MetricsReporterArgs {
        event: EventFile { path: event },
        dir: dir.path().to_owned(),
        prefix: PREFIX.to_owned(),
        production_pipelines: vec!["deploy-prod".to_owned()],
        period_days: 1,
        holds,
        channel: Some("#deploys".to_owned()),
        post: true,
        slack_token: Some(super::reporter::BOT_TOKEN.to_owned()),
        slack_api_url: slack.api_url(),
        aws: false,
    };
    assert_eq!(args.run().await.unwrap(), std::process::ExitCode::SUCCESS);
    let posted = slack.calls("chat.postMessage");
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0]["channel"], "#deploys");
    assert_eq!(
        posted[0]["text"],
        "Pipeline metrics for 2026-03-03: 3 runs in 2 pipelines, 1 failed (in 1 pipeline); 1 push held by freezes."
    );
    let latest = std::fs::read_to_string(dir.path().join("reports/latest.html")).unwrap();
    let day = std::fs::read_to_string(dir.path().join("reports/2026-03-03.html")).unwrap();
    assert_eq!(latest, day);
    assert!(latest.contains("deploy-prod") && !latest.contains("ancient-pipeline"));
}
