//! One truth in Rust and Athena: the queries of `sql/` run in DuckDB
//! (`tests/support/athena_sql.py`, with Trino's semantics where the engines differ) over
//! the objects the extractor and the backfill write, and every figure they give is
//! compared with the Rust report's for the same period and production pipelines.
//!
//! The fixture holds every case that has made the two disagree or could: duplicates
//! across objects, events out of order, a retried execution (FAILED, RESUMED with
//! attempt 2, SUCCEEDED), SUPERSEDED, STOPPED, an action ABANDONED, an execution that
//! never finishes, unknown states (an execution whose only event is `QUEUED`, a made-up
//! `PAUSED`, an action `SKIPPED`), an execution and actions crossing midnight UTC at the
//! period's first day, and a history import (`backfill:...` ids) overlapping live days.
//! A second one holds the period's edges (the first and last millisecond of the period,
//! and just outside it). The engine also checks each view's `-- column:` declarations
//! against the columns the view really returns (Athena calls a view whose stored columns
//! differ "stale").
//!
//! `fixture` holds the histories, `engine` runs the Python, `compare` sets every figure of
//! the two side by side.

mod compare;
mod engine;
mod fixture;

use pipeline_metrics::Tier;
use pipeline_metrics::metrics::OutcomeCounts;

use crate::compare::{compare, compare_batches};
use crate::engine::{check_sql, run_sql_dir};
use crate::fixture::{PROD, day, edges, fixture, ts, write_objects};

#[test]
fn athena_and_the_report_agree_on_every_figure() {
    let report = compare(day("2026-03-10"), 7);
    let d = report.dora.as_ref().unwrap_or_else(|| panic!("no DORA"));
    // The figures themselves, by hand: deployments P0, P1 (retried), P3 in 7 days.
    assert_eq!(d.deployment_frequency.samples, 3);
    assert_eq!(d.deployment_frequency.tier, Some(Tier::High));
    // Lead times 32m (P0, from B0's start), 50m (P1), 3h 30m (P3, from P2's start):
    // the median is the 2nd of 3.
    assert_eq!(d.lead_time.value, Some(3000.0));
    // P2 failed 09:20:05 (the import's later time), P3 recovered 12:30:04.
    assert_eq!(
        d.failed_deployment_recovery.value,
        Some(3.0 * 3600.0 + 9.0 * 60.0 + 59.0)
    );
    // 1 failed (P2) of 4 completed (the old failure is before the period).
    assert_eq!(d.change_failure_rate.value, Some(0.25));
    // P2's deploy failed once, though the import holds it again under another id.
    let deploy = report
        .actions
        .iter()
        .find(|a| a.action == "DeployToProd")
        .unwrap_or_else(|| panic!("no DeployToProd"));
    assert_eq!((deploy.counts.failed, deploy.counts.succeeded), (2, 3));
    // Lint's last failure (Q2's) has no error code, though an earlier one had.
    let lint = report
        .actions
        .iter()
        .find(|a| a.action == "Lint")
        .unwrap_or_else(|| panic!("no Lint"));
    assert_eq!(lint.counts.failed, 2);
    assert_eq!(lint.last_error_code, None);
    // Every execution that started in the period is in exactly one outcome: B9, P0..P6,
    // Q1 (QUEUED) and Q2 (PAUSED); B0 started the day before.
    let mut all = OutcomeCounts::default();
    for c in report.totals.values() {
        all.merge(c);
    }
    assert_eq!(
        all,
        OutcomeCounts {
            succeeded: 4,
            failed: 1,
            stopped: 1,
            superseded: 1,
            in_progress: 1,
            unknown: 2
        }
    );
    assert_eq!(all.total(), report.executions.len() as u64);
}

#[test]
fn a_period_without_deployments_is_low_in_both() {
    let report = compare(day("2026-06-30"), 30);
    let d = report.dora.as_ref().unwrap_or_else(|| panic!("no DORA"));
    assert_eq!(d.deployment_frequency.value, Some(0.0));
    assert_eq!(d.deployment_frequency.tier, Some(Tier::Low));
    assert_eq!(d.lead_time.value, None);
    assert!(report.executions.is_empty());
}

#[test]
fn the_engine_refuses_integer_and_decimal_divisions() {
    // The forms the queries had before the double-division fix: in Trino
    // `count_if(...) / 30` truncates and `x / 30.0` is a decimal division (scale 1), so
    // the old durations, `date_diff('millisecond', ...) / 1000.0`, kept tenths of a second.
    for sql in [
        "SELECT count_if(state = 'FAILED') / 30 AS per_day FROM events",
        "SELECT count(*) / 30.0 AS per_day FROM events",
        "SELECT 1 / 30.0 AS high FROM events",
        "SELECT date_diff('millisecond', from_iso8601_timestamp(start_time), \
           from_iso8601_timestamp(event_time)) / 1000.0 AS seconds FROM events",
    ] {
        let (code, stderr) = check_sql(sql);
        assert_eq!(code, Some(2), "{sql} was not refused: {stderr}");
        assert!(stderr.contains("divides"), "{sql}: {stderr}");
    }
    // Double divisions, and an integer rank in element_at, are what the queries use.
    for sql in [
        "SELECT CAST(count_if(state = 'FAILED') AS double) / 30 AS per_day FROM events",
        "SELECT count(*) / CAST(30 AS double), 1e0 / 30 FROM events",
        "SELECT date_diff('millisecond', from_iso8601_timestamp(start_time), \
           from_iso8601_timestamp(event_time)) / 1e3 AS seconds FROM events",
        "SELECT element_at(array_sort(array_agg(attempt)), (50 * count(*) + 99) / 100) FROM events",
    ] {
        let (code, stderr) = check_sql(sql);
        assert_eq!(code, Some(0), "{sql} was refused: {stderr}");
    }
}

