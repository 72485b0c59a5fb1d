//! The daily Slack digest: yesterday's runs per pipeline (failures with their top failing
//! actions), the four DORA tiles with their tiers and the change since the previous
//! period, the pushes waiting on change freezes, and a link to the dashboard.
//!
//! [`Digest::build`] computes it from three [`Report`]s (the day's, the period's that ends
//! on the day, the previous period's) and the holds; [`Digest::blocks`] renders it as
//! Slack Block Kit, [`Digest::fallback_text`] as the notification text and
//! [`Digest::render_text`] as plain text for a terminal. The DORA names and tiers are the
//! dashboard's own (`view`), so the page and the digest always say the same.
//!
//! Slack's limits are kept, never failed on: at most [`MAX_BLOCKS`] blocks, section texts
//! of at most [`MAX_SECTION_CHARS`] characters, [`MAX_FIELDS`] fields per section, headers
//! of at most [`MAX_HEADER_CHARS`]. Long lists end with "... and N more". Lines stay
//! short (one pipeline or hold per line, no tables), so the digest reads on a phone.

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use super::Report;
use super::view::{dora_tiles, format_duration};
use crate::batch::format_day;
use crate::metrics::{Dora, DoraMetric, OutcomeCounts};

/// Most blocks in one Slack message.
pub const MAX_BLOCKS: usize = 50;
/// Most characters in a section's text.
pub const MAX_SECTION_CHARS: usize = 3000;
/// Most fields in one section.
pub const MAX_FIELDS: usize = 10;
/// Most characters in one field.
pub const MAX_FIELD_CHARS: usize = 2000;
/// Most characters in a header.
pub const MAX_HEADER_CHARS: usize = 150;
/// Most characters in a context element.
const MAX_CONTEXT_CHARS: usize = 2000;
/// The digest's last line.
const CONTEXT_NOTE: &str =
    "pipeline-router metrics-reporter · days and times in UTC · tiers as on the dashboard";
/// Room kept in every packed section for the "... and N more" line.
const MORE_RESERVE: usize = 60;
/// Most characters of one pipeline's or hold's entry.
const MAX_ENTRY_CHARS: usize = 600;
/// Most sections of pipeline entries.
const MAX_PIPELINE_SECTIONS: usize = 6;
/// Most sections of hold entries.
const MAX_HOLD_SECTIONS: usize = 2;
/// Most failing actions shown per pipeline.
pub const MAX_ACTIONS_PER_PIPELINE: usize = 3;

/// A push held by a change freeze, waiting for its release (what the digest shows of a
/// `pipeline_schedules` hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingHold {
    /// The pipeline the push would start.
    pub pipeline: String,
    /// The branch pushed to.
    pub branch: String,
    /// The freeze that holds it.
    pub freeze: String,
    /// When the freeze releases it.
    pub release_at: Timestamp,
    /// Pushes folded into the hold.
    pub pushes: u32,
}

/// What a digest is built from.
#[derive(Debug, Clone, Copy)]
pub struct DigestInput<'a> {
    /// The day the digest covers (UTC).
    pub day: Date,
    /// The report of that day alone (its runs and failing actions; build it with a large
    /// `max_actions`, every failing action is wanted).
    pub yesterday: &'a Report,
    /// The report of the period that ends on the day (the DORA tiles).
    pub period: &'a Report,
    /// The report of the period before (the change of each DORA tile), if any.
    pub previous: Option<&'a Report>,
    /// The holds waiting on freezes; `None` when they are not known (not configured, or
    /// they could not be read): the digest says "not available".
    pub holds: Option<&'a [WaitingHold]>,
    /// The dashboard's address, if there is one to link to.
    pub dashboard_url: Option<&'a str>,
}

/// One failing action of a pipeline on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingAction {
    /// `stage / action`.
    pub name: String,
    /// Failures on the day.
    pub failed: u64,
    /// Succeeded + failed on the day.
    pub decided: u64,
    /// The last failure's error code, if any.
    pub error_code: Option<String>,
}

