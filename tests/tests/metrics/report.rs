//! `metrics report` on a folder, against hand-computed numbers.

use super::*;

const C1: &str = "1111111111111111111111111111111111111111";
const C2: &str = "2222222222222222222222222222222222222222";

/// build-app B1 builds C1 on 03-02; deploy-prod deploys C1 (P1), fails then deploys C2
/// (P2, P3, 03-03) and deploys without a commit (P4, 03-04).
fn small_history() -> Vec<String> {
    let mut h = History::new();
    let t = |s: &str| format!("2026-03-{s}Z");
    let runs = [
        (
            "build-app",
            "B1",
            "02T09:00:00",
            Some(C1),
            "SUCCEEDED",
            "02T09:10:00",
        ),
        (
            "deploy-prod",
            "P1",
            "02T09:20:00",
            Some(C1),
            "SUCCEEDED",
            "02T09:50:00",
        ),
        (
            "deploy-prod",
            "P2",
            "03T10:00:00",
            Some(C2),
            "FAILED",
            "03T10:20:00",
        ),
        (
            "deploy-prod",
            "P3",
            "03T12:00:00",
            Some(C2),
            "SUCCEEDED",
            "03T12:30:00",
        ),
        (
            "deploy-prod",
            "P4",
            "04T08:00:00",
            None,
            "SUCCEEDED",
            "04T08:40:00",
        ),
    ];
    for (pipeline, exec, start, commit, state, end) in runs {
        h.run(pipeline, exec, &t(start), commit, state, &t(end));
    }
    h.events
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
        "Executions: 5 (succeeded 4, failed 1, stopped 0, superseded 0, in progress 0, unknown state 0)",
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
    // Failed deployment recovery: P2 failed 10:20, P3 succeeded 12:30 -> 2h 10m (high).
    // Change failure rate: 1 failed of 4 completed = 25.0% (high).
    for part in [
        "1.00/day  elite",
        "(7.0 per week; 3 deployments in 3 days)",
        "50m 00s  elite",
        "(median of 3 deployments)",
        "2h 10m  high",
        "(median of 1 recovery; 0 unrecovered)",
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
