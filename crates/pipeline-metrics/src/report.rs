//! The metrics dashboard: one self-contained HTML page and a plain-text summary.
//!
//! The page loads nothing from the network: CSS is inline and every chart is an inline
//! `<svg>` drawn here. Each chart has a stable id (see [`CHART_IDS`]) and the class
//! `chart`; each DORA tile has a stable id (see [`DORA_TILE_IDS`]) and the classes
//! `tile tier-{elite,high,medium,low,none}`, so browser tests can find them. The output is
//! deterministic: the same rows give the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::civil::Date;

use crate::batch::format_day;
use crate::metrics::{
    self, ActionStats, Dora, DoraConfig, DoraMetric, DurationPoint, DurationStats, Execution,
    Outcome, OutcomeCounts, Tier,
};
use crate::row::Row;

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
    /// First and last day (inclusive) of rows to use, by the UTC date of `event_time` (as
    /// an Athena `dt BETWEEN` would); also the DORA period unless that has its own.
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
    /// Every execution.
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
    /// Computes the report from rows (duplicates allowed: they are counted once).
    pub fn build(rows: &[Row], config: &ReportConfig) -> Report {
        let in_period: Vec<Row>;
        let rows = match config.period {
            Some((first, last)) => {
                in_period = rows
                    .iter()
                    .filter(|r| (first..=last).contains(&crate::utc::day(r.event_time)))
                    .cloned()
                    .collect();
                in_period.as_slice()
            }
            None => rows,
        };
        let mut dora_config = config.dora.clone();
        dora_config.period = dora_config.period.or(config.period);
        let executions = metrics::executions(rows);
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
            dora: metrics::dora(&executions, &dora_config),
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

/// Escapes text for HTML and SVG content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

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
fn pct(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Succeeded => "Succeeded",
        Outcome::Failed => "Failed",
        Outcome::Stopped => "Stopped",
        Outcome::Superseded => "Superseded",
        Outcome::InProgress => "In progress",
        Outcome::Unknown => "Unknown",
    }
}

fn outcome_color(o: Outcome) -> &'static str {
    match o {
        Outcome::Succeeded => "#2e7d32",
        Outcome::Failed => "#c62828",
        Outcome::Stopped => "#757575",
        Outcome::Superseded => "#f9a825",
        Outcome::InProgress => "#1565c0",
        Outcome::Unknown => "#8e24aa",
    }
}

const PALETTE: [&str; 8] = [
    "#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457", "#558b2f", "#4e342e",
];

/// The smallest 1, 2 or 5 times a power of ten that is at least `v` (at least 1): a grid
/// step for counts.
fn nice_ceiling(v: f64) -> f64 {
    if !v.is_finite() || v <= 1.0 {
        return 1.0;
    }
    let mut magnitude = 1.0;
    while magnitude * 10.0 <= v {
        magnitude *= 10.0;
    }
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|n| *n >= v)
        .unwrap_or(10.0 * magnitude)
}

/// The smallest whole number of seconds, minutes, hours or days in the list below that is
/// at least `seconds`: a grid step for durations.
fn nice_duration_ceiling(seconds: f64) -> f64 {
    let steps = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
        10800.0, 21600.0, 43200.0, 86400.0, 172800.0, 604800.0,
    ];
    steps
        .into_iter()
        .find(|s| *s >= seconds)
        .unwrap_or_else(|| (seconds / 604800.0).ceil() * 604800.0)
}

const W: f64 = 760.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;

fn svg_open(out: &mut String, id: &str, label: &str, height: f64) {
    let _ = write!(
        out,
        r#"<svg id="{id}" class="chart" role="img" aria-label="{}" viewBox="0 0 {W} {height}" width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">"#,
        esc(label)
    );
    let _ = write!(out, "<title>{}</title>", esc(label));
}