/// One pipeline's runs on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineDay {
    /// Pipeline name.
    pub pipeline: String,
    /// Executions by outcome.
    pub counts: OutcomeCounts,
    /// Its failing actions, most failures first (at most [`MAX_ACTIONS_PER_PIPELINE`]).
    pub failing_actions: Vec<FailingAction>,
    /// Failing actions not shown.
    pub more_actions: usize,
}

/// Which way a DORA metric moved since the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Up.
    Up,
    /// Down.
    Down,
    /// No change.
    Same,
}

impl Direction {
    /// `↑`, `↓` or `→`.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Up => "↑",
            Direction::Down => "↓",
            Direction::Same => "→",
        }
    }
}

/// The change of one DORA metric since the previous period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoraChange {
    /// Up, down or the same.
    pub direction: Direction,
    /// The signed difference for people: `+0.25/day`, `-5m 00s`, `+5.0 pts`.
    pub delta: String,
    /// Whether the move is an improvement (`None` without a move).
    pub better: Option<bool>,
}

/// One DORA tile of the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoraLine {
    /// The metric's name (the dashboard tile's).
    pub name: String,
    /// The value, or `-`.
    pub value: String,
    /// The tier for people: `Elite` ... `Low`, or `No data`.
    pub tier: String,
    /// The previous period's value, or `-`.
    pub previous_value: String,
    /// The previous period's tier, when there was a previous period.
    pub previous_tier: Option<String>,
    /// The change, when both periods have a value.
    pub change: Option<DoraChange>,
}

impl DoraLine {
    /// `High → Elite` when the tier changed.
    pub fn tier_change(&self) -> Option<String> {
        self.previous_tier
            .as_ref()
            .filter(|previous| **previous != self.tier)
            .map(|previous| format!("{previous} → {}", self.tier))
    }
}

/// The DORA part of the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoraDigest {
    /// The production pipelines.
    pub pipelines: Vec<String>,
    /// First and last day of the period.
    pub period: (Date, Date),
    /// Days of the previous period, when there is one.
    pub previous_period: Option<(Date, Date)>,
    /// The four tiles, in the dashboard's order.
    pub lines: Vec<DoraLine>,
}

/// The daily digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// The report's title.
    pub title: String,
    /// The day covered.
    pub day: Date,
    /// All of the day's executions by outcome.
    pub runs: OutcomeCounts,
    /// One entry per pipeline that ran on the day: failing pipelines first (most failures
    /// first), then by name.
    pub pipelines: Vec<PipelineDay>,
    /// The DORA tiles, when production pipelines are configured.
    pub dora: Option<DoraDigest>,
    /// The holds waiting on freezes, by release time; `None` when not known.
    pub holds: Option<Vec<WaitingHold>>,
    /// The dashboard's address.
    pub dashboard_url: Option<String>,
}

/// Bold and escaping for Slack's mrkdwn, or none for plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Mrkdwn,
    Plain,
}

impl Style {
    /// Text escaped for the style (`&`, `<`, `>` in mrkdwn).
    fn esc(self, text: &str) -> String {
        match self {
            Style::Plain => text.to_owned(),
            Style::Mrkdwn => text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;"),
        }
    }

    /// Text in bold (escaped).
    fn bold(self, text: &str) -> String {
        match self {
            Style::Plain => text.to_owned(),
            Style::Mrkdwn => format!("*{}*", self.esc(text)),
        }
    }
}

