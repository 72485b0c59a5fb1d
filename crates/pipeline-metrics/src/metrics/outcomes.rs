//! Outcomes: what a state means for success counting, counts by outcome, and those
//! counts per pipeline, stage or action and day (see [the module docs](super)).

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;

use super::executions::{Execution, dedup};
use crate::event::{ExecutionState, Level};
use crate::row::Row;

/// What a state means for success counting (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// SUCCEEDED.
    Succeeded,
    /// FAILED.
    Failed,
    /// STOPPED, CANCELED or ABANDONED.
    Stopped,
    /// SUPERSEDED.
    Superseded,
    /// STARTED, RESUMED or STOPPING.
    InProgress,
    /// A state this crate does not know.
    Unknown,
}

impl Outcome {
    /// Every outcome, in display order.
    pub const ALL: [Outcome; 6] = [
        Outcome::Succeeded,
        Outcome::Failed,
        Outcome::Stopped,
        Outcome::Superseded,
        Outcome::InProgress,
        Outcome::Unknown,
    ];

    /// The outcome of a state.
    pub fn of(state: &ExecutionState) -> Outcome {
        match state {
            ExecutionState::Succeeded => Outcome::Succeeded,
            ExecutionState::Failed => Outcome::Failed,
            ExecutionState::Stopped | ExecutionState::Canceled | ExecutionState::Abandoned => {
                Outcome::Stopped
            }
            ExecutionState::Superseded => Outcome::Superseded,
            ExecutionState::Started | ExecutionState::Resumed | ExecutionState::Stopping => {
                Outcome::InProgress
            }
            ExecutionState::Other(_) => Outcome::Unknown,
        }
    }

    /// `succeeded`, `failed`, `stopped`, `superseded`, `in_progress` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Stopped => "stopped",
            Outcome::Superseded => "superseded",
            Outcome::InProgress => "in_progress",
            Outcome::Unknown => "unknown",
        }
    }
}

/// Counts by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    /// Succeeded.
    pub succeeded: u64,
    /// Failed.
    pub failed: u64,
    /// Stopped, canceled or abandoned.
    pub stopped: u64,
    /// Superseded.
    pub superseded: u64,
    /// Still running.
    pub in_progress: u64,
    /// Unknown state.
    pub unknown: u64,
}

impl OutcomeCounts {
    /// Counts one more of `outcome`.
    pub fn add(&mut self, outcome: Outcome) {
        *self.slot(outcome) += 1;
    }

    /// The count of `outcome`.
    pub fn get(&self, outcome: Outcome) -> u64 {
        match outcome {
            Outcome::Succeeded => self.succeeded,
            Outcome::Failed => self.failed,
            Outcome::Stopped => self.stopped,
            Outcome::Superseded => self.superseded,
            Outcome::InProgress => self.in_progress,
            Outcome::Unknown => self.unknown,
        }
    }

    fn slot(&mut self, outcome: Outcome) -> &mut u64 {
        match outcome {
            Outcome::Succeeded => &mut self.succeeded,
            Outcome::Failed => &mut self.failed,
            Outcome::Stopped => &mut self.stopped,
            Outcome::Superseded => &mut self.superseded,
            Outcome::InProgress => &mut self.in_progress,
            Outcome::Unknown => &mut self.unknown,
        }
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &OutcomeCounts) {
        for o in Outcome::ALL {
            *self.slot(o) += other.get(o);
        }
    }

    /// All counts added up.
    pub fn total(&self) -> u64 {
        Outcome::ALL.iter().map(|o| self.get(*o)).sum()
    }

    /// `failed / (succeeded + failed)`; `None` when both are zero.
    pub fn failure_rate(&self) -> Option<f64> {
        let decided = self.succeeded + self.failed;
        (decided > 0).then(|| self.failed as f64 / decided as f64)
    }
}

