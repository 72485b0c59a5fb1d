//! Executions: rows deduplicated, then one record per pipeline execution with its final
//! state, start, end, commit and branch (see [the module docs](super)).

use std::collections::{BTreeMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;

use super::outcomes::Outcome;
use crate::event::{ExecutionState, Level};
use crate::row::Row;

/// The rows with duplicates removed: the first row of each `event_id`, in input order.
pub fn dedup(rows: &[Row]) -> Vec<&Row> {
    let mut seen = HashSet::with_capacity(rows.len());
    rows.iter()
        .filter(|r| seen.insert(r.event_id.as_str()))
        .collect()
}

/// One pipeline execution, as the module docs define it.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// Pipeline name.
    pub pipeline: String,
    /// Pipeline execution id.
    pub execution_id: String,
    /// Account of the final row.
    pub account: String,
    /// Region of the final row.
    pub region: String,
    /// State of the final row.
    pub final_state: ExecutionState,
    /// Outcome of the final state.
    pub outcome: Outcome,
    /// Start (UTC).
    pub start: Timestamp,
    /// End (UTC), once the final state is terminal.
    pub end: Option<Timestamp>,
    /// Highest `pipeline-execution-attempt` seen, if any.
    pub attempts: Option<u32>,
    /// Trigger type of its earliest row that has one.
    pub trigger_type: Option<String>,
    /// Commit id (see the module docs).
    pub commit_id: Option<String>,
    /// Branch (see the module docs).
    pub branch: Option<String>,
}

impl Execution {
    /// End - start, in seconds; `None` while running.
    pub fn duration_seconds(&self) -> Option<f64> {
        self.end
            .map(|end| end.duration_since(self.start).as_secs_f64())
    }

    /// The UTC day it started.
    pub fn day(&self) -> Date {
        crate::utc::day(self.start)
    }
}

/// How late a state is in an execution's life, to order rows with the same time.
fn state_rank(state: &ExecutionState) -> u8 {
    if state.is_terminal() {
        2
    } else if *state == ExecutionState::Stopping {
        1
    } else {
        0
    }
}

/// The order in which an execution's pipeline rows happened (see the module docs).
fn row_order(r: &Row) -> (Timestamp, u32, u8, &str) {
    (
        r.event_time,
        r.attempt.unwrap_or(0),
        state_rank(&r.state),
        r.event_id.as_str(),
    )
}

/// The first value of `field` among `rows` by `(event_time, event_id)`.
fn earliest<'a>(rows: &[&'a Row], field: impl Fn(&'a Row) -> Option<&'a String>) -> Option<String> {
    rows.iter()
        .filter_map(|r| field(r).map(|v| ((r.event_time, r.event_id.as_str()), v)))
        .min_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, v)| v.clone())
}