fn svg_empty(out: &mut String, id: &str, label: &str, message: &str) {
    svg_open(out, id, label, 80.0);
    let _ = write!(
        out,
        r#"<text class="empty" x="{}" y="45" text-anchor="middle">{}</text></svg>"#,
        W / 2.0,
        esc(message)
    );
}

/// Horizontal grid lines with labels at 0, 1/4, ... of `max`.
fn y_grid(out: &mut String, max: f64, plot_h: f64, label: impl Fn(f64) -> String) {
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let y = TOP + plot_h - plot_h * f64::from(i) / 4.0;
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            esc(&label(v))
        );
    }
}

/// Day labels (`MM-DD`) under at most about ten evenly spaced days.
fn x_labels(out: &mut String, days: &[Date], x_of: impl Fn(usize) -> f64, y: f64) {
    let every = days.len().div_ceil(10).max(1);
    let mut shown: Vec<usize> = (0..days.len()).step_by(every).collect();
    if let (Some(&last_shown), Some(last)) = (shown.last(), days.len().checked_sub(1))
        && last_shown != last
    {
        // Make room for the last day's label rather than crowding it.
        if last - last_shown <= every / 2 {
            shown.pop();
        }
        shown.push(last);
    }
    for i in shown {
        if let Some(day) = days.get(i) {
            let label = format_day(*day);
            let short = label.get(5..).unwrap_or(&label);
            let _ = write!(
                out,
                r#"<text class="axis" x="{:.1}" y="{y:.1}" text-anchor="middle">{short}</text>"#,
                x_of(i)
            );
        }
    }
}

fn legend(out: &mut String, items: &[(&str, &str)], y: f64) {
    let mut x = LEFT;
    for (label, color) in items {
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="10" height="10" fill="{color}"/><text class="legend" x="{:.1}" y="{y:.1}">{}</text>"#,
            y - 9.0,
            x + 14.0,
            esc(label)
        );
        x += 22.0 + 7.0 * label.chars().count() as f64;
    }
}

/// Bars per day, stacked by outcome (only outcomes that occur get a layer).
fn stacked_bars(
    out: &mut String,
    id: &str,
    label: &str,
    days: &[(Date, OutcomeCounts)],
    empty: &str,
) {
    if days.iter().all(|(_, c)| c.total() == 0) {
        svg_empty(out, id, label, empty);
        return;
    }
    let height = 280.0;
    let plot_h = height - TOP - 56.0;
    let plot_w = W - LEFT - RIGHT;
    let top = days.iter().map(|(_, c)| c.total()).max().unwrap_or(1) as f64;
    let max = 4.0 * nice_ceiling(top / 4.0);
    let band = plot_w / days.len() as f64;
    let bar = (band * 0.7).max(1.0);
    let outcomes: Vec<Outcome> = Outcome::ALL
        .into_iter()
        .filter(|o| days.iter().any(|(_, c)| c.get(*o) > 0))
        .collect();
    svg_open(out, id, label, height);
    y_grid(out, max, plot_h, |v| format!("{v:.0}"));
    for (i, (day, counts)) in days.iter().enumerate() {
        let x = LEFT + band * i as f64 + (band - bar) / 2.0;
        let mut y = TOP + plot_h;
        for o in &outcomes {
            let n = counts.get(*o);
            if n == 0 {
                continue;
            }
            let h = plot_h * n as f64 / max;
            y -= h;
            let _ = write!(
                out,
                r#"<rect class="bar {}" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{}"><title>{} {}: {n}</title></rect>"#,
                o.as_str(),
                outcome_color(*o),
                format_day(*day),
                outcome_label(*o)
            );
        }
    }
    let day_list: Vec<Date> = days.iter().map(|(d, _)| *d).collect();
    x_labels(
        out,
        &day_list,
        |i| LEFT + band * (i as f64 + 0.5),
        TOP + plot_h + 16.0,
    );
    let items: Vec<(&str, &str)> = outcomes
        .iter()
        .map(|o| (outcome_label(*o), outcome_color(*o)))
        .collect();
    legend(out, &items, height - 10.0);
    out.push_str("</svg>");
}

