//! The digest against hand-checked figures of the fixture history
//! (`metrics::history::history`), with one-day periods: the day is 2026-03-03, the
//! previous period 2026-03-02.
//!
//! 2026-03-03: deploy-prod P3 FAILED 09:20 (DeployToProd failed, JobFailed), P4
//! SUCCEEDED 11:15 (commit c4, first built by B2 at 10:40); build B2 SUCCEEDED after a
//! failed UnitTests and a resume. So 3 runs in 2 pipelines, 1 failed (deploy-prod).
//! DORA on 03-03: 1 deployment in 1 day = 1.00/day (Elite); lead time 10:40 -> 11:15 =
//! 35m 00s (Elite); restore 09:20 -> 11:15 = 1h 55m (High); failure rate 1 of 2 = 50.0%
//! (Low).
//! DORA on 03-02: P1 SUCCEEDED 10:10 (c1 first built by B1 at 09:30: 40m 00s), P2 FAILED
//! 14:05 and not restored that day: 1.00/day (Elite), 40m 00s (Elite), no restore (No
//! data), 50.0% (Low).

use super::*;
use crate::dashboard::ReportConfig;
use crate::metrics::DoraConfig;
use crate::metrics::history::{History, PROD, history};
use jiff::civil::date;

fn report(rows: &[crate::row::Row], first: Date, last: Date, max_actions: usize) -> Report {
    Report::build(
        rows,
        &ReportConfig {
            dora: DoraConfig {
                production_pipelines: [PROD.to_owned()].into(),
                period: None,
            },
            period: Some((first, last)),
            max_actions,
            ..ReportConfig::default()
        },
    )
}

fn hold() -> WaitingHold {
    WaitingHold {
        pipeline: PROD.to_owned(),
        branch: "main".to_owned(),
        freeze: "year-end <freeze>".to_owned(),
        release_at: "2027-01-04T08:00:00Z".parse().unwrap(),
        pushes: 3,
    }
}

fn digest() -> Digest {
    let rows = history().rows;
    let day = date(2026, 3, 3);
    let yesterday = report(&rows, day, day, usize::MAX);
    let period = report(&rows, day, day, 15);
    let previous = report(&rows, date(2026, 3, 2), date(2026, 3, 2), 15);
    let holds = [hold()];
    Digest::build(&DigestInput {
        day,
        yesterday: &yesterday,
        period: &period,
        previous: Some(&previous),
        holds: Some(&holds),
        dashboard_url: Some("https://example.com/reports/latest.html"),
    })
}

fn texts(blocks: &[Value]) -> Vec<String> {
    blocks
        .iter()
        .flat_map(|b| {
            let mut t: Vec<String> = b
                .pointer("/text/text")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .into_iter()
                .collect();
            for key in ["fields", "elements"] {
                if let Some(items) = b.get(key).and_then(Value::as_array) {
                    t.extend(
                        items
                            .iter()
                            .filter_map(|f| f.get("text").and_then(Value::as_str))
                            .map(str::to_owned),
                    );
                }
            }
            t
        })
        .collect()
}

#[test]
fn yesterday_runs_failures_and_top_failing_actions() {
    let d = digest();
    assert_eq!(d.runs.total(), 3);
    assert_eq!(d.runs.failed, 1);
    assert_eq!(d.failing_pipelines(), 1);
    let names: Vec<&str> = d.pipelines.iter().map(|p| p.pipeline.as_str()).collect();
    assert_eq!(names, ["deploy-prod", "build"], "failing pipelines first");
    let prod = &d.pipelines[0];
    assert_eq!((prod.counts.succeeded, prod.counts.failed), (1, 1));
    assert_eq!(
        prod.failing_actions,
        [FailingAction {
            name: "Deploy / DeployToProd".to_owned(),
            failed: 1,
            decided: 2,
            error_code: Some("JobFailed".to_owned()),
        }]
    );
    // build's run succeeded after UnitTests failed once: the action still shows.
    assert_eq!(d.pipelines[1].counts.succeeded, 1);
    assert_eq!(d.pipelines[1].failing_actions[0].name, "Test / UnitTests");
    assert_eq!(
        d.fallback_text(),
        "Pipeline metrics for 2026-03-03: 3 runs in 2 pipelines, 1 failed (in 1 pipeline); 1 push held by freezes."
    );
}

