//! The dashboard's four charts as inline SVG: executions and production deployments per
//! day (stacked bars by outcome), the failure rate per action (horizontal bars), and the
//! daily median duration per pipeline (lines).

use std::collections::BTreeMap;

use jiff::civil::Date;
use maud::{Markup, html};

use super::view::{action_name, format_duration, outcome_color, outcome_label, pct};
use crate::batch::format_day;
use crate::metrics::{ActionStats, DurationPoint, Outcome, OutcomeCounts};

/// Line colours of the duration trend, one per pipeline in name order.
const PALETTE: [&str; 8] = [
    "#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457", "#558b2f", "#4e342e",
];

/// Width of every chart's view box.
const W: f64 = 760.0;
/// Room left of the plot for the y labels.
const LEFT: f64 = 56.0;
/// Room right of the plot.
const RIGHT: f64 = 16.0;
/// Room above the plot.
const TOP: f64 = 16.0;
/// Height of the bar and line charts.
const HEIGHT: f64 = 280.0;

/// A coordinate with one decimal.
fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// The smallest 1, 2 or 5 times a power of ten that is at least `v` (at least 1): a grid
/// step for counts.
pub(super) fn nice_ceiling(v: f64) -> f64 {
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
pub(super) fn nice_duration_ceiling(seconds: f64) -> f64 {
    let steps = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
        10800.0, 21600.0, 43200.0, 86400.0, 172800.0, 604800.0,
    ];
    steps
        .into_iter()
        .find(|s| *s >= seconds)
        .unwrap_or_else(|| (seconds / 604800.0).ceil() * 604800.0)
}

/// An `<svg class="chart">` with its id, accessible label and title around `body`.
fn chart(id: &str, label: &str, height: f64, body: Markup) -> Markup {
    html! {
        svg id=(id) class="chart" role="img" aria-label=(label)
            viewBox=(format!("0 0 {W} {height}")) width="100%"
            preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg" {
            title { (label) }
            (body)
        }
    }
}

/// A chart with nothing to draw: its message in the middle.
fn empty(id: &str, label: &str, message: &str) -> Markup {
    let body = html! {
        text class="empty" x=((W / 2.0).to_string()) y="45" text-anchor="middle" { (message) }
    };
    chart(id, label, 80.0, body)
}

/// Horizontal grid lines with labels at 0, 1/4, ... of `max`.
fn y_grid(max: f64, plot_h: f64, label: impl Fn(f64) -> String) -> Markup {
    html! {
        @for i in 0..=4 {
            @let y = TOP + plot_h - plot_h * f64::from(i) / 4.0;
            line class="grid" x1=(LEFT.to_string()) y1=(f1(y)) x2=(f1(W - RIGHT)) y2=(f1(y)) {}
            text class="axis" x=(f1(LEFT - 6.0)) y=(f1(y + 4.0)) text-anchor="end" {
                (label(max * f64::from(i) / 4.0))
            }
        }
    }
}

/// Day labels (`MM-DD`) under at most about ten evenly spaced days.
fn x_labels(days: &[Date], x_of: impl Fn(usize) -> f64, y: f64) -> Markup {
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
    html! {
        @for i in shown {
            @if let Some(day) = days.get(i) {
                @let label = format_day(*day);
                text class="axis" x=(f1(x_of(i))) y=(f1(y)) text-anchor="middle" {
                    (label.get(5..).unwrap_or(&label))
                }
            }
        }
    }
}

/// A row of coloured squares with their labels along the bottom.
fn legend(items: &[(&str, &str)], y: f64) -> Markup {
    let mut x = LEFT;
    let mut placed = Vec::with_capacity(items.len());
    for (label, color) in items {
        placed.push((x, *label, *color));
        x += 22.0 + 7.0 * label.chars().count() as f64;
    }
    html! {
        @for (x, label, color) in placed {
            rect x=(f1(x)) y=(f1(y - 9.0)) width="10" height="10" fill=(color) {}
            text class="legend" x=(f1(x + 14.0)) y=(f1(y)) { (label) }
        }
    }
}