fn action_name(a: &ActionStats) -> String {
    format!("{} / {} / {}", a.pipeline, a.stage, a.action)
}

/// One horizontal bar per action: its failure rate.
fn failure_rate_bars(out: &mut String, actions: &[ActionStats]) {
    let id = "chart-action-failure-rate";
    let label = "Failure rate per action";
    let mut rated: Vec<(&ActionStats, f64)> = actions
        .iter()
        .filter_map(|a| a.counts.failure_rate().map(|r| (a, r)))
        .collect();
    // Highest rate on top; the report's actions are already the ones failing most often.
    rated.sort_by(|(a, ra), (b, rb)| {
        rb.total_cmp(ra)
            .then_with(|| action_name(a).cmp(&action_name(b)))
    });
    if rated.is_empty() {
        svg_empty(out, id, label, "No completed actions yet");
        return;
    }
    let row_h = 24.0;
    let label_w = 300.0;
    let bar_max = W - label_w - 110.0;
    let height = TOP * 2.0 + row_h * rated.len() as f64;
    svg_open(out, id, label, height);
    for (i, (a, rate)) in rated.iter().enumerate() {
        let y = TOP + row_h * i as f64;
        let mut name = action_name(a);
        if name.chars().count() > 44 {
            name = format!("{}…", name.chars().take(43).collect::<String>());
        }
        let w = (bar_max * rate).max(if *rate > 0.0 { 2.0 } else { 0.0 });
        let decided = a.counts.succeeded + a.counts.failed;
        let _ = write!(
            out,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="track" x="{label_w}" y="{:.1}" width="{bar_max:.1}" height="14"/><rect class="bar failed" x="{label_w}" y="{:.1}" width="{w:.1}" height="14" fill="{}"><title>{}: {} failed of {decided}</title></rect><text class="value" x="{:.1}" y="{:.1}">{} ({}/{decided})</text>"#,
            label_w - 8.0,
            y + 12.0,
            esc(&name),
            y + 1.0,
            y + 1.0,
            outcome_color(Outcome::Failed),
            esc(&action_name(a)),
            a.counts.failed,
            label_w + bar_max + 6.0,
            y + 12.0,
            pct(*rate),
            a.counts.failed,
        );
    }
    out.push_str("</svg>");
}

/// One line per pipeline: the daily median duration of succeeded executions.
fn duration_lines(out: &mut String, trend: &[DurationPoint]) {
    let id = "chart-duration-trend";
    let label = "Median duration of succeeded executions per day";
    let (Some(first), Some(last)) = (
        trend.iter().map(|p| p.day).min(),
        trend.iter().map(|p| p.day).max(),
    ) else {
        svg_empty(out, id, label, "No succeeded executions yet");
        return;
    };
    let mut days = vec![first];
    while let Some(next) = days
        .last()
        .and_then(|d| d.tomorrow().ok())
        .filter(|d| *d <= last)
    {
        days.push(next);
    }
    let height = 280.0;
    let plot_h = height - TOP - 56.0;
    let plot_w = W - LEFT - RIGHT;
    let top = trend.iter().map(|p| p.p50).fold(0.0, f64::max);
    let max = 4.0 * nice_duration_ceiling(top / 4.0);
    let step = if days.len() > 1 {
        plot_w / (days.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| {
        if days.len() > 1 {
            LEFT + step * i as f64
        } else {
            LEFT + plot_w / 2.0
        }
    };
    let index_of = |d: Date| days.iter().position(|x| *x == d).unwrap_or(0);
    // Clamped: a clock skew between start-time and event time must not draw outside.
    let y_of = |v: f64| TOP + plot_h - plot_h * v.clamp(0.0, max) / max;
    svg_open(out, id, label, height);
    y_grid(out, max, plot_h, format_duration);
    let mut by_pipeline: BTreeMap<&str, Vec<&DurationPoint>> = BTreeMap::new();
    for p in trend {
        by_pipeline.entry(p.pipeline.as_str()).or_default().push(p);
    }
    let mut items = Vec::new();
    for (n, (pipeline, points)) in by_pipeline.iter().enumerate() {
        let color = PALETTE[n % PALETTE.len()];
        items.push((*pipeline, color));
        let path: Vec<String> = points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x_of(index_of(p.day)), y_of(p.p50)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline class="line" data-pipeline="{}" fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
            esc(pipeline),
            path.join(" ")
        );
        for p in points {
            let _ = write!(
                out,
                r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="3.5" fill="{color}"><title>{} {}: median {} ({} runs)</title></circle>"#,
                x_of(index_of(p.day)),
                y_of(p.p50),
                esc(pipeline),
                format_day(p.day),
                format_duration(p.p50),
                p.count
            );
        }
    }
    x_labels(out, &days, x_of, TOP + plot_h + 16.0);
    legend(out, &items, height - 10.0);
    out.push_str("</svg>");
}

fn tier_class(tier: Option<Tier>) -> &'static str {
    match tier {
        Some(t) => t.as_str(),
        None => "none",
    }
}