/// One record per pipeline execution (deduplicated first), sorted by start, pipeline and
/// execution id.
pub fn executions(rows: &[Row]) -> Vec<Execution> {
    let mut by_execution: BTreeMap<(&str, &str), Vec<&Row>> = BTreeMap::new();
    for row in dedup(rows) {
        by_execution
            .entry((row.pipeline.as_str(), row.execution_id.as_str()))
            .or_default()
            .push(row);
    }
    let mut out: Vec<Execution> = by_execution
        .into_iter()
        .filter_map(|((pipeline, execution_id), all)| {
            let pipeline_rows: Vec<&Row> = all
                .iter()
                .copied()
                .filter(|r| r.level == Level::Pipeline)
                .collect();
            let last = pipeline_rows
                .iter()
                .max_by(|a, b| row_order(a).cmp(&row_order(b)))?;
            let start = pipeline_rows
                .iter()
                .filter_map(|r| r.start_time)
                .min()
                .or_else(|| pipeline_rows.iter().map(|r| r.event_time).min())?;
            Some(Execution {
                pipeline: pipeline.to_owned(),
                execution_id: execution_id.to_owned(),
                account: last.account.clone(),
                region: last.region.clone(),
                final_state: last.state.clone(),
                outcome: Outcome::of(&last.state),
                start,
                end: last.state.is_terminal().then_some(last.event_time),
                attempts: pipeline_rows.iter().filter_map(|r| r.attempt).max(),
                trigger_type: earliest(&pipeline_rows, |r| r.trigger_type.as_ref()),
                commit_id: earliest(&all, |r| r.commit_id.as_ref()),
                branch: earliest(&all, |r| r.branch.as_ref()),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.start, &a.pipeline, &a.execution_id).cmp(&(b.start, &b.pipeline, &b.execution_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::action_stats;
    use crate::metrics::history::{History, find, history, sha};
    use crate::row::{self, Source};

    #[test]
    fn duplicates_count_once() {
        let h = history();
        let unique = dedup(&h.rows);
        // Two redeliveries.
        assert_eq!(h.rows.len() - unique.len(), 2);
        let execs = executions(&h.rows);
        let p1 = find(&execs, "P1");
        assert_eq!(p1.outcome, Outcome::Succeeded);
        let deploy = action_stats(&h.rows)
            .into_iter()
            .find(|a| a.action == "DeployToProd")
            .unwrap();
        // P2's FAILED twice in the input, once in the count.
        assert_eq!(deploy.counts.failed, 2);
    }

    #[test]
    fn one_record_per_execution() {
        let execs = executions(&history().rows);
        let ids: Vec<&str> = execs.iter().map(|e| e.execution_id.as_str()).collect();
        // Sorted by start.
        assert_eq!(
            ids,
            ["B1", "P1", "P2", "P3", "B2", "P4", "P5", "P6", "B3", "P7"]
        );

        let b2 = find(&execs, "B2");
        // FAILED 10:50, RESUMED 10:52 (attempt 2), SUCCEEDED 10:58: the last one wins.
        assert_eq!(b2.final_state, ExecutionState::Succeeded);
        assert_eq!(b2.attempts, Some(2));
        // 10:40 -> 10:58 = 18 min = 1080 s.
        assert_eq!(b2.duration_seconds(), Some(1080.0));
        assert_eq!(b2.commit_id.as_deref(), Some(sha("c4").as_str()));

        let b3 = find(&execs, "B3");
        assert_eq!(b3.final_state, ExecutionState::Stopped);
        assert_eq!(b3.outcome, Outcome::Stopped);
        // 12:00:00 -> 12:01:00.
        assert_eq!(b3.duration_seconds(), Some(60.0));

        let p7 = find(&execs, "P7");
        assert_eq!(p7.outcome, Outcome::InProgress);
        assert_eq!(p7.end, None);
        assert_eq!(p7.duration_seconds(), None);

        assert_eq!(find(&execs, "P5").outcome, Outcome::Superseded);
        assert_eq!(find(&execs, "P5").commit_id, None);
    }

    #[test]
    fn start_falls_back_to_the_first_event_time() {
        let rows: Vec<Row> = [crate::fixtures::PIPELINE_STARTED_LEGACY]
            .iter()
            .map(|j| row::from_json(j, Source::Live).unwrap())
            .collect();
        let execs = executions(&rows);
        assert_eq!(execs.len(), 1);
        assert_eq!(execs[0].start, rows[0].event_time);
        assert_eq!(execs[0].attempts, None);
    }

    #[test]
    fn same_second_ties_prefer_the_terminal_state() {
        let mut h = History::new();
        h.pipeline(
            "p",
            "x",
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            "STARTED",
            1,
        );
        h.pipeline(
            "p",
            "x",
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:05:00Z",
            "FAILED",
            1,
        );
        h.pipeline(
            "p",
            "x",
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:05:00Z",
            "STOPPING",
            1,
        );
        let execs = executions(&h.rows);
        assert_eq!(execs[0].final_state, ExecutionState::Failed);
    }
}