impl Digest {
    /// Computes the digest.
    pub fn build(input: &DigestInput<'_>) -> Digest {
        let mut runs = OutcomeCounts::default();
        for c in input.yesterday.totals.values() {
            runs.merge(c);
        }
        let mut pipelines: Vec<PipelineDay> = input
            .yesterday
            .totals
            .iter()
            .map(|(name, counts)| {
                let failing: Vec<FailingAction> = input
                    .yesterday
                    .actions
                    .iter()
                    .filter(|a| &a.pipeline == name && a.counts.failed > 0)
                    .map(|a| FailingAction {
                        name: format!("{} / {}", a.stage, a.action),
                        failed: a.counts.failed,
                        decided: a.counts.succeeded + a.counts.failed,
                        error_code: a.last_error_code.clone(),
                    })
                    .collect();
                let more_actions = failing.len().saturating_sub(MAX_ACTIONS_PER_PIPELINE);
                PipelineDay {
                    pipeline: name.clone(),
                    counts: *counts,
                    failing_actions: failing.into_iter().take(MAX_ACTIONS_PER_PIPELINE).collect(),
                    more_actions,
                }
            })
            .collect();
        pipelines.sort_by(|a, b| {
            b.counts
                .failed
                .cmp(&a.counts.failed)
                .then_with(|| a.pipeline.cmp(&b.pipeline))
        });
        let previous_dora = input.previous.and_then(|p| p.dora.as_ref());
        let dora = input
            .period
            .dora
            .as_ref()
            .map(|d| dora_digest(d, previous_dora));
        let mut holds = input.holds.map(<[WaitingHold]>::to_vec);
        if let Some(holds) = holds.as_mut() {
            holds.sort_by(|a, b| {
                (a.release_at, &a.pipeline, &a.branch).cmp(&(b.release_at, &b.pipeline, &b.branch))
            });
        }
        Digest {
            title: input.period.title.clone(),
            day: input.day,
            runs,
            pipelines,
            dora,
            holds,
            dashboard_url: input.dashboard_url.map(str::to_owned),
        }
    }

    /// Pipelines with at least one failed run on the day.
    pub fn failing_pipelines(&self) -> usize {
        self.pipelines
            .iter()
            .filter(|p| p.counts.failed > 0)
            .count()
    }

    /// The notification text (Slack shows it where blocks cannot be shown): one line.
    pub fn fallback_text(&self) -> String {
        let mut text = format!(
            "{} for {}: {}",
            self.title,
            format_day(self.day),
            runs_summary(&self.runs, self.pipelines.len(), self.failing_pipelines())
        );
        match &self.holds {
            Some(holds) if !holds.is_empty() => {
                let _ = write!(text, "; {} held by freezes", plural(holds.len(), "push"));
            }
            _ => {}
        }
        text.push('.');
        truncate(&text, MAX_SECTION_CHARS)
    }

    /// The digest as Block Kit blocks, within Slack's limits.
    pub fn blocks(&self) -> Vec<Value> {
        let style = Style::Mrkdwn;
        let mut blocks = vec![header(&format!(
            "{} · {}",
            self.title,
            format_day(self.day)
        ))];
        blocks.push(section(&format!(
            "{} (UTC): {}",
            style.bold(&self.day.strftime("%a %Y-%m-%d").to_string()),
            runs_summary(&self.runs, self.pipelines.len(), self.failing_pipelines())
        )));
        let entries: Vec<String> = self
            .pipelines
            .iter()
            .map(|p| pipeline_entry(p, style))
            .collect();
        blocks.extend(
            packed_sections(&entries, MAX_PIPELINE_SECTIONS, "pipelines")
                .iter()
                .map(|t| section(t)),
        );
        blocks.push(divider());
        match &self.dora {
            Some(d) => {
                blocks.push(section(&dora_heading(d, style)));
                let fields: Vec<String> = d.lines.iter().map(|l| dora_field(l, style)).collect();
                blocks.push(fields_section(&fields));
            }
            None => blocks.push(section(&format!(
                "{}: no production pipelines configured",
                style.bold("DORA")
            ))),
        }
        blocks.push(divider());
        match &self.holds {
            Some(holds) if !holds.is_empty() => {
                blocks.push(section(&format!(
                    "{} ({})",
                    style.bold("Held by change freezes"),
                    holds.len()
                )));
                let entries: Vec<String> = holds.iter().map(|h| hold_entry(h, style)).collect();
                blocks.extend(
                    packed_sections(&entries, MAX_HOLD_SECTIONS, "holds")
                        .iter()
                        .map(|t| section(t)),
                );
            }
            Some(_) => blocks.push(section("No pushes held by change freezes.")),
            None => blocks.push(section("Held pushes: not available.")),
        }
        if let Some(url) = &self.dashboard_url {
            blocks.push(section(&format!(
                "<{}|Open the dashboard>",
                style.esc(url).replace('|', "%7C")
            )));
        }
        blocks.push(json!({
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": truncate(CONTEXT_NOTE, MAX_CONTEXT_CHARS)}],
        }));
        limit_blocks(blocks)
    }

