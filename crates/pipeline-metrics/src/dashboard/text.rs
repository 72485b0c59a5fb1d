//! The plain-text summary (for stdout and chat digests).

use std::fmt::Write as _;

use super::Report;
use super::view::{dora_tiles, hotspots, pipeline_lines};
use crate::batch::format_day;
use crate::metrics::OutcomeCounts;

/// Renders the plain-text summary (for stdout and chat digests).
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", report.title);
    if let Some((first, last)) = report.span() {
        let _ = writeln!(out, "Period: {} to {}", format_day(first), format_day(last));
    }
    let mut all = OutcomeCounts::default();
    for c in report.totals.values() {
        all.merge(c);
    }
    let _ = writeln!(
        out,
        "Events: {} ({} duplicates ignored)",
        report.rows, report.duplicates
    );
    let _ = writeln!(
        out,
        "Executions: {} (succeeded {}, failed {}, stopped {}, superseded {}, in progress {}, unknown state {})",
        all.total(),
        all.succeeded,
        all.failed,
        all.stopped,
        all.superseded,
        all.in_progress,
        all.unknown
    );
    let pipelines = pipeline_lines(report);
    if !pipelines.is_empty() {
        let _ = writeln!(out, "\nPipelines:");
        let width = pipelines
            .iter()
            .map(|p| p.name.chars().count())
            .max()
            .unwrap_or(0);
        for p in pipelines {
            let _ = writeln!(
                out,
                "  {:<width$}  runs {:>4}  failure rate {:>6}  p50 {:>8}  p90 {:>8}  p95 {:>8}",
                p.name,
                p.counts.total(),
                p.failure_rate,
                p.p50,
                p.p90,
                p.p95,
            );
        }
    }
    let hotspots = hotspots(report);
    if !hotspots.is_empty() {
        let _ = writeln!(out, "\nAction failure hotspots:");
        for h in hotspots {
            let _ = writeln!(
                out,
                "  {}  failed {} of {} ({}){}",
                h.name,
                h.stats.counts.failed,
                h.decided,
                h.failure_rate,
                h.stats
                    .last_error_code
                    .as_deref()
                    .map(|c| format!("  last: {c}"))
                    .unwrap_or_default()
            );
        }
    }
    match &report.dora {
        Some(d) => {
            let _ = writeln!(
                out,
                "\nDORA ({}; {} to {}, {} days):",
                d.production_pipelines.join(", "),
                format_day(d.period_start),
                format_day(d.period_end),
                d.days
            );
            for tile in dora_tiles(d) {
                let _ = writeln!(
                    out,
                    "  {:<31} {:>10}  {:<7}  ({})",
                    tile.name,
                    tile.value,
                    tile.tier_class(),
                    tile.detail
                );
            }
        }
        None => {
            let _ = writeln!(out, "\nDORA: no production pipelines configured");
        }
    }
    out
}
