//! Metrics over rows, defined exactly as the Athena queries compute them.
//!
//! One module per concept, all re-exported here:
//! - [`executions`](mod@executions): deduplication and one [`Execution`] per pipeline run;
//! - [`outcomes`]: [`Outcome`], [`OutcomeCounts`], and counts per pipeline, stage or
//!   action and day;
//! - [`actions`]: success and failure per action over the whole history (hotspots);
//! - [`durations`]: nearest-rank percentiles of succeeded executions;
//! - [`dora`](mod@dora): the four DORA metrics and their tiers.
//!
//! Every function here has one precise definition, written out below, so that the report
//! built locally and the Athena views agree to the number (the `athena_sql` integration
//! test runs the queries in `sql/` and compares every figure). Times are UTC; a "day" is
//! the UTC date.
//!
//! # Period
//! A period is the last `N` UTC days up to and including today: in Athena
//! `day > current_date - INTERVAL 'N' DAY AND day <= current_date`, with `N` the template
//! parameter `MetricsPeriodDays` (one value for every query); locally `--since` /
//! `--until`, the first and last day inclusive ([`in_period`]). What places a record in
//! the period:
//! - an **execution** (outcomes per pipeline and day, totals, durations): the day it
//!   **started**; executions are made from every row first, so a run that started in the
//!   period keeps its rows from after it;
//! - a **DORA** execution (deployments, lead time, recovery, change failure rate): the day
//!   it **ended**; change starts (lead time) look at every execution, in the period or not;
//! - a **stage or action outcome** (outcomes per stage and action, hotspots): the day of
//!   its row's `event_time` (the partition `dt`).
//!
//! # Deduplication
//! Delivery is at least once: rows are first reduced to one per `event_id` ([`dedup`]).
//! Stage and action outcomes are then reduced to one per step outcome
//! ([`step_outcome_rows`]): a row with an `action_execution_id` is one per `(pipeline,
//! execution_id, stage, action, action_execution_id, state)`, the earliest by
//! `(event_time, event_id)`, so a history import (`backfill:...` event ids) overlapping
//! live days counts each attempt once.
//!
//! # Executions
//! One [`Execution`] per `(pipeline, execution_id)` with at least one pipeline-level row
//! ([`executions`](fn@executions)):
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
//! - Every execution is in exactly one of the six outcomes (in Athena: the columns
//!   `succeeded`, `failed`, `stopped`, `superseded`, `in_progress`, `unknown`).
//! - Per stage or action and day ([`step_outcomes_per_day`]) and per action overall
//!   ([`action_stats`]): every outcome row ([`step_outcome_rows`]: terminal or unknown
//!   state, one per step outcome) counts, on the day of its `event_time`, so an action
//!   that failed and then succeeded on retry counts one failure and one success; rows in
//!   progress (STARTED, RESUMED, STOPPING) are not outcomes, so `in_progress` is 0 there.
//!
//! # Durations
//! Over **succeeded** executions only. Percentiles are nearest-rank: the `p`-th percentile
//! of `n` sorted values is the value at 1-based rank `ceil(p * n / 100)` (integer
//! arithmetic: `(p * n + 99) / 100`), so it is always an observed value; the median is
//! the `p = 50` one (of 4 values, the 2nd). In Athena:
//! `element_at(array_sort(array_agg(duration)), (90 * count(*) + 99) / 100)`.
//!
//! # DORA
//! Over the executions of the pipelines named in [`DoraConfig::production_pipelines`]
//! whose **end** falls in the period (default, without a period: the first to the last
//! day with any execution, start or end, inclusive). A *deployment* is a production execution whose
//! final state is SUCCEEDED; a *failed deployment* one whose final state is FAILED.
//! - **Deployment frequency**: deployments / days in the period (also shown per week,
//!   times 7).
//! - **Lead time for changes**: per deployment, its end minus the *change start*: the
//!   earliest start of any execution of any pipeline (production or not, in the period or
//!   not) with the same commit id; a deployment without a commit id uses its own start.
//!   CodePipeline events carry no commit timestamp, so this is commit-*entered-the-pipeline*
//!   to production, a lower bound of DORA's commit-to-production. The metric is the median
//!   (nearest-rank p50).
//! - **Failed deployment recovery time** (formerly "time to restore"): per production pipeline, completed (SUCCEEDED or FAILED)
//!   executions in end order; a failure opens an incident unless one is open; the next
//!   success closes it, and the restore time is that success's end minus the end of the
//!   failure that opened it. Incidents still open at the end of the period are counted in
//!   [`Dora::unrecovered_failures`], not in the median. The metric is the median.
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
//! | failed deployment recovery time (median) | < 1 hour | < 1 day | < 1 week | >= 1 week |
//! | change failure rate | <= 15% | <= 30% | <= 45% | > 45% |
//!
//! # Athena
//! The same definitions over the Glue table `events` (the row schema of [`crate::row`])
//! are the views and queries in `sql/` at the workspace root, which `template.yaml`
//! deploys as Glue views and named queries (copied from there; a test fails when the two
//! differ, and the `athena_sql` test runs them against this crate).

pub mod actions;
pub mod dora;
pub mod durations;
pub mod executions;
pub mod outcomes;

#[cfg(test)]
pub(crate) mod history;

pub use actions::{ActionStats, action_stats};
pub use dora::{
    Dora, DoraConfig, DoraMetric, Tier, change_failure_rate_tier, deployment_frequency_tier, dora,
    failed_deployment_recovery_tier, lead_time_tier,
};
pub use durations::{DurationPoint, DurationStats, duration_stats, duration_trend, percentile};
pub use executions::{Execution, dedup, executions};
pub use outcomes::{
    DailyOutcomes, Outcome, OutcomeCounts, executions_per_day, pipeline_outcomes_per_day,
    pipeline_totals, step_outcome_rows, step_outcomes_per_day,
};

/// Whether `day` is in `period`, the first and last day inclusive (see the module docs).
pub fn in_period(day: jiff::civil::Date, period: (jiff::civil::Date, jiff::civil::Date)) -> bool {
    (period.0..=period.1).contains(&day)
}