/// Outcome counts of one pipeline, stage or action on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyOutcomes {
    /// UTC day.
    pub day: Date,
    /// Pipeline name.
    pub pipeline: String,
    /// Stage name (stage and action counts).
    pub stage: Option<String>,
    /// Action name (action counts).
    pub action: Option<String>,
    /// The counts.
    pub counts: OutcomeCounts,
}

/// Executions per pipeline and start day, by final state; sorted by day, then pipeline.
pub fn pipeline_outcomes_per_day(executions: &[Execution]) -> Vec<DailyOutcomes> {
    let mut map: BTreeMap<(Date, &str), OutcomeCounts> = BTreeMap::new();
    for e in executions {
        map.entry((e.day(), e.pipeline.as_str()))
            .or_default()
            .add(e.outcome);
    }
    map.into_iter()
        .map(|((day, pipeline), counts)| DailyOutcomes {
            day,
            pipeline: pipeline.to_owned(),
            stage: None,
            action: None,
            counts,
        })
        .collect()
}

/// The outcome rows of `level`: deduplicated on `event_id`, without in-progress states
/// (STARTED, RESUMED, STOPPING), and one row per step outcome: rows with an
/// `action_execution_id` are one outcome per `(pipeline, execution_id, stage, action,
/// action_execution_id, state)`, whatever their event id, so an imported action
/// (`backfill:...`) and the live event of the same attempt count once. Of such rows the
/// earliest by `(event_time, event_id)` is kept; the rest keep input order.
pub fn step_outcome_rows(rows: &[Row], level: Level) -> Vec<&Row> {
    type Key<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        &'a str,
        &'a str,
    );
    let mut first: HashMap<Key<'_>, usize> = HashMap::new();
    let mut out: Vec<&Row> = Vec::new();
    for r in dedup(rows) {
        if r.level != level || Outcome::of(&r.state) == Outcome::InProgress {
            continue;
        }
        let Some(attempt) = r.action_execution_id.as_deref() else {
            out.push(r);
            continue;
        };
        let key = (
            r.pipeline.as_str(),
            r.execution_id.as_str(),
            r.stage.as_deref(),
            r.action.as_deref(),
            attempt,
            r.state.as_str(),
        );
        match first.get(&key) {
            Some(&i) => {
                if (r.event_time, r.event_id.as_str())
                    < (out[i].event_time, out[i].event_id.as_str())
                {
                    out[i] = r;
                }
            }
            None => {
                first.insert(key, out.len());
                out.push(r);
            }
        }
    }
    out
}

/// Outcome rows of `level` ([`step_outcome_rows`]) per day of `event_time` and pipeline,
/// stage, action; sorted by day, pipeline, stage, action.
pub fn step_outcomes_per_day(rows: &[Row], level: Level) -> Vec<DailyOutcomes> {
    type Key<'a> = (Date, &'a str, Option<&'a str>, Option<&'a str>);
    let mut map: BTreeMap<Key<'_>, OutcomeCounts> = BTreeMap::new();
    for r in step_outcome_rows(rows, level) {
        map.entry((
            crate::utc::day(r.event_time),
            r.pipeline.as_str(),
            r.stage.as_deref(),
            r.action.as_deref(),
        ))
        .or_default()
        .add(Outcome::of(&r.state));
    }
    map.into_iter()
        .map(|((day, pipeline, stage, action), counts)| DailyOutcomes {
            day,
            pipeline: pipeline.to_owned(),
            stage: stage.map(str::to_owned),
            action: action.map(str::to_owned),
            counts,
        })
        .collect()
}

/// Executions of all pipelines per start day, by final state, for every day from the
/// first to the last start day (days without executions have zero counts).
pub fn executions_per_day(executions: &[Execution]) -> Vec<(Date, OutcomeCounts)> {
    let mut map: BTreeMap<Date, OutcomeCounts> = BTreeMap::new();
    for e in executions {
        map.entry(e.day()).or_default().add(e.outcome);
    }
    fill_days(map)
}

