//! The display texts that the HTML page and the plain-text summary share: durations,
//! rates, outcome and tier labels, the DORA tiles, and one line per pipeline and per
//! failing action.

use super::{DORA_TILE_IDS, Report};
use crate::metrics::{ActionStats, Dora, DoraMetric, Outcome, OutcomeCounts, Tier};

/// A duration for people: `45s`, `12m 30s`, `3h 05m`, `2d 04h`.
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "-".to_owned();
    }
    let s = seconds.round().max(0.0) as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {:02}h", s / 86400, (s % 86400) / 3600),
    }
}

/// A ratio as a percentage with one decimal: `40.0%`.
pub(super) fn pct(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// A failure rate, or `-` when nothing has completed.
pub(super) fn failure_rate(counts: &OutcomeCounts) -> String {
    counts.failure_rate().map_or("-".to_owned(), pct)
}

/// The outcome as the legend and the bar tooltips name it.
pub(super) fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Succeeded => "Succeeded",
        Outcome::Failed => "Failed",
        Outcome::Stopped => "Stopped",
        Outcome::Superseded => "Superseded",
        Outcome::InProgress => "In progress",
        Outcome::Unknown => "Unknown",
    }
}

/// The outcome's colour in the charts.
pub(super) fn outcome_color(o: Outcome) -> &'static str {
    match o {
        Outcome::Succeeded => "#2e7d32",
        Outcome::Failed => "#c62828",
        Outcome::Stopped => "#757575",
        Outcome::Superseded => "#f9a825",
        Outcome::InProgress => "#1565c0",
        Outcome::Unknown => "#8e24aa",
    }
}

/// `pipeline / stage / action`.
pub(super) fn action_name(a: &ActionStats) -> String {
    format!("{} / {} / {}", a.pipeline, a.stage, a.action)
}

/// One DORA metric as a tile (and a summary line).
pub(super) struct DoraTile {
    /// The tile's element id (one of [`DORA_TILE_IDS`]).
    pub id: &'static str,
    /// The metric's name.
    pub name: &'static str,
    /// The value, or `-` without observations.
    pub value: String,
    /// What the value rests on.
    pub detail: String,
    /// The tier, `None` without a value.
    pub tier: Option<Tier>,
}

impl DoraTile {
    fn new(
        id: &'static str,
        name: &'static str,
        metric: &DoraMetric,
        value: impl Fn(f64) -> String,
        detail: String,
    ) -> Self {
        DoraTile {
            id,
            name,
            value: metric.value.map_or("-".to_owned(), value),
            detail,
            tier: metric.tier,
        }
    }

    /// The tier's CSS class suffix and summary word: `elite` ... `low`, or `none`.
    pub fn tier_class(&self) -> &'static str {
        self.tier.map_or("none", Tier::as_str)
    }

    /// The tier for people: `Elite` ... `Low`, or `No data`.
    pub fn tier_label(&self) -> &'static str {
        match self.tier {
            Some(Tier::Elite) => "Elite",
            Some(Tier::High) => "High",
            Some(Tier::Medium) => "Medium",
            Some(Tier::Low) => "Low",
            None => "No data",
        }
    }
}

/// `n` and the noun for it: `1 recovery`, `2 recoveries`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The four DORA tiles, in page order.
pub(super) fn dora_tiles(d: &Dora) -> [DoraTile; 4] {
    let [frequency, lead_time, recovery, failure_rate] = DORA_TILE_IDS;
    [
        DoraTile::new(
            frequency,
            "Deployment frequency",
            &d.deployment_frequency,
            |v| format!("{v:.2}/day"),
            format!(
                "{:.1} per week; {} in {}",
                d.deployments_per_week,
                count(d.deployment_frequency.samples, "deployment", "deployments"),
                count(u64::from(d.days), "day", "days")
            ),
        ),
        DoraTile::new(
            lead_time,
            "Lead time for changes",
            &d.lead_time,
            format_duration,
            format!(
                "median of {}",
                count(d.lead_time.samples, "deployment", "deployments")
            ),
        ),
        DoraTile::new(
            recovery,
            "Failed deployment recovery time",
            &d.failed_deployment_recovery,
            format_duration,
            format!(
                "median of {}; {} unrecovered",
                count(
                    d.failed_deployment_recovery.samples,
                    "recovery",
                    "recoveries"
                ),
                d.unrecovered_failures
            ),
        ),
        DoraTile::new(
            failure_rate,
            "Change failure rate",
            &d.change_failure_rate,
            pct,
            format!(
                "of {}",
                count(
                    d.change_failure_rate.samples,
                    "completed deployment",
                    "completed deployments"
                )
            ),
        ),
    ]
}

/// One pipeline's runs and durations, as the table and the summary show them.
pub(super) struct PipelineLine<'a> {
    /// Pipeline name.
    pub name: &'a str,
    /// Executions by outcome.
    pub counts: &'a OutcomeCounts,
    /// Failure rate, or `-`.
    pub failure_rate: String,
    /// Duration percentiles of succeeded executions, or `-`.
    pub p50: String,
    /// 90th percentile, or `-`.
    pub p90: String,
    /// 95th percentile, or `-`.
    pub p95: String,
}

/// A line per pipeline, by name.
pub(super) fn pipeline_lines(report: &Report) -> Vec<PipelineLine<'_>> {
    report
        .totals
        .iter()
        .map(|(name, counts)| {
            let d = report.durations.iter().find(|d| &d.pipeline == name);
            let duration = |p: fn(&crate::metrics::DurationStats) -> f64| {
                d.map_or("-".to_owned(), |d| format_duration(p(d)))
            };
            PipelineLine {
                name,
                counts,
                failure_rate: failure_rate(counts),
                p50: duration(|d| d.p50),
                p90: duration(|d| d.p90),
                p95: duration(|d| d.p95),
            }
        })
        .collect()
}

/// One action that failed at least once, as the hotspot table and the summary show it.
pub(super) struct Hotspot<'a> {
    /// The action's numbers.
    pub stats: &'a ActionStats,
    /// `pipeline / stage / action`.
    pub name: String,
    /// Succeeded + failed.
    pub decided: u64,
    /// Failure rate, or `-`.
    pub failure_rate: String,
    /// The last failure: `code: summary`, either alone, or empty.
    pub last: String,
}

/// The report's actions that failed at least once, hotspots first.
pub(super) fn hotspots(report: &Report) -> Vec<Hotspot<'_>> {
    report
        .actions
        .iter()
        .filter(|a| a.counts.failed > 0)
        .map(|a| Hotspot {
            stats: a,
            name: action_name(a),
            decided: a.counts.succeeded + a.counts.failed,
            failure_rate: failure_rate(&a.counts),
            last: match (&a.last_error_code, &a.last_error_summary) {
                (Some(code), Some(summary)) => format!("{code}: {summary}"),
                (Some(text), None) | (None, Some(text)) => text.clone(),
                (None, None) => String::new(),
            },
        })
        .collect()
}
