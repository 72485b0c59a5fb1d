//! The agenda of the next days: what runs when (and whether a freeze holds or skips it),
//! which freezes apply to which pipelines, and when holds release. What
//! `pipeline-router calendar` prints as a table, JSON or an iCalendar feed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::Timestamp;
use pipeline_routing::RoutingRules;
use pipeline_schedules::FreezeAction;
use pipeline_schedules::holds::Hold;
use serde::Serialize;

/// At most this many runs per schedule are listed (a `rate(1 minute)` over a year).
const MAX_RUNS_PER_SCHEDULE: usize = 10_000;

/// One scheduled run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgendaRun {
    /// When it runs.
    pub at: Timestamp,
    /// The local time in the schedule's zone (`2026-03-29T03:00:00+02:00[Europe/Berlin]`).
    pub local: String,
    /// The schedule.
    pub schedule: String,
    /// The pipeline.
    pub pipeline: String,
    /// The branch.
    pub branch: String,
    /// The freeze on at the run, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freeze: Option<String>,
    /// `hold` or `skip`, when a freeze is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_freeze: Option<FreezeAction>,
    /// When a held run starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_at: Option<Timestamp>,
}

/// One freeze period, with the pipelines it applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgendaFreeze {
    /// The freeze.
    pub name: String,
    /// When it starts (or the agenda's start, if it started before).
    pub start: Timestamp,
    /// When its window ends.
    pub end: Timestamp,
    /// When holds made during it are released.
    pub release_at: Timestamp,
    /// The pipelines it applies to, in rules order.
    pub pipelines: Vec<String>,
}

/// One hold's release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgendaRelease {
    /// When it is released.
    pub at: Timestamp,
    /// The pipeline.
    pub pipeline: String,
    /// The branch.
    pub branch: String,
    /// The commit that will start.
    pub commit: String,
    /// The freeze that holds it.
    pub freeze: String,
}

/// The agenda of `[from, until)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Agenda {
    /// The start.
    pub from: Timestamp,
    /// The end (exclusive).
    pub until: Timestamp,
    /// The runs, by time.
    pub runs: Vec<AgendaRun>,
    /// The freeze periods, by start.
    pub freezes: Vec<AgendaFreeze>,
    /// The hold releases, by time.
    pub releases: Vec<AgendaRelease>,
}

/// The agenda of `[from, until)` for the rules' schedules and freezes and the `holds`.
pub fn agenda(rules: &RoutingRules, holds: &[Hold], from: Timestamp, until: Timestamp) -> Agenda {
    let calendar = rules.calendar();
    let mut runs = Vec::new();
    for schedule in calendar.schedules() {
        let zone = schedule.timezone.zone();
        // runs_after is strict: start a nanosecond early so a run at `from` is listed.
        let start = from
            .checked_sub(jiff::SignedDuration::from_nanos(1))
            .unwrap_or(from);
        for at in schedule
            .runs_after(start)
            .take_while(|at| *at < until)
            .take(MAX_RUNS_PER_SCHEDULE)
        {
            let freeze = calendar.freeze_at(&schedule.pipeline, at);
            runs.push(AgendaRun {
                at,
                local: at.to_zoned_datetime(zone.clone()).to_string(),
                schedule: schedule.display_name().to_owned(),
                pipeline: schedule.pipeline.clone(),
                branch: schedule.branch.clone(),
                on_freeze: freeze.as_ref().map(|f| f.on_schedule),
                release_at: freeze
                    .as_ref()
                    .filter(|f| f.on_schedule == FreezeAction::Hold)
                    .map(|f| f.release_at),
                freeze: freeze.map(|f| f.name),
            });
        }
    }
    runs.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.schedule.cmp(&b.schedule)));

    // The same period of the same freeze, over several pipelines, is listed once.
    let mut periods: BTreeMap<(Timestamp, String, Timestamp, Timestamp), Vec<String>> =
        BTreeMap::new();
    for pipeline in rules.pipeline_names() {
        for period in calendar.freeze_periods(pipeline, from, until) {
            periods
                .entry((
                    period.start,
                    period.name,
                    period.window_end,
                    period.release_at,
                ))
                .or_default()
                .push(pipeline.to_owned());
        }
    }
    let freezes = periods
        .into_iter()
        .map(|((start, name, end, release_at), pipelines)| AgendaFreeze {
            name,
            start,
            end,
            release_at,
            pipelines,
        })
        .collect();

    let mut releases: Vec<AgendaRelease> = holds
        .iter()
        .map(|hold| AgendaRelease {
            at: hold.release_at,
            pipeline: hold.pipeline.clone(),
            branch: hold.branch.clone(),
            commit: hold.commit_id.clone(),
            freeze: hold.freeze.clone(),
        })
        .collect();
    releases.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.pipeline.cmp(&b.pipeline)));
    Agenda {
        from,
        until,
        runs,
        freezes,
        releases,
    }
}