/// Bars per day, stacked by outcome (only outcomes that occur get a layer).
pub(super) fn stacked_bars(
    id: &str,
    label: &str,
    days: &[(Date, OutcomeCounts)],
    empty_message: &str,
) -> Markup {
    if days.iter().all(|(_, c)| c.total() == 0) {
        return empty(id, label, empty_message);
    }
    let plot_h = HEIGHT - TOP - 56.0;
    let plot_w = W - LEFT - RIGHT;
    let top = days.iter().map(|(_, c)| c.total()).max().unwrap_or(1) as f64;
    let max = 4.0 * nice_ceiling(top / 4.0);
    let band = plot_w / days.len() as f64;
    let bar = (band * 0.7).max(1.0);
    let outcomes: Vec<Outcome> = Outcome::ALL
        .into_iter()
        .filter(|o| days.iter().any(|(_, c)| c.get(*o) > 0))
        .collect();
    // Each layer: (x, y, height, outcome, day, count), bottom up.
    let mut layers = Vec::new();
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
            layers.push((x, y, h, *o, *day, n));
        }
    }
    let day_list: Vec<Date> = days.iter().map(|(d, _)| *d).collect();
    let items: Vec<(&str, &str)> = outcomes
        .iter()
        .map(|o| (outcome_label(*o), outcome_color(*o)))
        .collect();
    let body = html! {
        (y_grid(max, plot_h, |v| format!("{v:.0}")))
        @for (x, y, h, o, day, n) in layers {
            rect class={"bar " (o.as_str())} x=(f1(x)) y=(f1(y)) width=(f1(bar)) height=(f1(h))
                fill=(outcome_color(o)) {
                title { (format_day(day)) " " (outcome_label(o)) ": " (n) }
            }
        }
        (x_labels(&day_list, |i| LEFT + band * (i as f64 + 0.5), TOP + plot_h + 16.0))
        (legend(&items, HEIGHT - 10.0))
    };
    chart(id, label, HEIGHT, body)
}

/// One horizontal bar per action: its failure rate.
pub(super) fn failure_rate_bars(actions: &[ActionStats]) -> Markup {
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
        return empty(id, label, "No completed actions yet");
    }
    let row_h = 24.0;
    let label_w = 300.0;
    let bar_max = W - label_w - 110.0;
    let height = TOP * 2.0 + row_h * rated.len() as f64;
    let body = html! {
        @for (i, (a, rate)) in rated.iter().enumerate() {
            @let y = TOP + row_h * i as f64;
            @let full_name = action_name(a);
            @let name = if full_name.chars().count() > 44 {
                format!("{}…", full_name.chars().take(43).collect::<String>())
            } else {
                full_name.clone()
            };
            @let w = (bar_max * rate).max(if *rate > 0.0 { 2.0 } else { 0.0 });
            @let decided = a.counts.succeeded + a.counts.failed;
            text class="axis" x=(f1(label_w - 8.0)) y=(f1(y + 12.0)) text-anchor="end" { (name) }
            rect class="track" x=(label_w.to_string()) y=(f1(y + 1.0)) width=(f1(bar_max)) height="14" {}
            rect class="bar failed" x=(label_w.to_string()) y=(f1(y + 1.0)) width=(f1(w)) height="14"
                fill=(outcome_color(Outcome::Failed)) {
                title { (full_name) ": " (a.counts.failed) " failed of " (decided) }
            }
            text class="value" x=(f1(label_w + bar_max + 6.0)) y=(f1(y + 12.0)) {
                (pct(*rate)) " (" (a.counts.failed) "/" (decided) ")"
            }
        }
    };
    chart(id, label, height, body)
}

/// One line per pipeline: the daily median duration of succeeded executions.
pub(super) fn duration_lines(trend: &[DurationPoint]) -> Markup {
    let id = "chart-duration-trend";
    let label = "Median duration of succeeded executions per day";
    let (Some(first), Some(last)) = (
        trend.iter().map(|p| p.day).min(),
        trend.iter().map(|p| p.day).max(),
    ) else {
        return empty(id, label, "No succeeded executions yet");
    };
    let mut days = vec![first];
    while let Some(next) = days
        .last()
        .and_then(|d| d.tomorrow().ok())
        .filter(|d| *d <= last)
    {
        days.push(next);
    }
    let plot_h = HEIGHT - TOP - 56.0;
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
    let mut by_pipeline: BTreeMap<&str, Vec<&DurationPoint>> = BTreeMap::new();
    for p in trend {
        by_pipeline.entry(p.pipeline.as_str()).or_default().push(p);
    }
    let lines: Vec<(&str, &str, &Vec<&DurationPoint>)> = by_pipeline
        .iter()
        .enumerate()
        .map(|(n, (pipeline, points))| (*pipeline, PALETTE[n % PALETTE.len()], points))
        .collect();
    let items: Vec<(&str, &str)> = lines.iter().map(|(p, color, _)| (*p, *color)).collect();
    let body = html! {
        (y_grid(max, plot_h, format_duration))
        @for (pipeline, color, points) in &lines {
            @let path: Vec<String> = points
                .iter()
                .map(|p| format!("{:.1},{:.1}", x_of(index_of(p.day)), y_of(p.p50)))
                .collect();
            polyline class="line" data-pipeline=(pipeline) fill="none" stroke=(color)
                stroke-width="2" points=(path.join(" ")) {}
            @for p in points.iter() {
                circle class="point" cx=(f1(x_of(index_of(p.day)))) cy=(f1(y_of(p.p50)))
                    r="3.5" fill=(color) {
                    title {
                        (pipeline) " " (format_day(p.day)) ": median " (format_duration(p.p50))
                        " (" (p.count) " runs)"
                    }
                }
            }
        }
        (x_labels(&days, x_of, TOP + plot_h + 16.0))
        (legend(&items, HEIGHT - 10.0))
    };
    chart(id, label, HEIGHT, body)
}