    /// The `chat.postMessage` body for `channel`: blocks, fallback text, no link previews.
    pub fn message(&self, channel: &str) -> Value {
        json!({
            "channel": channel,
            "text": self.fallback_text(),
            "blocks": self.blocks(),
            "unfurl_links": false,
            "unfurl_media": false,
        })
    }

    /// The digest as JSON without a channel: `{"text": ..., "blocks": [...]}`.
    pub fn to_json(&self) -> Value {
        json!({"text": self.fallback_text(), "blocks": self.blocks()})
    }

    /// The digest as plain text (for a terminal); every pipeline and hold is listed.
    pub fn render_text(&self) -> String {
        let style = Style::Plain;
        let mut out = String::new();
        let _ = writeln!(out, "{} · {}", self.title, format_day(self.day));
        let _ = writeln!(
            out,
            "{} (UTC): {}",
            self.day.strftime("%a %Y-%m-%d"),
            runs_summary(&self.runs, self.pipelines.len(), self.failing_pipelines())
        );
        for p in &self.pipelines {
            let _ = writeln!(out, "{}", pipeline_entry(p, style));
        }
        out.push('\n');
        match &self.dora {
            Some(d) => {
                let _ = writeln!(out, "{}", dora_heading(d, style));
                for line in &d.lines {
                    let _ = writeln!(out, "  {}", dora_field(line, style).replace('\n', "  "));
                }
            }
            None => out.push_str("DORA: no production pipelines configured\n"),
        }
        out.push('\n');
        match &self.holds {
            Some(holds) if !holds.is_empty() => {
                let _ = writeln!(out, "Held by change freezes ({}):", holds.len());
                for h in holds {
                    let _ = writeln!(out, "{}", hold_entry(h, style));
                }
            }
            Some(_) => out.push_str("No pushes held by change freezes.\n"),
            None => out.push_str("Held pushes: not available.\n"),
        }
        if let Some(url) = &self.dashboard_url {
            let _ = writeln!(out, "\nDashboard: {url}");
        }
        out
    }
}

fn plural(n: usize, noun: &str) -> String {
    let suffix = match (n, noun.ends_with('h') || noun.ends_with('s')) {
        (1, _) => "",
        (_, true) => "es",
        _ => "s",
    };
    format!("{n} {noun}{suffix}")
}

/// `42 runs in 12 pipelines, 3 failed (2 pipelines)` or `no runs`.
fn runs_summary(runs: &OutcomeCounts, pipelines: usize, failing: usize) -> String {
    let total = runs.total();
    if total == 0 {
        return "no runs".to_owned();
    }
    let runs_text = if total == 1 { "run" } else { "runs" };
    let mut text = format!(
        "{total} {runs_text} in {}, {} failed",
        plural(pipelines, "pipeline"),
        runs.failed
    );
    if failing > 0 {
        let _ = write!(text, " (in {})", plural(failing, "pipeline"));
    }
    text
}