/// A copy of `sql/` in a temp dir with `from` replaced by `to` in the view file `file`.
fn sql_copy_with(file: &str, from: &str, to: &str) -> tempfile::TempDir {
    let sql = integration_tests::template_sql::workspace().join("sql");
    let copy = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(&sql).unwrap_or_else(|e| panic!("{}: {e}", sql.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().unwrap_or_default();
        let text = if name == file {
            assert!(text.contains(from), "{file} has no `{from}`");
            text.replacen(from, to, 1)
        } else {
            text
        };
        std::fs::write(copy.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
    }
    copy
}

#[test]
fn the_declared_view_columns_are_what_the_views_return() {
    let rows = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write_objects(rows.path(), &fixture());
    let today = day("2026-03-10");
    let sql = integration_tests::template_sql::workspace().join("sql");
    let (code, stderr) = run_sql_dir(&sql, rows.path(), today);
    assert_eq!(code, Some(0), "the real sql/: {stderr}");

    // Each kind of drift Athena would call a stale view: a renamed column, a dropped
    // one, one declared that the view does not return, a wrong type, two swapped.
    let executions = "2-create-view-executions.sql";
    let dedup = "1-create-view-events-dedup.sql";
    for (file, from, to, message) in [
        (
            executions,
            "-- column: attempts integer",
            "-- column: attempt integer",
            "column 9 is declared `attempt` integer (INTEGER) but the view returns `attempts` (INTEGER)",
        ),
        (
            dedup,
            "-- column: rn bigint\n",
            "",
            "column 33 `rn` (BIGINT) is returned by the view but not declared",
        ),
        (
            executions,
            "-- column: commit_id varchar\n",
            "-- column: commit_id varchar\n-- column: branch varchar\n",
            "column 11 `branch` varchar is declared but the view does not return it",
        ),
        (
            dedup,
            "-- column: t timestamp(3)",
            "-- column: t varchar",
            "column 32 is declared `t` varchar (VARCHAR) but the view returns `t` (TIMESTAMP)",
        ),
        (
            executions,
            "-- column: start_at timestamp(3)\n-- column: end_at timestamp(3)",
            "-- column: end_at timestamp(3)\n-- column: start_at timestamp(3)",
            "column 6 is declared `end_at` timestamp(3) (TIMESTAMP) but the view returns `start_at`",
        ),
    ] {
        let copy = sql_copy_with(file, from, to);
        let (code, stderr) = run_sql_dir(copy.path(), rows.path(), today);
        assert_eq!(code, Some(3), "{file} with `{to}` for `{from}`: {stderr}");
        let stem = file.trim_end_matches(".sql");
        assert!(
            stderr.contains(&format!("{stem}: {message}")),
            "{file} with `{to}` for `{from}`: {stderr}"
        );
    }
}

#[test]
fn the_period_edges_are_the_same_in_both() {
    let report = compare_batches(edges(), day("2026-03-10"), 7);
    // Runs are placed by their start: E9 only (E0 and E1 started on 03-03, F1 on 03-11).
    let runs: Vec<&str> = report
        .executions
        .iter()
        .map(|e| e.execution_id.as_str())
        .collect();
    assert_eq!(runs, ["E9"]);
    // Deployments by their end: E1 (ended 03-04 00:00:30) succeeded, E9 (03-10
    // 23:59:59.999) failed; E0 ended 03-03 23:59:59.999, before the period.
    let d = report.dora.as_ref().unwrap_or_else(|| panic!("no DORA"));
    assert_eq!(d.deployment_frequency.samples, 1);
    assert_eq!(d.lead_time.value, Some(630.0));
    assert_eq!(d.change_failure_rate.value, Some(0.5));
    assert_eq!(d.failed_deployment_recovery.value, None);
    // Deploy outcomes by their row's day: E1's at 03-04 00:00:00 and E9's at 03-10
    // 23:59:59.999 are in, E0's at 03-03 23:59:59.999 is not.
    let deploy = report
        .actions
        .iter()
        .find(|a| a.action == "DeployToProd")
        .unwrap_or_else(|| panic!("no DeployToProd"));
    assert_eq!((deploy.counts.failed, deploy.counts.succeeded), (1, 1));
    assert_eq!(deploy.last_failure, Some(ts("2026-03-10T23:59:59.999Z")));
    // Of the source actions only E9's (03-10) is in: E0's and E1's (03-03) and F1's
    // (03-11 00:00:00) are outside.
    let sources: Vec<_> = report
        .actions
        .iter()
        .filter(|a| a.action == "Source")
        .map(|a| (a.pipeline.as_str(), a.counts.succeeded))
        .collect();
    assert_eq!(sources, [(PROD, 1)]);
}
