//! The dashboard as one self-contained HTML page.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::view::{dora_tiles, hotspots, outcome_label, pipeline_lines};
use super::{CHART_IDS, Report, charts};
use crate::batch::format_day;
use crate::metrics::Outcome;

/// The page's whole style sheet, inline.
const CSS: &str = r#"
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212121; background: #fafafa; }
body { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { margin: 0 0 4px; font-size: 1.6rem; }
h2 { font-size: 1.15rem; margin: 28px 0 8px; }
.meta { color: #616161; margin: 0 0 16px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
.tile { border-radius: 8px; padding: 14px 16px; background: #fff; border-left: 6px solid #bdbdbd; box-shadow: 0 1px 2px rgba(0,0,0,.12); }
.tile h3 { margin: 0; font-size: .85rem; text-transform: uppercase; letter-spacing: .04em; color: #616161; }
.tile .value { font-size: 1.9rem; font-weight: 600; margin: 6px 0 2px; }
.tile .detail { font-size: .85rem; color: #616161; margin: 0; }
.tile .tier { display: inline-block; margin-top: 8px; padding: 2px 10px; border-radius: 10px; font-size: .8rem; font-weight: 600; color: #fff; background: #9e9e9e; }
.tier-elite { border-left-color: #1b5e20; } .tier-elite .tier { background: #1b5e20; }
.tier-high { border-left-color: #43a047; } .tier-high .tier { background: #43a047; }
.tier-medium { border-left-color: #f9a825; } .tier-medium .tier { background: #f9a825; color: #212121; }
.tier-low { border-left-color: #c62828; } .tier-low .tier { background: #c62828; }
.card { background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.12); }
svg.chart { display: block; }
svg .grid { stroke: #e0e0e0; stroke-width: 1; }
svg .axis, svg .legend, svg .value { font-size: 11px; fill: #616161; }
svg .empty { font-size: 14px; fill: #9e9e9e; }
svg .track { fill: #f5f5f5; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .9rem; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #eee; }
th { background: #f5f5f5; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #616161; font-size: .9rem; }
footer { margin-top: 32px; color: #757575; font-size: .8rem; }
"#;

/// ` · ` between the facts of the header line.
const DOT: PreEscaped<&str> = PreEscaped(" &middot; ");

/// Renders the dashboard as one self-contained HTML page.
pub fn render_html(report: &Report) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (report.title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                (header(report))
                (dora(report))
                (charts(report))
                (pipelines(report))
                (hotspots_table(report))
                footer {
                    "Executions are counted once by their final state on the day they started; \
                     actions count every completed attempt. Failure rate = failed / (succeeded + failed). \
                     Durations are of succeeded executions, nearest-rank percentiles. \
                     DORA tiers follow the 2021 State of DevOps report thresholds."
                }
            }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
}

/// The title and the period, executions and events shown.
fn header(report: &Report) -> Markup {
    html! {
        header {
            h1 { (report.title) }
            p class="meta" {
                @match report.span() {
                    Some((first, last)) => { (format_day(first)) " to " (format_day(last)) (DOT) }
                    None => { "No executions" (DOT) }
                }
                (report.executions.len()) " executions" (DOT) (report.rows) " events ("
                (report.duplicates) " duplicates ignored)"
            }
        }
    }
}

/// The DORA tiles, or why there are none.
fn dora(report: &Report) -> Markup {
    html! {
        section id="dora" {
            h2 { "DORA metrics" }
            @match &report.dora {
                Some(d) => {
                    p class="note" {
                        "Production pipelines: " (d.production_pipelines.join(", ")) ". Period "
                        (format_day(d.period_start)) " to " (format_day(d.period_end)) " ("
                        (d.days) " days)."
                    }
                    div class="tiles" {
                        @for tile in dora_tiles(d) {
                            div id=(tile.id) class={"tile tier-" (tile.tier_class())} {
                                h3 { (tile.name) }
                                p class="value" { (tile.value) }
                                p class="detail" { (tile.detail) }
                                span class="tier" { (tile.tier_label()) }
                            }
                        }
                    }
                }
                None => {
                    p class="note" {
                        "No production pipelines configured: name the pipelines that deploy to \
                         production to see DORA metrics."
                    }
                }
            }
        }
    }
}

/// The four charts, each in its card.
fn charts(report: &Report) -> Markup {
    let deployments = report
        .dora
        .as_ref()
        .map(|d| d.deployments_per_day.as_slice())
        .unwrap_or_default();
    let cards = [
        (
            "Executions per day",
            charts::stacked_bars(
                CHART_IDS[0],
                "Executions per day by outcome",
                &report.per_day,
                "No executions yet",
            ),
        ),
        (
            "Production deployments per day",
            charts::stacked_bars(
                CHART_IDS[1],
                "Production deployments per day by outcome",
                deployments,
                "No production deployments",
            ),
        ),
        (
            "Failure rate per action",
            charts::failure_rate_bars(&report.actions),
        ),
        ("Duration trend", charts::duration_lines(&report.trend)),
    ];
    html! {
        @for (heading, chart) in cards {
            section {
                h2 { (heading) }
                div class="card" { (chart) }
            }
        }
    }
}

/// A `<section>` with a heading and a table of `columns` over `rows` (`<tr>`s).
fn table(id: &str, heading: &str, columns: &[&str], rows: Markup) -> Markup {
    html! {
        section id=(id) {
            h2 { (heading) }
            table {
                thead { tr { @for name in columns { th { (name) } } } }
                tbody { (rows) }
            }
        }
    }
}

/// One row per pipeline: runs by outcome (every outcome, so the row adds up to the runs),
/// failure rate, duration percentiles.
fn pipelines(report: &Report) -> Markup {
    let mut columns = vec!["Pipeline", "Runs"];
    columns.extend(Outcome::ALL.map(outcome_label));
    columns.extend(["Failure rate", "p50", "p90", "p95"]);
    let rows = html! {
        @for p in pipeline_lines(report) {
            tr {
                td { (p.name) }
                td class="num" { (p.counts.total()) }
                @for o in Outcome::ALL {
                    td class="num" { (p.counts.get(o)) }
                }
                @for text in [&p.failure_rate, &p.p50, &p.p90, &p.p95] {
                    td class="num" { (text) }
                }
            }
        }
    };
    table("pipelines", "Pipelines", &columns, rows)
}

/// One row per action that failed: counts, rate and the last error.
fn hotspots_table(report: &Report) -> Markup {
    let columns = [
        "Action",
        "Provider",
        "Failed",
        "Succeeded",
        "Failure rate",
        "Last failure",
    ];
    let rows = html! {
        @for h in hotspots(report) {
            tr {
                td { (h.name) }
                td { (h.stats.provider.as_deref().unwrap_or("")) }
                td class="num" { (h.stats.counts.failed) }
                td class="num" { (h.stats.counts.succeeded) }
                td class="num" { (h.failure_rate) }
                td { (h.last) }
            }
        }
    };
    table("hotspots", "Action failure hotspots", &columns, rows)
}
