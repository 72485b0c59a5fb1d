//! Metrics over rows, defined exactly as the Athena queries compute them.
//!
//! Every function here has one precise definition, written out below, so that the report
//! built locally and the Athena views agree to the number. Times are UTC; a "day" is the
//! UTC date.
//!
//! # Deduplication
//! Delivery is at least once: rows are first reduced to one per `event_id` ([`dedup`]).
//!
//! # Executions
//! One [`Execution`] per `(pipeline, execution_id)` with at least one pipeline-level row
//! ([`executions`]):
//! - **final state**: the state of the pipeline row that sorts last by
//!   `(event_time, attempt (null = 0), state rank, event_id)`, where the state rank is 2
//!   for terminal states, 1 for STOPPING and 0 otherwise. A FAILED execution that is
//!   retried (RESUMED, attempt 2) and then SUCCEEDED is a success.
//! - **start**: the earliest `start_time` of its pipeline rows; if none has one (older
//!   events), the earliest `event_time` of its pipeline rows.
//! - **end**: the final row's `event_time` when the final state is terminal, else none.
//! - **duration**: end - start.
//! - **commit**: the `commit_id` of its row (any level) with the earliest `event_time`
//!   that has one (the source action's); likewise **branch**.
//!
//! # Outcomes
//! States map to an [`Outcome`]: SUCCEEDED = succeeded; FAILED = failed; STOPPED,
//! CANCELED, ABANDONED = stopped; SUPERSEDED = superseded; STARTED, RESUMED, STOPPING =
//! in progress; anything else = unknown. The **failure rate** is
//! `failed / (succeeded + failed)`: stopped and superseded runs are neither.
//! - Per pipeline and day ([`pipeline_outcomes_per_day`], [`executions_per_day`]): each
//!   execution counted once by its final state, on the day it started.
//! - Per stage or action and day ([`step_outcomes_per_day`]) and per action overall
//!   ([`action_stats`]): every terminal stage/action row counts, on the day of its
//!   `event_time`, so an action that failed and then succeeded on retry counts one failure
//!   and one success.
//!
//! # Durations
//! Over **succeeded** executions only. Percentiles are nearest-rank: the `p`-th percentile
//! of `n` sorted values is the value at 1-based rank `ceil(p * n / 100)` (integer
//! arithmetic: `(p * n + 99) / 100`), so it is always an observed value. In Athena:
//! `element_at(array_sort(array_agg(duration)), (90 * count(*) + 99) / 100)`.
//!
//! # DORA
//! Over the executions of the pipelines named in [`DoraConfig::production_pipelines`]
//! whose **end** falls in the period (default: the first to the last day with any
//! execution, start or end, inclusive). A *deployment* is a production execution whose
//! final state is SUCCEEDED; a *failed deployment* one whose final state is FAILED.
//! - **Deployment frequency**: deployments / days in the period (also shown per week,
//!   times 7).
//! - **Lead time for changes**: per deployment, its end minus the *change start*: the
//!   earliest start of any execution of any pipeline (production or not, in the period or
//!   not) with the same commit id; a deployment without a commit id uses its own start.
//!   CodePipeline events carry no commit timestamp, so this is commit-*entered-the-pipeline*
//!   to production, a lower bound of DORA's commit-to-production. The metric is the median
//!   (nearest-rank p50).
//! - **Time to restore**: per production pipeline, completed (SUCCEEDED or FAILED)
//!   executions in end order; a failure opens an incident unless one is open; the next
//!   success closes it, and the restore time is that success's end minus the end of the
//!   failure that opened it. Incidents still open at the end of the period are counted in
//!   [`Dora::unrestored_failures`], not in the median. The metric is the median.
//! - **Change failure rate**: failed deployments / (deployments + failed deployments).
//!
//! Tiers (per the 2021 Accelerate State of DevOps report, the last one with four tiers on
//! every metric; its gaps are closed by giving each gap to the better tier, and its change
//! failure rate, which separates only elite (0-15%) from the rest (16-30%), is extended
//! with the 46-60% low cluster of the 2019 report):
//!
//! | metric | elite | high | medium | low |
//! |---|---|---|---|---|
//! | deployment frequency | >= 1 per day (on demand) | >= 1 per 30 days (weekly to monthly) | >= 1 per 182 days (monthly to 6-monthly) | fewer |
//! | lead time (median) | < 1 hour | < 1 week | < 182 days | >= 182 days |
//! | time to restore (median) | < 1 hour | < 1 day | < 1 week | >= 1 week |
//! | change failure rate | <= 15% | <= 30% | <= 45% | > 45% |
//!
//! # Reference Athena SQL
//! The same definitions over the Glue table `events` (the row schema of [`crate::row`]),
//! for the views in the template. Ties in `event_time` that the Rust code breaks by
//! `event_id` are left to Athena's order in `min_by`, which only matters for events of the
//! same second.
//!
//! ```sql
//! -- One row per event.
//! CREATE OR REPLACE VIEW events_dedup AS
//! SELECT * FROM (
//!   SELECT e.*, row_number() OVER (PARTITION BY event_id ORDER BY event_time) AS rn
//!   FROM events e)
//! WHERE rn = 1;
//!
//! -- One row per pipeline execution.
//! CREATE OR REPLACE VIEW executions AS
//! WITH p AS (
//!   SELECT *, from_iso8601_timestamp(event_time) AS t,
//!     CASE WHEN state IN ('SUCCEEDED','FAILED','CANCELED','STOPPED','SUPERSEDED','ABANDONED') THEN 2
//!          WHEN state = 'STOPPING' THEN 1 ELSE 0 END AS state_rank
//!   FROM events_dedup WHERE level = 'pipeline'),
//! last AS (
//!   SELECT * FROM (
//!     SELECT p.*, row_number() OVER (PARTITION BY pipeline, execution_id
//!       ORDER BY t DESC, coalesce(attempt, 0) DESC, state_rank DESC, event_id DESC) AS r
//!     FROM p)
//!   WHERE r = 1),
//! span AS (
//!   SELECT pipeline, execution_id, max(attempt) AS attempts,
//!     coalesce(min(from_iso8601_timestamp(start_time)), min(t)) AS start_at
//!   FROM p GROUP BY pipeline, execution_id),
//! commits AS (
//!   SELECT pipeline, execution_id,
//!     min_by(commit_id, from_iso8601_timestamp(event_time)) AS commit_id
//!   FROM events_dedup WHERE commit_id IS NOT NULL GROUP BY pipeline, execution_id)
//! SELECT l.pipeline, l.execution_id, l.account, l.region, l.state AS final_state,
//!   s.start_at, IF(l.state_rank = 2, l.t) AS end_at,
//!   date_diff('millisecond', s.start_at, IF(l.state_rank = 2, l.t)) / 1000.0 AS duration_seconds,
//!   s.attempts, c.commit_id
//! FROM last l
//! JOIN span s ON s.pipeline = l.pipeline AND s.execution_id = l.execution_id
//! LEFT JOIN commits c ON c.pipeline = l.pipeline AND c.execution_id = l.execution_id;
//!
//! -- Actions (or stages) per day.
//! SELECT date(from_iso8601_timestamp(event_time)) AS day, pipeline, stage, action,
//!   count_if(state = 'SUCCEEDED') AS succeeded, count_if(state = 'FAILED') AS failed,
//!   count_if(state IN ('STOPPED','CANCELED','ABANDONED')) AS stopped,
//!   count_if(state = 'SUPERSEDED') AS superseded
//! FROM events_dedup WHERE level = 'action'
//! GROUP BY 1, 2, 3, 4;
//!
//! -- Duration percentiles (nearest rank).
//! SELECT pipeline, count(*) AS n,
//!   element_at(array_sort(array_agg(duration_seconds)), (50 * count(*) + 99) / 100) AS p50,
//!   element_at(array_sort(array_agg(duration_seconds)), (90 * count(*) + 99) / 100) AS p90,
//!   element_at(array_sort(array_agg(duration_seconds)), (95 * count(*) + 99) / 100) AS p95
//! FROM executions WHERE final_state = 'SUCCEEDED'
//! GROUP BY pipeline;
//!
//! -- DORA over production pipelines and a period.
//! WITH prod AS (
//!   SELECT * FROM executions
//!   WHERE pipeline IN ('deploy-prod') AND final_state IN ('SUCCEEDED', 'FAILED')
//!     AND date(end_at) BETWEEN DATE '2026-03-01' AND DATE '2026-03-31'),
//! change_start AS (
//!   SELECT commit_id, min(start_at) AS first_start
//!   FROM executions WHERE commit_id IS NOT NULL GROUP BY commit_id),
//! lead AS (
//!   SELECT date_diff('millisecond',
//!     least(coalesce(cs.first_start, d.start_at), d.start_at), d.end_at) / 1000.0 AS seconds
//!   FROM prod d LEFT JOIN change_start cs ON cs.commit_id = d.commit_id
//!   WHERE d.final_state = 'SUCCEEDED'),
//! -- Successes so far (inclusive) per pipeline: failures with the same count form one
//! -- incident, closed by the success whose count is one higher.
//! marked AS (
//!   SELECT *, sum(IF(final_state = 'SUCCEEDED', 1, 0)) OVER (
//!     PARTITION BY pipeline ORDER BY end_at, execution_id
//!     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ok_so_far
//!   FROM prod),
//! incidents AS (
//!   SELECT pipeline, ok_so_far, min(end_at) AS opened
//!   FROM marked WHERE final_state = 'FAILED' GROUP BY pipeline, ok_so_far),
//! restores AS (
//!   SELECT date_diff('millisecond', i.opened, m.end_at) / 1000.0 AS seconds
//!   FROM incidents i JOIN marked m ON m.pipeline = i.pipeline
//!     AND m.final_state = 'SUCCEEDED' AND m.ok_so_far = i.ok_so_far + 1)
//! SELECT
//!   (SELECT count_if(final_state = 'SUCCEEDED') FROM prod) / 31.0 AS deployments_per_day,
//!   (SELECT element_at(array_sort(array_agg(seconds)), (50 * count(*) + 99) / 100) FROM lead)
//!     AS lead_time_seconds,
//!   (SELECT element_at(array_sort(array_agg(seconds)), (50 * count(*) + 99) / 100) FROM restores)
//!     AS time_to_restore_seconds,
//!   (SELECT CAST(count_if(final_state = 'FAILED') AS double) / nullif(count(*), 0) FROM prod)
//!     AS change_failure_rate;
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use time::{Date, OffsetDateTime};

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
    pub start: OffsetDateTime,
    /// End (UTC), once the final state is terminal.
    pub end: Option<OffsetDateTime>,
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
        self.end.map(|end| (end - self.start).as_seconds_f64())
    }

    /// The UTC day it started.
    pub fn day(&self) -> Date {
        self.start.date()
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
fn row_order(r: &Row) -> (OffsetDateTime, u32, u8, &str) {
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

/// Terminal rows of `level` (deduplicated) per day of `event_time` and pipeline, stage,
/// action; sorted by day, pipeline, stage, action. Non-terminal rows are not counted.
pub fn step_outcomes_per_day(rows: &[Row], level: Level) -> Vec<DailyOutcomes> {
    type Key<'a> = (Date, &'a str, Option<&'a str>, Option<&'a str>);
    let mut map: BTreeMap<Key<'_>, OutcomeCounts> = BTreeMap::new();
    for r in dedup(rows) {
        if r.level == level && r.state.is_terminal() {
            map.entry((
                r.event_time.date(),
                r.pipeline.as_str(),
                r.stage.as_deref(),
                r.action.as_deref(),
            ))
            .or_default()
            .add(Outcome::of(&r.state));
        }
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
fn fill_days<T: Default>(mut map: BTreeMap<Date, T>) -> Vec<(Date, T)> {
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
        match day.next_day() {
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

/// Success and failure of one action over the whole history.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionStats {
    /// Pipeline name.
    pub pipeline: String,
    /// Stage name.
    pub stage: String,
    /// Action name.
    pub action: String,
    /// Provider of its latest row that names one.
    pub provider: Option<String>,
    /// Terminal rows by outcome.
    pub counts: OutcomeCounts,
    /// When it last failed.
    pub last_failure: Option<OffsetDateTime>,
    /// Error code of the last failure.
    pub last_error_code: Option<String>,
    /// Error summary of the last failure.
    pub last_error_summary: Option<String>,
}

/// Every action with at least one terminal row (deduplicated), hotspots first: sorted by
/// failures (descending), failure rate (descending), then pipeline, stage, action.
pub fn action_stats(rows: &[Row]) -> Vec<ActionStats> {
    let mut map: BTreeMap<(&str, &str, &str), ActionStats> = BTreeMap::new();
    let mut provider_at: HashMap<(&str, &str, &str), OffsetDateTime> = HashMap::new();
    for r in dedup(rows) {
        let (Level::Action, Some(stage), Some(action)) =
            (r.level, r.stage.as_deref(), r.action.as_deref())
        else {
            continue;
        };
        if !r.state.is_terminal() {
            continue;
        }
        let key = (r.pipeline.as_str(), stage, action);
        let stats = map.entry(key).or_insert_with(|| ActionStats {
            pipeline: r.pipeline.clone(),
            stage: stage.to_owned(),
            action: action.to_owned(),
            provider: None,
            counts: OutcomeCounts::default(),
            last_failure: None,
            last_error_code: None,
            last_error_summary: None,
        });
        stats.counts.add(Outcome::of(&r.state));
        if r.action_provider.is_some() && provider_at.get(&key).is_none_or(|t| *t <= r.event_time) {
            provider_at.insert(key, r.event_time);
            stats.provider = r.action_provider.clone();
        }
        if r.state == ExecutionState::Failed && stats.last_failure.is_none_or(|t| t <= r.event_time)
        {
            stats.last_failure = Some(r.event_time);
            stats.last_error_code = r.error_code.clone();
            stats.last_error_summary = r.error_summary.clone();
        }
    }
    let mut out: Vec<ActionStats> = map.into_values().collect();
    out.sort_by(|a, b| {
        b.counts
            .failed
            .cmp(&a.counts.failed)
            .then_with(|| {
                let ra = a.counts.failure_rate().unwrap_or(0.0);
                let rb = b.counts.failure_rate().unwrap_or(0.0);
                rb.total_cmp(&ra)
            })
            .then_with(|| {
                (&a.pipeline, &a.stage, &a.action).cmp(&(&b.pipeline, &b.stage, &b.action))
            })
    });
    out
}

/// The nearest-rank `pct`-th percentile (1 to 100) of `values`: the value at 1-based rank
/// `(pct * n + 99) / 100` of the sorted values. `None` if `values` is empty or `pct` is
/// out of range.
pub fn percentile(values: &[f64], pct: u32) -> Option<f64> {
    if values.is_empty() || !(1..=100).contains(&pct) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as u64;
    let rank = (u64::from(pct) * n).div_ceil(100).clamp(1, n);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// Duration percentiles of one pipeline's succeeded executions, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct DurationStats {
    /// Pipeline name.
    pub pipeline: String,
    /// Succeeded executions measured.
    pub count: usize,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// Durations of the succeeded executions of one group, if there are any.
fn stats_of(pipeline: &str, durations: &[f64]) -> Option<DurationStats> {
    Some(DurationStats {
        pipeline: pipeline.to_owned(),
        count: durations.len(),
        p50: percentile(durations, 50)?,
        p90: percentile(durations, 90)?,
        p95: percentile(durations, 95)?,
    })
}

/// Duration percentiles per pipeline over its succeeded executions, sorted by pipeline.
pub fn duration_stats(executions: &[Execution]) -> Vec<DurationStats> {
    let mut map: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for e in executions {
        if let (Outcome::Succeeded, Some(d)) = (e.outcome, e.duration_seconds()) {
            map.entry(e.pipeline.as_str()).or_default().push(d);
        }
    }
    map.into_iter()
        .filter_map(|(pipeline, durations)| stats_of(pipeline, &durations))
        .collect()
}

/// Median duration of one pipeline's succeeded executions that started on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct DurationPoint {
    /// UTC start day.
    pub day: Date,
    /// Pipeline name.
    pub pipeline: String,
    /// Succeeded executions that day.
    pub count: usize,
    /// Their median duration in seconds.
    pub p50: f64,
}

/// Daily median duration per pipeline (succeeded executions, by start day), sorted by
/// pipeline then day.
pub fn duration_trend(executions: &[Execution]) -> Vec<DurationPoint> {
    let mut map: BTreeMap<(&str, Date), Vec<f64>> = BTreeMap::new();
    for e in executions {
        if let (Outcome::Succeeded, Some(d)) = (e.outcome, e.duration_seconds()) {
            map.entry((e.pipeline.as_str(), e.day()))
                .or_default()
                .push(d);
        }
    }
    map.into_iter()
        .filter_map(|((pipeline, day), durations)| {
            Some(DurationPoint {
                day,
                pipeline: pipeline.to_owned(),
                count: durations.len(),
                p50: percentile(&durations, 50)?,
            })
        })
        .collect()
}

/// A DORA performance tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Elite.
    Elite,
    /// High.
    High,
    /// Medium.
    Medium,
    /// Low.
    Low,
}

impl Tier {
    /// `elite`, `high`, `medium` or `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Elite => "elite",
            Tier::High => "high",
            Tier::Medium => "medium",
            Tier::Low => "low",
        }
    }
}

const HOUR: f64 = 3600.0;
const DAY: f64 = 24.0 * HOUR;

/// Tier of a deployment frequency in deployments per day (see the module docs).
pub fn deployment_frequency_tier(per_day: f64) -> Tier {
    if per_day >= 1.0 {
        Tier::Elite
    } else if per_day >= 1.0 / 30.0 {
        Tier::High
    } else if per_day >= 1.0 / 182.0 {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// Tier of a median lead time in seconds (see the module docs).
pub fn lead_time_tier(seconds: f64) -> Tier {
    if seconds < HOUR {
        Tier::Elite
    } else if seconds < 7.0 * DAY {
        Tier::High
    } else if seconds < 182.0 * DAY {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// Tier of a median time to restore in seconds (see the module docs).
pub fn time_to_restore_tier(seconds: f64) -> Tier {
    if seconds < HOUR {
        Tier::Elite
    } else if seconds < DAY {
        Tier::High
    } else if seconds < 7.0 * DAY {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// Tier of a change failure rate between 0 and 1 (see the module docs).
pub fn change_failure_rate_tier(rate: f64) -> Tier {
    if rate <= 0.15 {
        Tier::Elite
    } else if rate <= 0.30 {
        Tier::High
    } else if rate <= 0.45 {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// What the DORA metrics count as production, and over which days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DoraConfig {
    /// Pipelines whose executions deploy to production.
    pub production_pipelines: BTreeSet<String>,
    /// First and last day (inclusive); default: the days the executions span.
    pub period: Option<(Date, Date)>,
}

/// One DORA metric: its value, how many observations it rests on, and its tier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoraMetric {
    /// The value (unit per metric); `None` without observations.
    pub value: Option<f64>,
    /// Observations (deployments, lead times, restores, completed deployments).
    pub samples: u64,
    /// The tier of the value; `None` without a value.
    pub tier: Option<Tier>,
}

impl DoraMetric {
    fn new(value: Option<f64>, samples: u64, tier: fn(f64) -> Tier) -> Self {
        DoraMetric {
            value,
            samples,
            tier: value.map(tier),
        }
    }
}

/// The four DORA metrics over a period (see the module docs for each definition).
#[derive(Debug, Clone, PartialEq)]
pub struct Dora {
    /// First day of the period.
    pub period_start: Date,
    /// Last day of the period (inclusive).
    pub period_end: Date,
    /// Days in the period.
    pub days: u32,
    /// Production pipelines.
    pub production_pipelines: Vec<String>,
    /// Deployments per week (per day times 7).
    pub deployments_per_week: f64,
    /// Deployments per day; `samples` is the number of deployments.
    pub deployment_frequency: DoraMetric,
    /// Median lead time in seconds; `samples` is the number of deployments measured.
    pub lead_time: DoraMetric,
    /// Median time to restore in seconds; `samples` is the number of restores.
    pub time_to_restore: DoraMetric,
    /// Failures not followed by a success before the end of the period.
    pub unrestored_failures: u64,
    /// Failed / completed deployments (0 to 1); `samples` is the completed deployments.
    pub change_failure_rate: DoraMetric,
    /// Successful production executions per day of their end, every day of the period.
    pub deployments_per_day: Vec<(Date, OutcomeCounts)>,
}

/// The DORA metrics of the production pipelines; `None` when no production pipeline is
/// configured, or no period is given and there are no executions to derive one from.
pub fn dora(executions: &[Execution], config: &DoraConfig) -> Option<Dora> {
    if config.production_pipelines.is_empty() {
        return None;
    }
    let (period_start, period_end) = match config.period {
        Some(period) => period,
        None => {
            let days = executions
                .iter()
                .flat_map(|e| [Some(e.day()), e.end.map(|t| t.date())])
                .flatten();
            let first = days.clone().min()?;
            let last = days.max()?;
            (first, last)
        }
    };
    let days = u32::try_from((period_end - period_start).whole_days() + 1)
        .ok()
        .filter(|d| *d > 0)?;
    let in_period = |t: OffsetDateTime| (period_start..=period_end).contains(&t.date());

    // Completed production executions in the period, in end order.
    let mut completed: Vec<(&Execution, OffsetDateTime)> = executions
        .iter()
        .filter(|e| config.production_pipelines.contains(&e.pipeline))
        .filter(|e| matches!(e.outcome, Outcome::Succeeded | Outcome::Failed))
        .filter_map(|e| e.end.filter(|t| in_period(*t)).map(|end| (e, end)))
        .collect();
    completed.sort_by(|(a, ea), (b, eb)| {
        (ea, &a.pipeline, &a.execution_id).cmp(&(eb, &b.pipeline, &b.execution_id))
    });

    // Deployment frequency.
    let deployments: Vec<&(&Execution, OffsetDateTime)> = completed
        .iter()
        .filter(|(e, _)| e.outcome == Outcome::Succeeded)
        .collect();
    let deployment_count = deployments.len() as u64;
    let per_day = deployment_count as f64 / f64::from(days);

    // Lead time: change start = earliest start of any execution with the same commit.
    let mut change_start: HashMap<&str, OffsetDateTime> = HashMap::new();
    for e in executions {
        if let Some(commit) = e.commit_id.as_deref() {
            change_start
                .entry(commit)
                .and_modify(|t| *t = (*t).min(e.start))
                .or_insert(e.start);
        }
    }
    let lead_times: Vec<f64> = deployments
        .iter()
        .map(|(e, end)| {
            let origin = e
                .commit_id
                .as_deref()
                .and_then(|c| change_start.get(c).copied())
                .unwrap_or(e.start)
                .min(e.start);
            (*end - origin).as_seconds_f64()
        })
        .collect();

    // Time to restore, per pipeline.
    let mut open: BTreeMap<&str, OffsetDateTime> = BTreeMap::new();
    let mut restores = Vec::new();
    for (e, end) in &completed {
        match e.outcome {
            Outcome::Failed => {
                open.entry(e.pipeline.as_str()).or_insert(*end);
            }
            Outcome::Succeeded => {
                if let Some(failed_at) = open.remove(e.pipeline.as_str()) {
                    restores.push((*end - failed_at).as_seconds_f64());
                }
            }
            _ => {}
        }
    }

    // Change failure rate.
    let failed = completed
        .iter()
        .filter(|(e, _)| e.outcome == Outcome::Failed)
        .count() as u64;
    let total = completed.len() as u64;
    let cfr = (total > 0).then(|| failed as f64 / total as f64);

    // Deployments per day (end day), every day of the period.
    let mut per_day_map: BTreeMap<Date, OutcomeCounts> = BTreeMap::new();
    let mut day = period_start;
    loop {
        per_day_map.insert(day, OutcomeCounts::default());
        match day.next_day() {
            Some(next) if next <= period_end => day = next,
            _ => break,
        }
    }
    for (e, end) in &completed {
        per_day_map.entry(end.date()).or_default().add(e.outcome);
    }

    Some(Dora {
        period_start,
        period_end,
        days,
        production_pipelines: config.production_pipelines.iter().cloned().collect(),
        deployments_per_week: per_day * 7.0,
        deployment_frequency: DoraMetric::new(
            Some(per_day),
            deployment_count,
            deployment_frequency_tier,
        ),
        lead_time: DoraMetric::new(
            percentile(&lead_times, 50),
            lead_times.len() as u64,
            lead_time_tier,
        ),
        time_to_restore: DoraMetric::new(
            percentile(&restores, 50),
            restores.len() as u64,
            time_to_restore_tier,
        ),
        unrestored_failures: open.len() as u64,
        change_failure_rate: DoraMetric::new(cfr, total, change_failure_rate_tier),
        deployments_per_day: per_day_map.into_iter().collect(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::row::{self, Source};
    use serde_json::json;
    use time::macros::date;

    /// Builds a small history, as JSON events through the real parser, for tests here and
    /// in `report`.
    pub(crate) struct History {
        pub rows: Vec<Row>,
        next_id: u32,
    }

    pub(crate) const PROD: &str = "deploy-prod";
    pub(crate) const BUILD: &str = "build";

    fn sha(c: &str) -> String {
        c.repeat(20)
    }

    impl History {
        fn new() -> Self {
            History {
                rows: Vec::new(),
                next_id: 0,
            }
        }

        fn push(&mut self, detail_type: &str, time: &str, detail: serde_json::Value) {
            self.next_id += 1;
            let event = json!({
                "version": "0",
                "id": format!("evt-{:04}", self.next_id),
                "detail-type": detail_type,
                "source": "aws.codepipeline",
                "account": "123456789012",
                "time": time,
                "region": "eu-west-1",
                "resources": [],
                "detail": detail,
            });
            self.rows
                .push(row::from_json(&event.to_string(), Source::Live).unwrap());
        }

        /// A pipeline event: `start` is the execution's start-time.
        fn pipeline(
            &mut self,
            p: &str,
            x: &str,
            start: &str,
            time: &str,
            state: &str,
            attempt: u32,
        ) {
            self.push(
                crate::event::PIPELINE_DETAIL_TYPE,
                time,
                json!({"pipeline": p, "execution-id": x, "start-time": start, "state": state,
                       "version": 3.0, "pipeline-execution-attempt": f64::from(attempt)}),
            );
        }

        fn stage(&mut self, p: &str, x: &str, stage: &str, time: &str, state: &str) {
            self.push(
                crate::event::STAGE_DETAIL_TYPE,
                time,
                json!({"pipeline": p, "execution-id": x, "stage": stage, "state": state,
                       "version": 3, "pipeline-execution-attempt": 1}),
            );
        }

        fn action(&mut self, p: &str, x: &str, stage: &str, action: &str, time: &str, state: &str) {
            let category = if stage == "Source" { "Source" } else { "Build" };
            let provider = if stage == "Source" {
                "CodeCommit"
            } else {
                "CodeBuild"
            };
            let mut detail = json!({"pipeline": p, "execution-id": x, "stage": stage,
                "action": action, "state": state, "version": 3.0,
                "type": {"owner": "AWS", "category": category, "provider": provider, "version": "1"}});
            if state == "FAILED" {
                detail["execution-result"] = json!({"external-execution-summary": "tests failed",
                                                    "error-code": "JobFailed"});
            }
            self.push(crate::event::ACTION_DETAIL_TYPE, time, detail);
        }

        fn source(&mut self, p: &str, x: &str, time: &str, commit: &str) {
            self.push(
                crate::event::ACTION_DETAIL_TYPE,
                time,
                json!({"pipeline": p, "execution-id": x, "stage": "Source", "action": "Source",
                       "state": "SUCCEEDED", "version": 3.0,
                       "type": {"owner": "AWS", "category": "Source", "provider": "CodeCommit", "version": 1},
                       "execution-result": {"external-execution-id": sha(commit)}}),
            );
        }

        /// The last row again (a redelivery: same event id).
        fn redeliver_last(&mut self) {
            let last = self.rows.last().unwrap().clone();
            self.rows.push(last);
        }

        /// An execution with a source action (if `commit`), a deploy/test action and
        /// pipeline events from `start` to each `(time, state, attempt)`.
        #[allow(clippy::too_many_arguments)]
        fn run(
            &mut self,
            p: &str,
            x: &str,
            start: &str,
            commit: Option<&str>,
            step: (&str, &str),
            steps: &[(&str, &str)],
            states: &[(&str, &str, u32)],
        ) {
            self.pipeline(p, x, start, start, "STARTED", 1);
            if let Some(c) = commit {
                self.source(p, x, start, c);
            }
            for (time, state) in steps {
                self.action(p, x, step.0, step.1, time, state);
            }
            for (time, state, attempt) in states {
                self.pipeline(p, x, start, time, state, *attempt);
            }
        }
    }

    /// The fixture history (times UTC, 2026-03-02 to 2026-03-05):
    ///
    /// deploy-prod (production), action Deploy/DeployToProd:
    /// - P1 start 03-02 10:00, SUCCEEDED 10:10, commit c1 (600 s)
    /// - P2 start 03-02 14:00, FAILED 14:05, commit c2
    /// - P3 start 03-03 09:00, FAILED 09:20, commit c3
    /// - P4 start 03-03 11:00, SUCCEEDED 11:15, commit c4 (900 s)
    /// - P5 start 03-04 08:00, SUPERSEDED 08:03
    /// - P6 start 03-04 08:02, SUCCEEDED 08:14, commit c6 (720 s)
    /// - P7 start 03-05 16:00, still running
    ///
    /// build, action Test/UnitTests:
    /// - B1 start 03-02 09:30, SUCCEEDED 09:40, commit c1 (600 s)
    /// - B2 start 03-03 10:40, FAILED 10:50, RESUMED 10:52 (attempt 2), SUCCEEDED 10:58,
    ///   commit c4 (1080 s)
    /// - B3 start 03-05 12:00, STOPPING 12:00:50, STOPPED 12:01
    ///
    /// Redelivered: P1's SUCCEEDED and P2's DeployToProd FAILED.
    pub(crate) fn history() -> History {
        let mut h = History::new();
        let deploy = ("Deploy", "DeployToProd");
        let test = ("Test", "UnitTests");
        h.run(
            BUILD,
            "B1",
            "2026-03-02T09:30:00Z",
            Some("c1"),
            test,
            &[("2026-03-02T09:38:00Z", "SUCCEEDED")],
            &[("2026-03-02T09:40:00Z", "SUCCEEDED", 1)],
        );
        h.run(
            PROD,
            "P1",
            "2026-03-02T10:00:00Z",
            Some("c1"),
            deploy,
            &[("2026-03-02T10:09:00Z", "SUCCEEDED")],
            &[("2026-03-02T10:10:00Z", "SUCCEEDED", 1)],
        );
        h.redeliver_last();
        h.stage(PROD, "P1", "Deploy", "2026-03-02T10:09:30Z", "SUCCEEDED");
        h.run(
            PROD,
            "P2",
            "2026-03-02T14:00:00Z",
            Some("c2"),
            deploy,
            &[("2026-03-02T14:04:00Z", "FAILED")],
            &[("2026-03-02T14:05:00Z", "FAILED", 1)],
        );
        h.stage(PROD, "P2", "Deploy", "2026-03-02T14:04:30Z", "FAILED");
        // Redeliver P2's DeployToProd FAILED (the row before the pipeline FAILED and stage).
        let dup = h.rows[h.rows.len() - 3].clone();
        h.rows.push(dup);
        h.run(
            PROD,
            "P3",
            "2026-03-03T09:00:00Z",
            Some("c3"),
            deploy,
            &[("2026-03-03T09:19:00Z", "FAILED")],
            &[("2026-03-03T09:20:00Z", "FAILED", 1)],
        );
        h.run(
            BUILD,
            "B2",
            "2026-03-03T10:40:00Z",
            Some("c4"),
            test,
            &[
                ("2026-03-03T10:49:00Z", "FAILED"),
                ("2026-03-03T10:57:00Z", "SUCCEEDED"),
            ],
            &[
                ("2026-03-03T10:50:00Z", "FAILED", 1),
                ("2026-03-03T10:52:00Z", "RESUMED", 2),
                ("2026-03-03T10:58:00Z", "SUCCEEDED", 2),
            ],
        );
        h.run(
            PROD,
            "P4",
            "2026-03-03T11:00:00Z",
            Some("c4"),
            deploy,
            &[("2026-03-03T11:14:00Z", "SUCCEEDED")],
            &[("2026-03-03T11:15:00Z", "SUCCEEDED", 1)],
        );
        h.run(
            PROD,
            "P5",
            "2026-03-04T08:00:00Z",
            None,
            deploy,
            &[],
            &[("2026-03-04T08:03:00Z", "SUPERSEDED", 1)],
        );
        h.run(
            PROD,
            "P6",
            "2026-03-04T08:02:00Z",
            Some("c6"),
            deploy,
            &[("2026-03-04T08:13:00Z", "SUCCEEDED")],
            &[("2026-03-04T08:14:00Z", "SUCCEEDED", 1)],
        );
        h.run(
            BUILD,
            "B3",
            "2026-03-05T12:00:00Z",
            None,
            test,
            &[],
            &[
                ("2026-03-05T12:00:50Z", "STOPPING", 1),
                ("2026-03-05T12:01:00Z", "STOPPED", 1),
            ],
        );
        h.run(PROD, "P7", "2026-03-05T16:00:00Z", None, deploy, &[], &[]);
        h
    }

    fn find<'a>(execs: &'a [Execution], id: &str) -> &'a Execution {
        execs.iter().find(|e| e.execution_id == id).unwrap()
    }

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

    #[test]
    fn executions_per_day_by_final_state() {
        let per_day = executions_per_day(&executions(&history().rows));
        let days: Vec<Date> = per_day.iter().map(|(d, _)| *d).collect();
        assert_eq!(
            days,
            [
                date!(2026 - 03 - 02),
                date!(2026 - 03 - 03),
                date!(2026 - 03 - 04),
                date!(2026 - 03 - 05)
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
        assert_eq!(
            per_day[1],
            (date!(2026 - 01 - 02), OutcomeCounts::default())
        );
    }

    #[test]
    fn per_pipeline_stage_and_action_outcomes() {
        let h = history();
        let execs = executions(&h.rows);
        let pipelines = pipeline_outcomes_per_day(&execs);
        let prod_0302 = pipelines
            .iter()
            .find(|o| o.pipeline == PROD && o.day == date!(2026 - 03 - 02))
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
            .find(|o| o.action.as_deref() == Some("UnitTests") && o.day == date!(2026 - 03 - 03))
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
    fn action_failure_hotspots() {
        let stats = action_stats(&history().rows);
        let names: Vec<(&str, &str)> = stats
            .iter()
            .map(|a| (a.pipeline.as_str(), a.action.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                // 2 failed of 5: P2, P3 failed; P1, P4, P6 succeeded.
                (PROD, "DeployToProd"),
                // 1 failed of 3: B1 ok, B2 failed then ok on retry.
                (BUILD, "UnitTests"),
                // No failures: ordered by pipeline name.
                (BUILD, "Source"),
                (PROD, "Source"),
            ]
        );
        assert_eq!(stats[0].counts.failed, 2);
        assert_eq!(stats[0].counts.succeeded, 3);
        assert_eq!(stats[0].counts.failure_rate(), Some(2.0 / 5.0));
        assert_eq!(stats[1].counts.failure_rate(), Some(1.0 / 3.0));
        assert_eq!(stats[0].provider.as_deref(), Some("CodeBuild"));
        // The last failure is P3's at 03-03 09:19.
        assert_eq!(
            stats[0].last_failure,
            Some(time::macros::datetime!(2026-03-03 09:19:00 UTC))
        );
        assert_eq!(stats[0].last_error_code.as_deref(), Some("JobFailed"));
        assert_eq!(stats[0].last_error_summary.as_deref(), Some("tests failed"));
        // Source actions: 5 in prod (P1, P2, P3, P4, P6), 2 in build (B1, B2).
        assert_eq!(stats[3].counts.succeeded, 5);
        assert_eq!(stats[2].counts.succeeded, 2);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v = [15.0, 20.0, 35.0, 40.0, 50.0];
        // n = 5: p30 -> rank ceil(1.5) = 2 -> 20; p50 -> ceil(2.5) = 3 -> 35;
        // p90 -> ceil(4.5) = 5 -> 50; p100 -> 5 -> 50; p1 -> 1 -> 15.
        assert_eq!(percentile(&v, 30), Some(20.0));
        assert_eq!(percentile(&v, 50), Some(35.0));
        assert_eq!(percentile(&v, 90), Some(50.0));
        assert_eq!(percentile(&v, 100), Some(50.0));
        assert_eq!(percentile(&v, 1), Some(15.0));
        // n = 10, p90 -> rank 9 exactly (no floating point rounding up to 10).
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&ten, 90), Some(9.0));
        assert_eq!(percentile(&ten, 95), Some(10.0));
        // Unsorted input.
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 50), Some(2.0));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&v, 0), None);
        assert_eq!(percentile(&v, 101), None);
    }

    #[test]
    fn duration_percentiles_per_pipeline() {
        let stats = duration_stats(&executions(&history().rows));
        assert_eq!(stats.len(), 2);
        // build: B1 600, B2 1080 (B3 stopped, not counted). n = 2:
        // p50 rank ceil(1.0) = 1 -> 600; p90 rank ceil(1.8) = 2 -> 1080; p95 -> 1080.
        assert_eq!(
            stats[0],
            DurationStats {
                pipeline: BUILD.into(),
                count: 2,
                p50: 600.0,
                p90: 1080.0,
                p95: 1080.0
            }
        );
        // deploy-prod: P1 600, P4 900, P6 720 -> sorted [600, 720, 900]. n = 3:
        // p50 rank ceil(1.5) = 2 -> 720; p90 rank ceil(2.7) = 3 -> 900; p95 -> 900.
        assert_eq!(
            stats[1],
            DurationStats {
                pipeline: PROD.into(),
                count: 3,
                p50: 720.0,
                p90: 900.0,
                p95: 900.0
            }
        );
        let trend = duration_trend(&executions(&history().rows));
        let prod: Vec<(Date, f64)> = trend
            .iter()
            .filter(|p| p.pipeline == PROD)
            .map(|p| (p.day, p.p50))
            .collect();
        assert_eq!(
            prod,
            [
                (date!(2026 - 03 - 02), 600.0),
                (date!(2026 - 03 - 03), 900.0),
                (date!(2026 - 03 - 04), 720.0)
            ]
        );
    }

    #[test]
    fn dora_metrics_by_hand() {
        let execs = executions(&history().rows);
        let config = DoraConfig {
            production_pipelines: [PROD.to_owned()].into(),
            period: None,
        };
        let d = dora(&execs, &config).unwrap();
        // Period: first day with an execution (03-02) to the last (03-05) = 4 days.
        assert_eq!(d.period_start, date!(2026 - 03 - 02));
        assert_eq!(d.period_end, date!(2026 - 03 - 05));
        assert_eq!(d.days, 4);

        // Deployments: P1, P4, P6 succeeded = 3. 3 / 4 days = 0.75 per day, 5.25 per week.
        // 0.75 < 1 per day but >= 1 per 30 days: high.
        assert_eq!(d.deployment_frequency.samples, 3);
        assert_eq!(d.deployment_frequency.value, Some(0.75));
        assert_eq!(d.deployments_per_week, 5.25);
        assert_eq!(d.deployment_frequency.tier, Some(Tier::High));

        // Lead time:
        //   P1 commit c1: earliest start with c1 is B1 at 09:30; end 10:10 -> 40 min = 2400 s.
        //   P4 commit c4: earliest start with c4 is B2 at 10:40; end 11:15 -> 35 min = 2100 s.
        //   P6 commit c6: only P6, start 08:02; end 08:14 -> 12 min = 720 s.
        // Sorted [720, 2100, 2400]; median rank ceil(1.5) = 2 -> 2100 s. < 1 hour: elite.
        assert_eq!(d.lead_time.samples, 3);
        assert_eq!(d.lead_time.value, Some(2100.0));
        assert_eq!(d.lead_time.tier, Some(Tier::Elite));

        // Time to restore: in end order P1 ok, P2 FAILED 03-02 14:05 (opens), P3 FAILED
        // 03-03 09:20 (already open), P4 ok 03-03 11:15 (closes): 21 h 10 min = 76200 s.
        // P6 ok, nothing open. One restore, median 76200 s. < 1 day: high.
        assert_eq!(d.time_to_restore.samples, 1);
        assert_eq!(d.time_to_restore.value, Some(76200.0));
        assert_eq!(d.time_to_restore.tier, Some(Tier::High));
        assert_eq!(d.unrestored_failures, 0);

        // Change failure rate: completed prod = P1, P2, P3, P4, P6 (P5 superseded, P7
        // running are not deployments). 2 failed / 5 = 0.4. <= 45%: medium.
        assert_eq!(d.change_failure_rate.samples, 5);
        assert_eq!(d.change_failure_rate.value, Some(0.4));
        assert_eq!(d.change_failure_rate.tier, Some(Tier::Medium));

        // Per end day: 03-02 P1 ok + P2 failed; 03-03 P3 failed + P4 ok; 03-04 P6 ok; 03-05 none.
        let per_day: Vec<(u64, u64)> = d
            .deployments_per_day
            .iter()
            .map(|(_, c)| (c.succeeded, c.failed))
            .collect();
        assert_eq!(per_day, [(1, 1), (1, 1), (1, 0), (0, 0)]);
    }

    #[test]
    fn dora_with_an_explicit_period_and_an_open_failure() {
        let execs = executions(&history().rows);
        let config = DoraConfig {
            production_pipelines: [PROD.to_owned()].into(),
            period: Some((date!(2026 - 03 - 02), date!(2026 - 03 - 02))),
        };
        let d = dora(&execs, &config).unwrap();
        // Only 03-02: P1 ok, P2 failed. 1 deployment / 1 day = 1.0: elite.
        assert_eq!(d.days, 1);
        assert_eq!(d.deployment_frequency.value, Some(1.0));
        assert_eq!(d.deployment_frequency.tier, Some(Tier::Elite));
        // P2's failure is not restored within the period.
        assert_eq!(d.unrestored_failures, 1);
        assert_eq!(d.time_to_restore.value, None);
        assert_eq!(d.time_to_restore.tier, None);
        // 1 failed / 2 = 0.5 > 45%: low.
        assert_eq!(d.change_failure_rate.value, Some(0.5));
        assert_eq!(d.change_failure_rate.tier, Some(Tier::Low));
    }

    #[test]
    fn dora_needs_production_pipelines_and_data() {
        let execs = executions(&history().rows);
        assert_eq!(dora(&execs, &DoraConfig::default()), None);
        let config = DoraConfig {
            production_pipelines: ["other".to_owned()].into(),
            period: None,
        };
        assert_eq!(dora(&[], &config), None);
        let d = dora(&execs, &config).unwrap();
        // No production executions: 0 per day (low), nothing else measurable.
        assert_eq!(d.deployment_frequency.value, Some(0.0));
        assert_eq!(d.deployment_frequency.tier, Some(Tier::Low));
        assert_eq!(d.lead_time.value, None);
        assert_eq!(d.change_failure_rate.value, None);
    }

    #[test]
    fn tier_boundaries() {
        assert_eq!(deployment_frequency_tier(1.0), Tier::Elite);
        assert_eq!(deployment_frequency_tier(1.0 / 7.0), Tier::High);
        assert_eq!(deployment_frequency_tier(1.0 / 30.0), Tier::High);
        assert_eq!(deployment_frequency_tier(1.0 / 31.0), Tier::Medium);
        assert_eq!(deployment_frequency_tier(1.0 / 182.0), Tier::Medium);
        assert_eq!(deployment_frequency_tier(1.0 / 183.0), Tier::Low);
        assert_eq!(lead_time_tier(3599.0), Tier::Elite);
        assert_eq!(lead_time_tier(3600.0), Tier::High);
        assert_eq!(lead_time_tier(7.0 * DAY), Tier::Medium);
        assert_eq!(lead_time_tier(182.0 * DAY), Tier::Low);
        assert_eq!(time_to_restore_tier(3599.0), Tier::Elite);
        assert_eq!(time_to_restore_tier(DAY - 1.0), Tier::High);
        assert_eq!(time_to_restore_tier(DAY), Tier::Medium);
        assert_eq!(time_to_restore_tier(7.0 * DAY), Tier::Low);
        assert_eq!(change_failure_rate_tier(0.15), Tier::Elite);
        assert_eq!(change_failure_rate_tier(0.16), Tier::High);
        assert_eq!(change_failure_rate_tier(0.30), Tier::High);
        assert_eq!(change_failure_rate_tier(0.45), Tier::Medium);
        assert_eq!(change_failure_rate_tier(0.46), Tier::Low);
    }
}
