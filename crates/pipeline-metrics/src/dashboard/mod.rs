//! The metrics dashboard: one self-contained HTML page and a plain-text summary.
//!
//! - this module: [`Report`], everything the dashboard shows, computed once from the rows
//!   (the view model), and [`ReportConfig`];
//! - `view`: the display texts that the page and the summary share (durations, rates,
//!   DORA tiles, the pipeline and hotspot lines);
//! - `charts`: the four SVG charts; `html`: the page ([`render_html`]); `text`: the
//!   summary ([`render_text`]).
//!
//! The page loads nothing from the network: CSS is inline and every chart is an inline
//! `<svg>` drawn here, its markup written with the `maud` template macro (which escapes
//! every text and attribute value). Each chart has a stable id (see [`CHART_IDS`]) and the
//! class `chart`; each DORA tile has a stable id (see [`DORA_TILE_IDS`]) and the classes
//! `tile tier-{elite,high,medium,low,none}`, so browser tests can find them. The output is
//! deterministic: the same rows give the same bytes.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::metrics::{
    self, ActionStats, Dora, DoraConfig, DurationPoint, DurationStats, Execution, OutcomeCounts,
};
use crate::row::Row;

mod charts;
pub mod digest;
mod html;
mod text;
mod view;

#[cfg(test)]
mod tests;

pub use html::render_html;
pub use text::render_text;
pub use view::format_duration;

/// Ids of the charts, in page order.
pub const CHART_IDS: [&str; 4] = [
    "chart-executions-per-day",
    "chart-deployments-per-day",
    "chart-action-failure-rate",
    "chart-duration-trend",
];

/// Ids of the DORA tiles, in page order.
pub const DORA_TILE_IDS: [&str; 4] = [
    "dora-deployment-frequency",
    "dora-lead-time",
    "dora-time-to-restore",
    "dora-change-failure-rate",
];

/// What the report shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportConfig {
    /// Page title.
    pub title: String,
    /// Production pipelines and period for the DORA metrics.
    pub dora: DoraConfig,
    /// Most actions in the failure-rate chart and the hotspot table.
    pub max_actions: usize,
    /// Most pipelines (those with the most succeeded runs) in the duration trend.
    pub max_trend_pipelines: usize,
    /// The period, first and last UTC day (inclusive), as `metrics` defines it (the Athena
    /// queries' last `MetricsPeriodDays` days up to today); also the DORA period unless
    /// that has its own.
    pub period: Option<(Date, Date)>,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            title: "Pipeline metrics".to_owned(),
            dora: DoraConfig::default(),
            max_actions: 15,
            max_trend_pipelines: 8,
            period: None,
        }
    }
}

/// Everything the dashboard shows, computed once from the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Page title.
    pub title: String,
    /// Rows read.
    pub rows: usize,
    /// Rows dropped as duplicates (same `event_id`).
    pub duplicates: usize,
    /// The executions that started in the period.
    pub executions: Vec<Execution>,
    /// Executions per start day by outcome.
    pub per_day: Vec<(Date, OutcomeCounts)>,
    /// Executions per pipeline by outcome.
    pub totals: BTreeMap<String, OutcomeCounts>,
    /// Actions, failure hotspots first, at most `max_actions`.
    pub actions: Vec<ActionStats>,
    /// Duration percentiles per pipeline.
    pub durations: Vec<DurationStats>,
    /// Daily median durations of the pipelines shown in the trend.
    pub trend: Vec<DurationPoint>,
    /// DORA metrics, when production pipelines are configured.
    pub dora: Option<Dora>,
}

impl Report {
    /// Computes the report from rows (duplicates allowed: they are counted once), over
    /// the period as `metrics` defines it: executions are made from every row, then kept
    /// by the day they started (the DORA metrics: by the day they ended); stage and action
    /// outcomes are the rows of the period's days.
    pub fn build(rows: &[Row], config: &ReportConfig) -> Report {
        let mut dora_config = config.dora.clone();
        dora_config.period = dora_config.period.or(config.period);
        let all = metrics::executions(rows);
        let dora = metrics::dora(&all, &dora_config);
        let in_period: Vec<Row>;
        let (rows, executions) = match config.period {
            Some(period) => {
                in_period = rows
                    .iter()
                    .filter(|r| metrics::in_period(crate::utc::day(r.event_time), period))
                    .cloned()
                    .collect();
                let executions = all
                    .into_iter()
                    .filter(|e| metrics::in_period(e.day(), period))
                    .collect();
                (in_period.as_slice(), executions)
            }
            None => (rows, all),
        };
        let mut actions = metrics::action_stats(rows);
        actions.truncate(config.max_actions);
        let durations = metrics::duration_stats(&executions);
        let mut by_count: Vec<&DurationStats> = durations.iter().collect();
        by_count.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.pipeline.cmp(&b.pipeline))
        });
        let shown: Vec<&str> = by_count
            .iter()
            .take(config.max_trend_pipelines)
            .map(|d| d.pipeline.as_str())
            .collect();
        let trend = metrics::duration_trend(&executions)
            .into_iter()
            .filter(|p| shown.contains(&p.pipeline.as_str()))
            .collect();
        Report {
            title: config.title.clone(),
            rows: rows.len(),
            duplicates: rows.len() - metrics::dedup(rows).len(),
            per_day: metrics::executions_per_day(&executions),
            totals: metrics::pipeline_totals(&executions),
            dora,
            actions,
            durations,
            trend,
            executions,
        }
    }

    /// First and last day with executions.
    fn span(&self) -> Option<(Date, Date)> {
        Some((self.per_day.first()?.0, self.per_day.last()?.0))
    }
}
