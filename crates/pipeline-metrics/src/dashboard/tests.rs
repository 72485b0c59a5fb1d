use super::charts::{nice_ceiling, nice_duration_ceiling};
use super::*;
use crate::metrics::history::{PROD, history};
use jiff::civil::date;

fn config() -> ReportConfig {
    ReportConfig {
        title: "Team <A> & co".to_owned(),
        dora: DoraConfig {
            production_pipelines: [PROD.to_owned()].into(),
            period: None,
        },
        ..ReportConfig::default()
    }
}

#[test]
fn html_contains_every_chart_and_tile() {
    let report = Report::build(&history().rows, &config());
    let html = render_html(&report);
    for id in CHART_IDS {
        assert!(
            html.contains(&format!(r#"<svg id="{id}" class="chart""#)),
            "{id}"
        );
    }
    for id in DORA_TILE_IDS {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    assert_eq!(html.matches("<svg ").count(), CHART_IDS.len());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn html_is_self_contained_and_escaped() {
    let html = render_html(&Report::build(&history().rows, &config()));
    assert!(html.contains("<title>Team &lt;A&gt; &amp; co</title>"));
    assert!(!html.contains("<A>"));
    for forbidden in [
        "<script src",
        "<link",
        "http://",
        "https://",
        "@import",
        "url(",
    ] {
        let allowed = forbidden == "http://"
            && html.matches("http://").count()
                == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
        assert!(allowed || !html.contains(forbidden), "{forbidden}");
    }
}

#[test]
fn html_shows_the_numbers() {
    let html = render_html(&Report::build(&history().rows, &config()));
    // Tiers from the hand-computed DORA test: high, elite, high, medium.
    assert!(html.contains(r#"<div id="dora-deployment-frequency" class="tile tier-high">"#));
    assert!(html.contains(r#"<div id="dora-lead-time" class="tile tier-elite">"#));
    assert!(html.contains(r#"<div id="dora-time-to-restore" class="tile tier-high">"#));
    assert!(html.contains(r#"<div id="dora-change-failure-rate" class="tile tier-medium">"#));
    assert!(html.contains("0.75/day"));
    assert!(html.contains("35m 00s"), "lead time 2100 s");
    assert!(html.contains("21h 10m"), "recovery 76200 s");
    assert!(html.contains("40.0%"), "change failure rate");
    // Stacked bars: 03-02 has 2 succeeded and 1 failed.
    assert!(html.contains("<title>2026-03-02 Succeeded: 2</title>"));
    assert!(html.contains("<title>2026-03-02 Failed: 1</title>"));
    // Failure rate bar of the hotspot.
    assert!(html.contains("deploy-prod / Deploy / DeployToProd: 2 failed of 5"));
}

#[test]
fn html_without_data_still_has_every_chart() {
    let report = Report::build(&[], &ReportConfig::default());
    let html = render_html(&report);
    for id in CHART_IDS {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    assert!(html.contains("No production pipelines configured"));
    assert!(render_text(&report).contains("Executions: 0"));
}

#[test]
fn a_period_limits_every_number() {
    let config = ReportConfig {
        period: Some((date(2026, 3, 3), date(2026, 3, 3))),
        ..config()
    };
    let report = Report::build(&history().rows, &config);
    // 03-03: P3 failed, B2 succeeded after a retry, P4 succeeded.
    let ids: Vec<&str> = report
        .executions
        .iter()
        .map(|e| e.execution_id.as_str())
        .collect();
    assert_eq!(ids, ["P3", "B2", "P4"]);
    let dora = report.dora.unwrap();
    assert_eq!(
        (dora.period_start, dora.period_end),
        (date(2026, 3, 3), date(2026, 3, 3))
    );
    // P3 failed, P4 succeeded: 1 of 2.
    assert_eq!(dora.change_failure_rate.value, Some(0.5));
}

#[test]
fn output_is_deterministic() {
    let rows = history().rows;
    let a = render_html(&Report::build(&rows, &config()));
    let b = render_html(&Report::build(&rows, &config()));
    assert_eq!(a, b);
}

#[test]
fn text_summary() {
    let text = render_text(&Report::build(&history().rows, &config()));
    assert!(text.contains("Period: 2026-03-02 to 2026-03-05"), "{text}");
    assert!(text.contains("Events: "), "{text}");
    assert!(text.contains("(2 duplicates ignored)"), "{text}");
    assert!(
        text.contains(
            "Executions: 10 (succeeded 5, failed 2, stopped 1, superseded 1, in progress 1, unknown state 0)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "deploy-prod / Deploy / DeployToProd  failed 2 of 5 (40.0%)  last: JobFailed"
        ),
        "{text}"
    );
    assert!(text.contains("Deployment frequency"), "{text}");
    assert!(text.contains("0.75/day  high"), "{text}");
    assert!(text.contains("35m 00s  elite"), "{text}");
}

#[test]
fn durations_for_people() {
    assert_eq!(format_duration(45.4), "45s");
    assert_eq!(format_duration(750.0), "12m 30s");
    assert_eq!(format_duration(76200.0), "21h 10m");
    assert_eq!(format_duration(2.0 * 86400.0 + 4.0 * 3600.0), "2d 04h");
    assert_eq!(format_duration(f64::NAN), "-");
    assert_eq!(nice_ceiling(3.0), 5.0);
    assert_eq!(nice_ceiling(11.0), 20.0);
    assert_eq!(nice_ceiling(0.0), 1.0);
    assert_eq!(nice_duration_ceiling(1080.0), 1800.0);
    assert_eq!(nice_duration_ceiling(270.0), 300.0);
}