/// The map's entries for every day from its first to its last key, zero where missing.
pub(crate) fn fill_days<T: Default>(mut map: BTreeMap<Date, T>) -> Vec<(Date, T)> {
    let (Some(first), Some(last)) = (
        map.first_key_value().map(|(d, _)| *d),
        map.last_key_value().map(|(d, _)| *d),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut day = first;
    loop {
        out.push((day, map.remove(&day).unwrap_or_default()));
        match day.tomorrow().ok() {
            Some(next) if next <= last => day = next,
            _ => break,
        }
    }
    out
}

/// Executions per pipeline by final state, over the whole history.
pub fn pipeline_totals(executions: &[Execution]) -> BTreeMap<String, OutcomeCounts> {
    let mut map: BTreeMap<String, OutcomeCounts> = BTreeMap::new();
    for e in executions {
        map.entry(e.pipeline.clone()).or_default().add(e.outcome);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::executions;
    use crate::metrics::history::{BUILD, History, PROD, history};
    use jiff::civil::date;

    #[test]
    fn executions_per_day_by_final_state() {
        let per_day = executions_per_day(&executions(&history().rows));
        let days: Vec<Date> = per_day.iter().map(|(d, _)| *d).collect();
        assert_eq!(
            days,
            [
                date(2026, 3, 2),
                date(2026, 3, 3),
                date(2026, 3, 4),
                date(2026, 3, 5)
            ]
        );
        // 03-02: P1 succeeded, P2 failed, B1 succeeded.
        assert_eq!(
            per_day[0].1,
            OutcomeCounts {
                succeeded: 2,
                failed: 1,
                ..Default::default()
            }
        );
        // 03-03: P3 failed, B2 succeeded (after retry), P4 succeeded.
        assert_eq!(
            per_day[1].1,
            OutcomeCounts {
                succeeded: 2,
                failed: 1,
                ..Default::default()
            }
        );
        // 03-04: P5 superseded, P6 succeeded.
        assert_eq!(
            per_day[2].1,
            OutcomeCounts {
                succeeded: 1,
                superseded: 1,
                ..Default::default()
            }
        );
        // 03-05: B3 stopped, P7 running.
        assert_eq!(
            per_day[3].1,
            OutcomeCounts {
                stopped: 1,
                in_progress: 1,
                ..Default::default()
            }
        );
    }

    #[test]
    fn days_without_executions_are_zero() {
        let mut h = History::new();
        h.pipeline(
            "p",
            "a",
            "2026-01-01T10:00:00Z",
            "2026-01-01T10:01:00Z",
            "SUCCEEDED",
            1,
        );
        h.pipeline(
            "p",
            "b",
            "2026-01-03T10:00:00Z",
            "2026-01-03T10:01:00Z",
            "FAILED",
            1,
        );
        let per_day = executions_per_day(&executions(&h.rows));
        assert_eq!(per_day.len(), 3);
        assert_eq!(per_day[1], (date(2026, 1, 2), OutcomeCounts::default()));
    }

    #[test]
    fn per_pipeline_stage_and_action_outcomes() {
        let h = history();
        let execs = executions(&h.rows);
        let pipelines = pipeline_outcomes_per_day(&execs);
        let prod_0302 = pipelines
            .iter()
            .find(|o| o.pipeline == PROD && o.day == date(2026, 3, 2))
            .unwrap();
        // P1 succeeded, P2 failed.
        assert_eq!(prod_0302.counts.succeeded, 1);
        assert_eq!(prod_0302.counts.failed, 1);
        assert_eq!(prod_0302.counts.failure_rate(), Some(0.5));

        let totals = pipeline_totals(&execs);
        // deploy-prod: P1, P4, P6 succeeded; P2, P3 failed; P5 superseded; P7 running.
        assert_eq!(
            totals[PROD],
            OutcomeCounts {
                succeeded: 3,
                failed: 2,
                superseded: 1,
                in_progress: 1,
                ..Default::default()
            }
        );
        // build: B1, B2 succeeded; B3 stopped.
        assert_eq!(
            totals[BUILD],
            OutcomeCounts {
                succeeded: 2,
                stopped: 1,
                ..Default::default()
            }
        );

        let stages = step_outcomes_per_day(&h.rows, Level::Stage);
        assert_eq!(stages.len(), 1);
        assert_eq!(stages[0].stage.as_deref(), Some("Deploy"));
        assert_eq!(
            stages[0].counts,
            OutcomeCounts {
                succeeded: 1,
                failed: 1,
                ..Default::default()
            }
        );

        let actions = step_outcomes_per_day(&h.rows, Level::Action);
        let unit_tests_0303 = actions
            .iter()
            .find(|o| o.action.as_deref() == Some("UnitTests") && o.day == date(2026, 3, 3))
            .unwrap();
        // B2's UnitTests failed at 10:49 and succeeded on retry at 10:57: both count.
        assert_eq!(
            unit_tests_0303.counts,
            OutcomeCounts {
                succeeded: 1,
                failed: 1,
                ..Default::default()
            }
        );
    }

    #[test]
    fn an_import_overlapping_live_days_counts_each_attempt_once() {
        use crate::row::{self, ActionExecutionSummary, Source};
        let live = row::from_json(crate::fixtures::ACTION_FAILED, Source::Live).unwrap();
        // The same attempt imported: another event id, CodePipeline's own time, 5 s
        // later and so past midnight.
        let imported = ActionExecutionSummary {
            account: live.account.clone(),
            region: live.region.clone(),
            pipeline: live.pipeline.clone(),
            execution_id: live.execution_id.clone(),
            stage: "Build".to_owned(),
            action: "UnitTests".to_owned(),
            action_execution_id: live.action_execution_id.clone(),
            status: "Failed".to_owned(),
            start_time: crate::fixtures::ts("2026-03-14T23:51:20Z"),
            last_update_time: Some(crate::fixtures::ts("2026-03-15T00:00:01Z")),
            owner: None,
            category: None,
            provider: Some("CodeBuild".to_owned()),
            version: None,
            external_execution_id: None,
            external_execution_url: None,
            summary: Some("imported".to_owned()),
            error_code: Some("JobFailed".to_owned()),
        };
        let mut rows = vec![live.clone()];
        rows.extend(row::backfill_action(&imported));
        let per_day = step_outcomes_per_day(&rows, Level::Action);
        // One failure, on the live event's day (the earliest copy).
        assert_eq!(per_day.len(), 1, "{per_day:?}");
        assert_eq!(per_day[0].day, date(2026, 3, 14));
        assert_eq!(
            per_day[0].counts,
            OutcomeCounts {
                failed: 1,
                ..Default::default()
            }
        );
        let stats = crate::metrics::action_stats(&rows);
        assert_eq!(stats[0].counts.failed, 1);
        assert_eq!(stats[0].last_error_summary, live.error_summary);

        // A second attempt (another action execution id) is another outcome.
        let mut retry = imported.clone();
        retry.action_execution_id = Some("retry".to_owned());
        rows.extend(row::backfill_action(&retry));
        assert_eq!(crate::metrics::action_stats(&rows)[0].counts.failed, 2);
    }

    #[test]
    fn unknown_step_states_count_as_unknown_and_in_progress_ones_not_at_all() {
        let mut h = History::new();
        h.action(
            BUILD,
            "x",
            "Test",
            "UnitTests",
            "2026-01-01T10:00:00Z",
            "STARTED",
        );
        h.action(
            BUILD,
            "x",
            "Test",
            "UnitTests",
            "2026-01-01T10:01:00Z",
            "SKIPPED",
        );
        let actions = step_outcomes_per_day(&h.rows, Level::Action);
        assert_eq!(
            actions[0].counts,
            OutcomeCounts {
                unknown: 1,
                ..Default::default()
            }
        );
    }
}