#[test]
fn dora_tiles_with_tiers_and_change() {
    let d = digest();
    let dora = d.dora.as_ref().unwrap();
    assert_eq!(dora.period, (date(2026, 3, 3), date(2026, 3, 3)));
    assert_eq!(
        dora.previous_period,
        Some((date(2026, 3, 2), date(2026, 3, 2)))
    );
    let shown: Vec<(&str, &str, Option<&str>)> = dora
        .lines
        .iter()
        .map(|l| {
            (
                l.value.as_str(),
                l.tier.as_str(),
                l.change.as_ref().map(|c| c.delta.as_str()),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("1.00/day", "Elite", Some("no change")),
            ("35m 00s", "Elite", Some("-5m 00s")),
            ("1h 55m", "High", None),
            ("50.0%", "Low", Some("no change")),
        ]
    );
    let lead = &dora.lines[1];
    assert_eq!(
        lead.change.as_ref().map(|c| (c.direction, c.better)),
        Some((Direction::Down, Some(true)))
    );
    let restore = &dora.lines[2];
    assert_eq!(restore.previous_value, "-");
    assert_eq!(restore.tier_change().as_deref(), Some("No data → High"));
    assert_eq!(lead.tier_change(), None);
}

#[test]
fn blocks_show_the_figures_the_hold_and_the_link() {
    let d = digest();
    let blocks = d.blocks();
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[0]["text"]["text"], "Pipeline metrics · 2026-03-03");
    let all = texts(&blocks).join("\n");
    for expected in [
        "*Tue 2026-03-03* (UTC): 3 runs in 2 pipelines, 1 failed (in 1 pipeline)",
        "✗ *deploy-prod* 2 runs: 1 succeeded, 1 failed\n      ↳ Deploy / DeployToProd failed 1 of 2 (JobFailed)",
        "✓ *build* 1 run: 1 succeeded",
        "*Lead time for changes*\n35m 00s · Elite\n↓ -5m 00s, better",
        "1h 55m · High\nwas - · No data → High",
        // The freeze's name is escaped for mrkdwn.
        "• *deploy-prod* @ main: freeze year-end &lt;freeze&gt;, releases 2027-01-04 08:00 UTC (3 pushes)",
        "<https://example.com/reports/latest.html|Open the dashboard>",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in\n{all}");
    }
    let fields = blocks
        .iter()
        .find_map(|b| b.get("fields").and_then(Value::as_array))
        .unwrap();
    assert_eq!(fields.len(), 4);
    let message = d.message("#deploys");
    assert_eq!(message["channel"], "#deploys");
    assert_eq!(message["text"], d.fallback_text());
    assert_eq!(message["blocks"], Value::Array(blocks));
}