/// `12 runs: 10 succeeded, 1 failed, 1 stopped` (zero counts left out).
fn counts_text(c: &OutcomeCounts) -> String {
    let parts: Vec<String> = [
        (c.succeeded, "succeeded"),
        (c.failed, "failed"),
        (c.stopped, "stopped"),
        (c.superseded, "superseded"),
        (c.in_progress, "in progress"),
        (c.unknown, "unknown"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    let total = c.total();
    format!(
        "{total} {}: {}",
        if total == 1 { "run" } else { "runs" },
        parts.join(", ")
    )
}

/// A pipeline and, below it, its failing actions.
fn pipeline_entry(p: &PipelineDay, style: Style) -> String {
    let mark = if p.counts.failed > 0 { "✗" } else { "✓" };
    let mut entry = format!(
        "{mark} {} {}",
        style.bold(&p.pipeline),
        counts_text(&p.counts)
    );
    for a in &p.failing_actions {
        let _ = write!(
            entry,
            "\n      ↳ {} failed {} of {}",
            style.esc(&a.name),
            a.failed,
            a.decided
        );
        if let Some(code) = &a.error_code {
            let _ = write!(entry, " ({})", style.esc(code));
        }
    }
    if p.more_actions > 0 {
        let _ = write!(
            entry,
            "\n      ↳ ... and {} more failing actions",
            p.more_actions
        );
    }
    truncate(&entry, MAX_ENTRY_CHARS)
}

/// `• deploy-prod @ main: freeze year-end, releases 2027-01-04 08:00 UTC (3 pushes)`.
fn hold_entry(h: &WaitingHold, style: Style) -> String {
    let entry = format!(
        "• {} @ {}: freeze {}, releases {} ({})",
        style.bold(&h.pipeline),
        style.esc(&h.branch),
        style.esc(&h.freeze),
        format_time(h.release_at),
        plural(h.pushes as usize, "push")
    );
    truncate(&entry, MAX_ENTRY_CHARS)
}

/// `2027-01-04 08:00 UTC`.
fn format_time(t: Timestamp) -> String {
    TimeZone::UTC
        .to_datetime(t)
        .strftime("%Y-%m-%d %H:%M UTC")
        .to_string()
}

fn dora_heading(d: &DoraDigest, style: Style) -> String {
    let mut text = format!(
        "{} ({}), {} to {}",
        style.bold("DORA"),
        style.esc(&d.pipelines.join(", ")),
        format_day(d.period.0),
        format_day(d.period.1)
    );
    if let Some((first, last)) = d.previous_period {
        let _ = write!(
            text,
            ", change since {} to {}",
            format_day(first),
            format_day(last)
        );
    }
    truncate(&text, MAX_SECTION_CHARS)
}

/// `*Lead time*\n12m 00s · Elite\n↓ -3m 00s, better · High → Elite`.
fn dora_field(l: &DoraLine, style: Style) -> String {
    let mut text = format!("{}\n{} · {}", style.bold(&l.name), l.value, l.tier);
    let mut change = Vec::new();
    match &l.change {
        Some(c) => {
            let verdict = match c.better {
                Some(true) => ", better",
                Some(false) => ", worse",
                None => "",
            };
            change.push(format!("{} {}{verdict}", c.direction.arrow(), c.delta));
        }
        None if l.previous_tier.is_some() => {
            change.push(format!("was {}", l.previous_value));
        }
        None => {}
    }
    if let Some(t) = l.tier_change() {
        change.push(t);
    }
    if !change.is_empty() {
        let _ = write!(text, "\n{}", change.join(" · "));
    }
    truncate(&text, MAX_FIELD_CHARS)
}

/// The four tiles of `current`, each with its change since `previous`.
fn dora_digest(current: &Dora, previous: Option<&Dora>) -> DoraDigest {
    let metrics = |d: &Dora| -> [DoraMetric; 4] {
        [
            d.deployment_frequency,
            d.lead_time,
            d.failed_deployment_recovery,
            d.change_failure_rate,
        ]
    };
    let now = metrics(current);
    let before = previous.map(metrics);
    let tiles = dora_tiles(current);
    let previous_tiles = previous.map(dora_tiles);
    let lines = tiles
        .iter()
        .enumerate()
        .map(|(i, tile)| {
            let previous_tile = previous_tiles.as_ref().map(|t| &t[i]);
            let change = match (now[i].value, before.map(|b| b[i].value)) {
                (Some(v), Some(Some(p))) => Some(change(i, v, p)),
                _ => None,
            };
            DoraLine {
                name: tile.name.to_owned(),
                value: tile.value.clone(),
                tier: tile.tier_label().to_owned(),
                previous_value: previous_tile.map_or("-".to_owned(), |t| t.value.clone()),
                previous_tier: previous_tile.map(|t| t.tier_label().to_owned()),
                change,
            }
        })
        .collect();
    DoraDigest {
        pipelines: current.production_pipelines.clone(),
        period: (current.period_start, current.period_end),
        previous_period: previous.map(|p| (p.period_start, p.period_end)),
        lines,
    }
}

/// The change of tile `index` (the order of [`super::DORA_TILE_IDS`]) from `previous` to
/// `now`: higher is better for deployment frequency, lower for the other three.
fn change(index: usize, now: f64, previous: f64) -> DoraChange {
    let diff = now - previous;
    let (delta, epsilon) = match index {
        0 => (format!("{diff:+.2}/day"), 0.005),
        1 | 2 => {
            let sign = if diff < 0.0 { "-" } else { "+" };
            (format!("{sign}{}", format_duration(diff.abs())), 0.5)
        }
        _ => (format!("{:+.1} pts", diff * 100.0), 0.0005),
    };
    let direction = if diff > epsilon {
        Direction::Up
    } else if diff < -epsilon {
        Direction::Down
    } else {
        Direction::Same
    };
    let higher_is_better = index == 0;
    let better = match direction {
        Direction::Same => None,
        Direction::Up => Some(higher_is_better),
        Direction::Down => Some(!higher_is_better),
    };
    DoraChange {
        direction,
        delta: if direction == Direction::Same {
            "no change".to_owned()
        } else {
            delta
        },
        better,
    }
}

/// `text` cut to `max` characters, ending in `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Entries packed into at most `max_sections` section texts of at most
/// [`MAX_SECTION_CHARS`] characters, one entry per line; entries that do not fit are
/// counted in a last `... and N more {noun}` line.
fn packed_sections(entries: &[String], max_sections: usize, noun: &str) -> Vec<String> {
    let limit = MAX_SECTION_CHARS - MORE_RESERVE;
    let mut sections: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_chars = 0;
    let mut shown = 0;
    for entry in entries {
        let chars = entry.chars().count();
        let needed = if current.is_empty() { chars } else { chars + 1 };
        if current_chars + needed > limit && !current.is_empty() {
            if sections.len() + 1 == max_sections {
                break;
            }
            sections.push(std::mem::take(&mut current));
            current_chars = 0;
        }
        if !current.is_empty() {
            current.push('\n');
            current_chars += 1;
        }
        current.push_str(entry);
        current_chars += chars;
        shown += 1;
    }
    let more = entries.len() - shown;
    if more > 0 {
        let _ = write!(current, "\n... and {more} more {noun}");
    }
    if !current.is_empty() {
        sections.push(current);
    }
    sections
}

fn header(text: &str) -> Value {
    json!({
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(text, MAX_HEADER_CHARS), "emoji": true},
    })
}

fn section(text: &str) -> Value {
    json!({
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_CHARS)},
    })
}

fn fields_section(fields: &[String]) -> Value {
    let fields: Vec<Value> = fields
        .iter()
        .take(MAX_FIELDS)
        .map(|f| json!({"type": "mrkdwn", "text": truncate(f, MAX_FIELD_CHARS)}))
        .collect();
    json!({"type": "section", "fields": fields})
}

fn divider() -> Value {
    json!({"type": "divider"})
}

/// At most [`MAX_BLOCKS`] blocks: the last one kept says how many were left out.
fn limit_blocks(mut blocks: Vec<Value>) -> Vec<Value> {
    if blocks.len() <= MAX_BLOCKS {
        return blocks;
    }
    let left_out = blocks.len() - (MAX_BLOCKS - 1);
    blocks.truncate(MAX_BLOCKS - 1);
    blocks.push(json!({
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": format!("... and {left_out} more blocks")}],
    }));
    blocks
}

#[cfg(test)]
mod tests;
