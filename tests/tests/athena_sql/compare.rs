//! Every figure of every query compared with the Rust report's: the view `executions`,
//! outcomes per day, action failure hotspots, duration percentiles and DORA.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use pipeline_metrics::dashboard::{Report, ReportConfig};
use pipeline_metrics::metrics::{self, DailyOutcomes, Execution, OutcomeCounts};
use pipeline_metrics::row::Row;
use pipeline_metrics::{DoraConfig, Level, Tier};
use serde_json::Value;

use crate::engine::athena;
use crate::fixture::{PROD, day, fixture, ts, write_objects};

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

/// The figures Rust gives for [`fixture`]'s period `days` days up to `today`, compared
/// with every figure of every query.
pub(crate) fn compare(today: Date, days: u32) -> Report {
    compare_batches(fixture(), today, days)
}

/// The figures Rust gives for the objects `batches` and the period `days` days up to
/// `today`, compared with every figure of every query.
pub(crate) fn compare_batches(batches: Vec<(String, Vec<Row>)>, today: Date, days: u32) -> Report {
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