impl Agenda {
    /// The agenda as an iCalendar feed (RFC 5545): one event per run, freeze period and
    /// hold release, times in UTC, stable UIDs so that a calendar app updates rather than
    /// duplicates them on refresh.
    pub fn to_ics(&self) -> String {
        let mut out = String::new();
        let stamp = ics_time(self.from);
        let mut line = |text: &str| {
            for folded in fold(text) {
                out.push_str(&folded);
                out.push_str("\r\n");
            }
        };
        line("BEGIN:VCALENDAR");
        line("VERSION:2.0");
        line("PRODID:-//pipeline-router//calendar//EN");
        line("CALSCALE:GREGORIAN");
        line("X-WR-CALNAME:pipeline-router");
        let mut event = |uid: String,
                         start: Timestamp,
                         end: Timestamp,
                         summary: String,
                         description: String| {
            line("BEGIN:VEVENT");
            line(&format!("UID:{uid}@pipeline-router"));
            line(&format!("DTSTAMP:{stamp}"));
            line(&format!("DTSTART:{}", ics_time(start)));
            line(&format!("DTEND:{}", ics_time(end)));
            line(&format!("SUMMARY:{}", escape(&summary)));
            line(&format!("DESCRIPTION:{}", escape(&description)));
            line("END:VEVENT");
        };
        let minute = jiff::SignedDuration::from_mins(1);
        for run in &self.runs {
            let what = match (run.on_freeze, &run.freeze) {
                (Some(FreezeAction::Skip), Some(freeze)) => format!(" (skipped: freeze {freeze})"),
                (Some(FreezeAction::Hold), Some(freeze)) => format!(" (held: freeze {freeze})"),
                _ => String::new(),
            };
            event(
                format!("run-{}-{}", slug(&run.schedule), run.at.as_second()),
                run.at,
                run.at.checked_add(minute).unwrap_or(run.at),
                format!("run {} ({}){what}", run.schedule, run.pipeline),
                format!(
                    "pipeline {} on {}, local time {}",
                    run.pipeline, run.branch, run.local
                ),
            );
        }
        for freeze in &self.freezes {
            event(
                format!("freeze-{}-{}", slug(&freeze.name), freeze.start.as_second()),
                freeze.start,
                freeze.end,
                format!("freeze {}", freeze.name),
                format!(
                    "pipelines: {}; holds released at {}",
                    freeze.pipelines.join(", "),
                    freeze.release_at
                ),
            );
        }
        for release in &self.releases {
            event(
                format!(
                    "release-{}-{}-{}",
                    slug(&release.pipeline),
                    slug(&release.branch),
                    release.at.as_second()
                ),
                release.at,
                release.at.checked_add(minute).unwrap_or(release.at),
                format!("release {} on {}", release.pipeline, release.branch),
                format!(
                    "commit {} held by freeze {}",
                    release.commit, release.freeze
                ),
            );
        }
        line("END:VCALENDAR");
        out
    }
}