fn tier_label(tier: Option<Tier>) -> &'static str {
    match tier {
        Some(Tier::Elite) => "Elite",
        Some(Tier::High) => "High",
        Some(Tier::Medium) => "Medium",
        Some(Tier::Low) => "Low",
        None => "No data",
    }
}

/// The four DORA metrics as display text: (tile id, name, value, detail, metric).
fn dora_lines(d: &Dora) -> [(&'static str, &'static str, String, String, DoraMetric); 4] {
    let value_or_dash =
        |m: &DoraMetric, f: &dyn Fn(f64) -> String| m.value.map_or("-".to_owned(), f);
    [
        (
            DORA_TILE_IDS[0],
            "Deployment frequency",
            value_or_dash(&d.deployment_frequency, &|v| format!("{v:.2}/day")),
            format!(
                "{:.1} per week; {} deployments in {} days",
                d.deployments_per_week, d.deployment_frequency.samples, d.days
            ),
            d.deployment_frequency,
        ),
        (
            DORA_TILE_IDS[1],
            "Lead time for changes",
            value_or_dash(&d.lead_time, &format_duration),
            format!("median of {} deployments", d.lead_time.samples),
            d.lead_time,
        ),
        (
            DORA_TILE_IDS[2],
            "Time to restore",
            value_or_dash(&d.time_to_restore, &format_duration),
            format!(
                "median of {} restores; {} unrestored",
                d.time_to_restore.samples, d.unrestored_failures
            ),
            d.time_to_restore,
        ),
        (
            DORA_TILE_IDS[3],
            "Change failure rate",
            value_or_dash(&d.change_failure_rate, &pct),
            format!("of {} completed deployments", d.change_failure_rate.samples),
            d.change_failure_rate,
        ),
    ]
}

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

