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
    lead_time_tier, time_to_restore_tier,
};
pub use durations::{DurationPoint, DurationStats, duration_stats, duration_trend, percentile};
pub use executions::{Execution, dedup, executions};
pub use outcomes::{
    DailyOutcomes, Outcome, OutcomeCounts, executions_per_day, pipeline_outcomes_per_day,
    pipeline_totals, step_outcomes_per_day,
};