fn ics_time(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn slug(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Lines longer than 75 octets are folded (RFC 5545 3.1), at character boundaries.
fn fold(line: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for c in line.chars() {
        let limit = if lines.is_empty() { 75 } else { 74 };
        if current.len() + c.len_utf8() > limit {
            lines.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    lines.push(current);
    let mut folded = Vec::with_capacity(lines.len());
    for (i, l) in lines.into_iter().enumerate() {
        if i == 0 {
            folded.push(l);
        } else {
            let mut continued = String::from(" ");
            let _ = write!(continued, "{l}");
            folded.push(continued);
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn sample() -> Agenda {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../events/scheduler/rules.yaml"
        );
        let rules =
            RoutingRules::from_path(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{e}"));
        agenda(
            &rules,
            &[],
            ts("2026-03-27T00:00:00Z"),
            ts("2026-03-31T00:00:00Z"),
        )
    }

    /// Hand-computed: 02:30 Berlin is 01:30Z in CET (UTC+1) and 00:30Z in CEST (UTC+2);
    /// on 2026-03-29 02:00 CET jumps to 03:00 CEST, so that night's run is 03:00 CEST,
    /// 01:00Z. Friday's run is before the freeze; Saturday's to Monday's are inside it
    /// (Monday 02:30 < 08:00) and held until Monday 09:00 CEST, 07:00Z.
    #[test]
    fn the_nightly_runs_across_the_spring_change_at_hand_computed_times() {
        let agenda = sample();
        let nightly: Vec<(String, Option<Timestamp>)> = agenda
            .runs
            .iter()
            .filter(|r| r.schedule == "api-nightly")
            .map(|r| (r.at.to_string(), r.release_at))
            .collect();
        let held = Some(ts("2026-03-30T07:00:00Z"));
        assert_eq!(
            nightly,
            vec![
                ("2026-03-27T01:30:00Z".to_owned(), None),
                ("2026-03-28T01:30:00Z".to_owned(), held),
                ("2026-03-29T01:00:00Z".to_owned(), held),
                ("2026-03-30T00:30:00Z".to_owned(), held),
            ]
        );
        let spring = agenda
            .runs
            .iter()
            .find(|r| r.at == ts("2026-03-29T01:00:00Z"));
        assert_eq!(
            spring.map(|r| r.local.as_str()),
            Some("2026-03-29T03:00:00+02:00[Europe/Berlin]")
        );
    }

    #[test]
    fn the_rate_runs_every_six_hours_from_midnight_utc_and_no_freeze_applies() {
        let agenda = sample();
        let web: Vec<&AgendaRun> = agenda
            .runs
            .iter()
            .filter(|r| r.pipeline == "web-deploy")
            .collect();
        assert_eq!(web.len(), 16);
        assert_eq!(web[0].at, ts("2026-03-27T00:00:00Z"));
        assert_eq!(web[15].at, ts("2026-03-30T18:00:00Z"));
        assert!(web.iter().all(|r| r.freeze.is_none()));
    }

    /// Friday 16:00 CET = 15:00Z; Monday 08:00 CEST = 06:00Z; released 09:00 CEST = 07:00Z.
    #[test]
    fn the_weekend_freeze_spans_the_change_with_its_release() {
        let agenda = sample();
        assert_eq!(
            agenda.freezes,
            vec![AgendaFreeze {
                name: "weekend".into(),
                start: ts("2026-03-27T15:00:00Z"),
                end: ts("2026-03-30T06:00:00Z"),
                release_at: ts("2026-03-30T07:00:00Z"),
                pipelines: vec!["api-deploy".into()],
            }]
        );
    }

    #[test]
    fn the_ics_feed_has_one_event_per_entry_in_utc() {
        let ics = sample().to_ics();
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 4 + 16 + 1);
        assert!(ics.contains("DTSTART:20260329T010000Z\r\n"));
        assert!(ics.contains("SUMMARY:freeze weekend\r\n"));
        assert!(ics.lines().all(|l| l.len() <= 75));
        // What it says can be read back by the freeze .ics reader of this project.
        let parsed = pipeline_schedules::IcsCalendar::parse(&ics, &jiff::tz::TimeZone::UTC);
        assert!(parsed.is_ok(), "{parsed:?}");
    }
}