#[test]
fn plain_text_says_the_same() {
    let text = digest().render_text();
    for expected in [
        "Pipeline metrics · 2026-03-03\n",
        "✗ deploy-prod 2 runs: 1 succeeded, 1 failed\n      ↳ Deploy / DeployToProd failed 1 of 2 (JobFailed)\n",
        "DORA (deploy-prod), 2026-03-03 to 2026-03-03, change since 2026-03-02 to 2026-03-02\n",
        "  Lead time for changes  35m 00s · Elite  ↓ -5m 00s, better\n",
        "• deploy-prod @ main: freeze year-end <freeze>, releases 2027-01-04 08:00 UTC (3 pushes)\n",
        "Dashboard: https://example.com/reports/latest.html\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn no_runs_no_holds_no_dora() {
    let empty = Report::build(&[], &ReportConfig::default());
    let d = Digest::build(&DigestInput {
        day: date(2026, 3, 3),
        yesterday: &empty,
        period: &empty,
        previous: None,
        holds: None,
        dashboard_url: None,
    });
    assert_eq!(
        d.fallback_text(),
        "Pipeline metrics for 2026-03-03: no runs."
    );
    let all = texts(&d.blocks()).join("\n");
    assert!(
        all.contains("DORA*: no production pipelines configured"),
        "{all}"
    );
    assert!(all.contains("Held pushes: not available."), "{all}");
    assert!(!all.contains("Open the dashboard"), "{all}");
}

/// 60 pipelines that each failed with 5 failing actions, 40 holds, long names: the
/// message stays within Slack's limits and says what it left out.
#[test]
fn sixty_pipelines_stay_within_slack_limits() {
    let mut h = History::new();
    let t = "2026-03-03T10:00:00Z";
    let end = "2026-03-03T10:30:00Z";
    for i in 0..60 {
        // CodePipeline names are at most 100 characters.
        let p = format!("service-{i:02}-{}", "x".repeat(89));
        h.pipeline(&p, "X1", t, t, "STARTED", 1);
        for a in 0..5 {
            let action = format!("Suite{a}-against-staging-eu-west-1");
            h.action(&p, "X1", "IntegrationTests", &action, end, "FAILED");
        }
        h.pipeline(&p, "X1", t, end, "FAILED", 1);
    }
    let day = date(2026, 3, 3);
    let yesterday = report(&h.rows, day, day, usize::MAX);
    let period = report(&h.rows, day, day, 15);
    let holds: Vec<WaitingHold> = (0..40)
        .map(|i| WaitingHold {
            pipeline: format!("service-{i:02}-{}", "y".repeat(80)),
            ..hold()
        })
        .collect();
    let d = Digest::build(&DigestInput {
        day,
        yesterday: &yesterday,
        period: &period,
        previous: None,
        holds: Some(&holds),
        dashboard_url: None,
    });
    assert_eq!(d.pipelines.len(), 60);
    assert_eq!(
        d.pipelines[0].failing_actions.len(),
        MAX_ACTIONS_PER_PIPELINE
    );
    assert_eq!(d.pipelines[0].more_actions, 2);
    let blocks = d.blocks();
    assert!(blocks.len() <= MAX_BLOCKS, "{} blocks", blocks.len());
    for b in &blocks {
        if let Some(text) = b.pointer("/text/text").and_then(Value::as_str) {
            let max = if b["type"] == "header" {
                MAX_HEADER_CHARS
            } else {
                MAX_SECTION_CHARS
            };
            assert!(
                text.chars().count() <= max,
                "{} chars",
                text.chars().count()
            );
        }
        if let Some(fields) = b.get("fields").and_then(Value::as_array) {
            assert!(fields.len() <= MAX_FIELDS);
        }
    }
    let all = texts(&blocks).join("\n");
    let more_pipelines = all
        .lines()
        .find_map(|l| l.strip_prefix("... and ")?.strip_suffix(" more pipelines"))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("no '... and N more pipelines' in\n{all}"));
    let shown = all.matches("✗ *service-").count();
    assert_eq!(shown + more_pipelines, 60);
    assert!(all.contains("... and 2 more failing actions"), "{all}");
    assert!(all.contains(" more holds"), "{all}");
}

#[test]
fn packing_keeps_entries_whole_and_counts_the_rest() {
    let entries: Vec<String> = (0..10).map(|i| format!("{i}{}", "a".repeat(999))).collect();
    let sections = packed_sections(&entries, 2, "things");
    assert_eq!(sections.len(), 2);
    assert!(
        sections
            .iter()
            .all(|s| s.chars().count() <= MAX_SECTION_CHARS)
    );
    assert_eq!(sections[0].lines().count(), 2);
    assert!(
        sections[1].ends_with("\n... and 6 more things"),
        "{}",
        sections[1]
    );
    assert_eq!(packed_sections(&[], 2, "things"), Vec::<String>::new());
    assert_eq!(truncate("abcdef", 4), "abc…");
}
