//! The dashboard opened in headless Chromium.

use super::*;

// the dashboard in a browser

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

    // `docs/dashboard.png` is a screenshot of `docs/dashboard.html`, which must be the page
    // this history gives today: a change to the dashboard fails here until both are
    // refreshed. `UPDATE_DASHBOARD_PNG=1` refreshes them, and the sample history that
    // `scripts/demo.sh` builds its dashboard from.
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let page = std::fs::read_to_string(&html).unwrap();
    if std::env::var("UPDATE_DASHBOARD_PNG").is_ok_and(|v| v == "1") {
        std::fs::write(docs.join("dashboard.html"), &page).unwrap();
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
        let png = docs.join("dashboard.png");
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
    let shown = std::fs::read_to_string(docs.join("dashboard.html")).unwrap_or_default();
    assert!(
        shown == page,
        "docs/dashboard.png shows an older dashboard than this code renders: refresh it with \
         `UPDATE_DASHBOARD_PNG=1 cargo test -p integration-tests --test metrics \
         the_dashboard_renders` (scripts/test.sh's environment: moto, chromium)"
    );
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