/// Renders the dashboard as one self-contained HTML page.
pub fn render_html(report: &Report) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let title = esc(&report.title);
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title><style>{CSS}</style></head><body>"#
    );
    let _ = write!(out, "<header><h1>{title}</h1><p class=\"meta\">");
    match report.span() {
        Some((first, last)) => {
            let _ = write!(
                out,
                "{} to {} &middot; ",
                format_day(first),
                format_day(last)
            );
        }
        None => out.push_str("No executions &middot; "),
    }
    let _ = write!(
        out,
        "{} executions &middot; {} events ({} duplicates ignored)</p></header>",
        report.executions.len(),
        report.rows,
        report.duplicates
    );

    out.push_str(r#"<section id="dora"><h2>DORA metrics</h2>"#);
    match &report.dora {
        Some(d) => {
            let _ = write!(
                out,
                r#"<p class="note">Production pipelines: {}. Period {} to {} ({} days).</p><div class="tiles">"#,
                esc(&d.production_pipelines.join(", ")),
                format_day(d.period_start),
                format_day(d.period_end),
                d.days
            );
            for (id, name, value, detail, metric) in dora_lines(d) {
                let _ = write!(
                    out,
                    r#"<div id="{id}" class="tile tier-{}"><h3>{name}</h3><p class="value">{}</p><p class="detail">{}</p><span class="tier">{}</span></div>"#,
                    tier_class(metric.tier),
                    esc(&value),
                    esc(&detail),
                    tier_label(metric.tier)
                );
            }
            out.push_str("</div>");
        }
        None => out.push_str(
            r#"<p class="note">No production pipelines configured: name the pipelines that deploy to production to see DORA metrics.</p>"#,
        ),
    }
    out.push_str("</section>");

    out.push_str(r#"<section><h2>Executions per day</h2><div class="card">"#);
    stacked_bars(
        &mut out,
        CHART_IDS[0],
        "Executions per day by outcome",
        &report.per_day,
        "No executions yet",
    );
    out.push_str("</div></section>");

    out.push_str(r#"<section><h2>Production deployments per day</h2><div class="card">"#);
    let deploys = report
        .dora
        .as_ref()
        .map(|d| d.deployments_per_day.as_slice())
        .unwrap_or_default();
    stacked_bars(
        &mut out,
        CHART_IDS[1],
        "Production deployments per day by outcome",
        deploys,
        "No production deployments",
    );
    out.push_str("</div></section>");

    out.push_str(r#"<section><h2>Failure rate per action</h2><div class="card">"#);
    failure_rate_bars(&mut out, &report.actions);
    out.push_str("</div></section>");

    out.push_str(r#"<section><h2>Duration trend</h2><div class="card">"#);
    duration_lines(&mut out, &report.trend);
    out.push_str("</div></section>");

    out.push_str(
        r#"<section id="pipelines"><h2>Pipelines</h2><table><thead><tr><th>Pipeline</th><th>Runs</th><th>Succeeded</th><th>Failed</th><th>Stopped</th><th>Superseded</th><th>Failure rate</th><th>p50</th><th>p90</th><th>p95</th></tr></thead><tbody>"#,
    );
    for (pipeline, c) in &report.totals {
        let d = report.durations.iter().find(|d| &d.pipeline == pipeline);
        let dur =
            |f: fn(&DurationStats) -> f64| d.map_or("-".to_owned(), |d| format_duration(f(d)));
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            esc(pipeline),
            c.total(),
            c.succeeded,
            c.failed,
            c.stopped,
            c.superseded,
            c.failure_rate().map_or("-".to_owned(), pct),
            dur(|d| d.p50),
            dur(|d| d.p90),
            dur(|d| d.p95),
        );
    }
    out.push_str("</tbody></table></section>");

    out.push_str(
        r#"<section id="hotspots"><h2>Action failure hotspots</h2><table><thead><tr><th>Action</th><th>Provider</th><th>Failed</th><th>Succeeded</th><th>Failure rate</th><th>Last failure</th></tr></thead><tbody>"#,
    );
    for a in report.actions.iter().filter(|a| a.counts.failed > 0) {
        let last = match (&a.last_error_code, &a.last_error_summary) {
            (Some(code), Some(summary)) => format!("{code}: {summary}"),
            (Some(text), None) | (None, Some(text)) => text.clone(),
            (None, None) => String::new(),
        };
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
            esc(&action_name(a)),
            esc(a.provider.as_deref().unwrap_or("")),
            a.counts.failed,
            a.counts.succeeded,
            a.counts.failure_rate().map_or("-".to_owned(), pct),
            esc(&last)
        );
    }
    out.push_str("</tbody></table></section>");

    out.push_str(
        "<footer>Executions are counted once by their final state on the day they started; \
         actions count every completed attempt. Failure rate = failed / (succeeded + failed). \
         Durations are of succeeded executions, nearest-rank percentiles. \
         DORA tiers follow the 2021 State of DevOps report thresholds.</footer></body></html>\n",
    );
    out
}

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
        "Executions: {} (succeeded {}, failed {}, stopped {}, superseded {}, in progress {})",
        all.total(),
        all.succeeded,
        all.failed,
        all.stopped,
        all.superseded,
        all.in_progress
    );
    if !report.totals.is_empty() {
        let _ = writeln!(out, "\nPipelines:");
        let width = report
            .totals
            .keys()
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(0);
        for (pipeline, c) in &report.totals {
            let d = report.durations.iter().find(|d| &d.pipeline == pipeline);
            let _ = writeln!(
                out,
                "  {pipeline:<width$}  runs {:>4}  failure rate {:>6}  p50 {:>8}  p90 {:>8}  p95 {:>8}",
                c.total(),
                c.failure_rate().map_or("-".to_owned(), pct),
                d.map_or("-".to_owned(), |d| format_duration(d.p50)),
                d.map_or("-".to_owned(), |d| format_duration(d.p90)),
                d.map_or("-".to_owned(), |d| format_duration(d.p95)),
            );
        }
    }
    let hotspots: Vec<&ActionStats> = report
        .actions
        .iter()
        .filter(|a| a.counts.failed > 0)
        .collect();
    if !hotspots.is_empty() {
        let _ = writeln!(out, "\nAction failure hotspots:");
        for a in hotspots {
            let _ = writeln!(
                out,
                "  {}  failed {} of {} ({}){}",
                action_name(a),
                a.counts.failed,
                a.counts.succeeded + a.counts.failed,
                a.counts.failure_rate().map_or("-".to_owned(), pct),
                a.last_error_code
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
            for (_, name, value, detail, metric) in dora_lines(d) {
                let _ = writeln!(
                    out,
                    "  {name:<22} {value:>10}  {:<7}  ({detail})",
                    tier_class(metric.tier)
                );
            }
        }
        None => {
            let _ = writeln!(out, "\nDORA: no production pipelines configured");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::history::{PROD, history};
    use jiff::civil::date;

    fn config() -> ReportConfig {
        ReportConfig {
            title: "Team <A> & co".to_owned(),
            dora: DoraConfig {
                production_pipelines: [PROD.to_owned()].into(),
                period: None,
            },
            ..ReportConfig::default()
        }
    }

    #[test]
    fn html_contains_every_chart_and_tile() {
        let report = Report::build(&history().rows, &config());
        let html = render_html(&report);
        for id in CHART_IDS {
            assert!(
                html.contains(&format!(r#"<svg id="{id}" class="chart""#)),
                "{id}"
            );
        }
        for id in DORA_TILE_IDS {
            assert!(html.contains(&format!(r#"id="{id}""#)), "{id}");
        }
        assert_eq!(html.matches("<svg ").count(), CHART_IDS.len());
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.trim_end().ends_with("</html>"));
    }

    #[test]
    fn html_is_self_contained_and_escaped() {
        let html = render_html(&Report::build(&history().rows, &config()));
        assert!(html.contains("<title>Team &lt;A&gt; &amp; co</title>"));
        assert!(!html.contains("<A>"));
        for forbidden in [
            "<script src",
            "<link",
            "http://",
            "https://",
            "@import",
            "url(",
        ] {
            let allowed = forbidden == "http://"
                && html.matches("http://").count()
                    == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
            assert!(allowed || !html.contains(forbidden), "{forbidden}");
        }
    }

    #[test]
    fn html_shows_the_numbers() {
        let html = render_html(&Report::build(&history().rows, &config()));
        // Tiers from the hand-computed DORA test: high, elite, high, medium.
        assert!(html.contains(r#"<div id="dora-deployment-frequency" class="tile tier-high">"#));
        assert!(html.contains(r#"<div id="dora-lead-time" class="tile tier-elite">"#));
        assert!(html.contains(r#"<div id="dora-time-to-restore" class="tile tier-high">"#));
        assert!(html.contains(r#"<div id="dora-change-failure-rate" class="tile tier-medium">"#));
        assert!(html.contains("0.75/day"));
        assert!(html.contains("35m 00s"), "lead time 2100 s");
        assert!(html.contains("21h 10m"), "restore 76200 s");
        assert!(html.contains("40.0%"), "change failure rate");
        // Stacked bars: 03-02 has 2 succeeded and 1 failed.
        assert!(html.contains("<title>2026-03-02 Succeeded: 2</title>"));
        assert!(html.contains("<title>2026-03-02 Failed: 1</title>"));
        // Failure rate bar of the hotspot.
        assert!(html.contains("deploy-prod / Deploy / DeployToProd: 2 failed of 5"));
    }

    #[test]
    fn html_without_data_still_has_every_chart() {
        let report = Report::build(&[], &ReportConfig::default());
        let html = render_html(&report);
        for id in CHART_IDS {
            assert!(html.contains(&format!(r#"id="{id}""#)), "{id}");
        }
        assert!(html.contains("No production pipelines configured"));
        assert!(render_text(&report).contains("Executions: 0"));
    }

    #[test]
    fn a_period_limits_every_number() {
        let config = ReportConfig {
            period: Some((date(2026, 3, 3), date(2026, 3, 3))),
            ..config()
        };
        let report = Report::build(&history().rows, &config);
        // 03-03: P3 failed, B2 succeeded after a retry, P4 succeeded.
        let ids: Vec<&str> = report
            .executions
            .iter()
            .map(|e| e.execution_id.as_str())
            .collect();
        assert_eq!(ids, ["P3", "B2", "P4"]);
        let dora = report.dora.unwrap();
        assert_eq!(
            (dora.period_start, dora.period_end),
            (date(2026, 3, 3), date(2026, 3, 3))
        );
        // P3 failed, P4 succeeded: 1 of 2.
        assert_eq!(dora.change_failure_rate.value, Some(0.5));
    }

    #[test]
    fn output_is_deterministic() {
        let rows = history().rows;
        let a = render_html(&Report::build(&rows, &config()));
        let b = render_html(&Report::build(&rows, &config()));
        assert_eq!(a, b);
    }

    #[test]
    fn text_summary() {
        let text = render_text(&Report::build(&history().rows, &config()));
        assert!(text.contains("Period: 2026-03-02 to 2026-03-05"), "{text}");
        assert!(text.contains("Events: "), "{text}");
        assert!(text.contains("(2 duplicates ignored)"), "{text}");
        assert!(
            text.contains(
                "Executions: 10 (succeeded 5, failed 2, stopped 1, superseded 1, in progress 1)"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "deploy-prod / Deploy / DeployToProd  failed 2 of 5 (40.0%)  last: JobFailed"
            ),
            "{text}"
        );
        assert!(text.contains("Deployment frequency"), "{text}");
        assert!(text.contains("0.75/day  high"), "{text}");
        assert!(text.contains("35m 00s  elite"), "{text}");
    }

    #[test]
    fn durations_for_people() {
        assert_eq!(format_duration(45.4), "45s");
        assert_eq!(format_duration(750.0), "12m 30s");
        assert_eq!(format_duration(76200.0), "21h 10m");
        assert_eq!(format_duration(2.0 * 86400.0 + 4.0 * 3600.0), "2d 04h");
        assert_eq!(format_duration(f64::NAN), "-");
        assert_eq!(nice_ceiling(3.0), 5.0);
        assert_eq!(nice_ceiling(11.0), 20.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_duration_ceiling(1080.0), 1800.0);
        assert_eq!(nice_duration_ceiling(270.0), 300.0);
    }
}
