//! The `schedules` and `freezes` sections, as read from YAML. Every value is checked while
//! it is read (time zones, expressions, times, dates, windows), so a bad one is reported
//! with the line and column of the YAML that holds it. The types are `Deserialize` on
//! their own, so a larger file (the routing rules) can embed the two lists as they are.

use std::collections::BTreeSet;
use std::fmt;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Deserializer};

use crate::error::CalendarError;
use crate::expression::Expression;

/// An IANA time zone, resolved from the bundled tz database while the YAML is read.
#[derive(Clone, Debug)]
pub struct Zone {
    name: String,
    zone: TimeZone,
}

impl Zone {
    /// Resolves an IANA name such as `Europe/Berlin`.
    pub fn new(name: &str) -> Result<Self, String> {
        TimeZone::get(name)
            .map(|zone| Self {
                name: name.to_owned(),
                zone,
            })
            .map_err(|_| {
                format!("unknown time zone `{name}` (expected an IANA name such as Europe/Berlin)")
            })
    }

    /// The name as written.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The jiff time zone.
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }
}

impl Default for Zone {
    fn default() -> Self {
        Self {
            name: "UTC".to_owned(),
            zone: TimeZone::UTC,
        }
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parse_scalar(deserializer, "an IANA time zone name", Zone::new)
    }
}

impl<'de> Deserialize<'de> for Expression {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parse_scalar(deserializer, "cron(...) or rate(...)", |text| {
            Expression::parse(text).map_err(|e| e.to_string())
        })
    }
}

/// One scheduled run of a pipeline.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    /// The pipeline to start.
    pub pipeline: String,
    /// A name for logs and the calendar; defaults to the pipeline's name.
    #[serde(default)]
    pub name: Option<String>,
    /// `cron(...)` or `rate(...)`, EventBridge syntax.
    pub expression: Expression,
    /// The zone the cron's fields are read in (default UTC; no effect on a rate).
    #[serde(default)]
    pub timezone: Zone,
    /// The branch to build.
    pub branch: String,
    /// Start only when the branch head differs from the commit the pipeline's last
    /// execution built.
    #[serde(default)]
    pub only_if_changed: bool,
    /// Start only when the commits since that execution touch the pipeline's path filter.
    #[serde(default)]
    pub only_if_paths_changed: bool,
}

impl ScheduleConfig {
    /// The schedule's name: `name`, or the pipeline's.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.pipeline)
    }
}

/// What happens to a push, or a scheduled run, inside a freeze.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FreezeAction {
    /// Held, and started at the release time (the newest held commit).
    #[default]
    Hold,
    /// Dropped: nothing starts for it.
    Skip,
}

/// When a freeze's hold is released, given the end of the window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReleaseRule {
    /// At the end of the window (`release_at: window end`, the default).
    #[default]
    WindowEnd,
    /// At this local time on the first workday (Monday to Friday, not a holiday of a
    /// holiday list or all-day .ics event attached to the pipeline) at or after the
    /// window's end (`release_at: next workday 09:00`).
    NextWorkday(Time),
}

impl<'de> Deserialize<'de> for ReleaseRule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parse_scalar(
            deserializer,
            "`window end` or `next workday HH:MM`",
            |text| {
                let lower = text.trim().to_ascii_lowercase();
                if lower == "window end" || lower == "end" {
                    return Ok(ReleaseRule::WindowEnd);
                }
                let time = lower
                    .strip_prefix("next workday")
                    .map(str::trim)
                    .and_then(parse_clock);
                time.map(ReleaseRule::NextWorkday).ok_or_else(|| {
                    format!("release_at `{text}`: expected `window end` or `next workday HH:MM`")
                })
            },
        )
    }
}

/// A pipeline name or a glob of names (`*` any run of characters, `?` one character).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelinePattern(String);

impl PipelinePattern {
    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `pipeline` matches the pattern.
    pub fn matches(&self, pipeline: &str) -> bool {
        wildcard_match(self.0.as_bytes(), pipeline.as_bytes())
    }
}

impl<'de> Deserialize<'de> for PipelinePattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parse_scalar(deserializer, "a pipeline name or glob", |text| {
            let valid = !text.is_empty()
                && text.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_' | '*' | '?')
                });
            if valid {
                Ok(Self(text.to_owned()))
            } else {
                Err(format!(
                    "pipeline pattern `{text}`: pipeline names are letters, digits and .@-_ ; globs add * and ?"
                ))
            }
        })
    }
}

/// `*` and `?` matching without backtracking blow-up (the classic two-pointer walk).
fn wildcard_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

/// A named freeze: when it applies, to which pipelines, and what it does.
#[derive(Clone, Debug)]
pub struct FreezeConfig {
    /// The freeze's name, in decisions, logs and Slack.
    pub name: String,
    /// The pipelines it applies to (names or globs).
    pub pipelines: Vec<PipelinePattern>,
    /// What a push inside it does (default hold).
    pub on_push: FreezeAction,
    /// What a scheduled run inside it does (default hold).
    pub on_schedule: FreezeAction,
    /// When a hold is released.
    pub release_at: ReleaseRule,
    /// When the freeze is on.
    pub window: FreezeWindow,
}

impl FreezeConfig {
    /// Whether the freeze applies to `pipeline`.
    pub fn applies_to(&self, pipeline: &str) -> bool {
        self.pipelines.iter().any(|p| p.matches(pipeline))
    }
}

/// When a freeze is on: exactly one of these per freeze.
#[derive(Clone, Debug)]
pub enum FreezeWindow {
    /// Every week, on the given days and times.
    Weekly(WeeklyWindow),
    /// Once, from a date (or date-time) to another.
    Dates(DateRange),
    /// Whole days, listed.
    Holidays(HolidayList),
    /// The events of an iCalendar file.
    Ics(IcsSource),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFreeze {
    name: String,
    pipelines: Vec<PipelinePattern>,
    #[serde(default)]
    on_push: FreezeAction,
    #[serde(default)]
    on_schedule: FreezeAction,
    #[serde(default)]
    release_at: ReleaseRule,
    #[serde(default)]
    weekly: Option<WeeklyWindow>,
    #[serde(default)]
    dates: Option<DateRange>,
    #[serde(default)]
    holidays: Option<HolidayList>,
    #[serde(default)]
    ics: Option<IcsSource>,
}

impl TryFrom<RawFreeze> for FreezeConfig {
    type Error = String;

    fn try_from(raw: RawFreeze) -> Result<Self, String> {
        let name = raw.name;
        if name.trim().is_empty() {
            return Err("a freeze needs a non-empty name".to_owned());
        }
        if raw.pipelines.is_empty() {
            return Err(format!(
                "freeze `{name}`: `pipelines` is empty (use [\"*\"] for all)"
            ));
        }
        let mut windows = Vec::new();
        windows.extend(raw.weekly.map(FreezeWindow::Weekly));
        windows.extend(raw.dates.map(FreezeWindow::Dates));
        windows.extend(raw.holidays.map(FreezeWindow::Holidays));
        windows.extend(raw.ics.map(FreezeWindow::Ics));
        let window = match windows.len() {
            1 => windows.remove(0),
            0 => {
                return Err(format!(
                    "freeze `{name}` has no window: give one of weekly, dates, holidays, ics"
                ));
            }
            _ => {
                return Err(format!(
                    "freeze `{name}` has several windows: give one of weekly, dates, holidays, ics (one freeze each)"
                ));
            }
        };
        Ok(Self {
            name,
            pipelines: raw.pipelines,
            on_push: raw.on_push,
            on_schedule: raw.on_schedule,
            release_at: raw.release_at,
            window,
        })
    }
}

/// A weekly window: spans from a weekday and time to a later weekday and time, in a zone.
#[derive(Clone, Debug)]
pub struct WeeklyWindow {
    /// The zone the days and times are read in.
    pub timezone: Zone,
    /// The spans, one per day with `days`, else one.
    pub spans: Vec<WeeklySpan>,
}

/// One weekly span: from a weekday's local time, for whole days plus a local end time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeeklySpan {
    /// The weekday it starts on.
    pub start_day: Weekday,
    /// The local start time.
    pub start: Time,
    /// How many days after the start day it ends (0 to 7).
    pub end_days: i8,
    /// The local end time.
    pub end: Time,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeekly {
    #[serde(default)]
    timezone: Zone,
    #[serde(default)]
    days: Option<Vec<String>>,
    from: String,
    to: String,
}

impl TryFrom<RawWeekly> for WeeklyWindow {
    type Error = String;

    fn try_from(raw: RawWeekly) -> Result<Self, String> {
        let spans = match raw.days {
            Some(days) => {
                if days.is_empty() {
                    return Err("weekly `days` is empty: name at least one day".to_owned());
                }
                let start = parse_clock(&raw.from)
                    .ok_or_else(|| format!("weekly `from` `{}`: expected HH:MM", raw.from))?;
                let end = parse_clock(&raw.to)
                    .ok_or_else(|| format!("weekly `to` `{}`: expected HH:MM", raw.to))?;
                if start == end {
                    return Err(format!(
                        "weekly window from {} to {} is empty (from equals to)",
                        raw.from, raw.to
                    ));
                }
                let mut spans = Vec::new();
                for day in &days {
                    let start_day = parse_weekday(day)
                        .ok_or_else(|| format!("weekly day `{day}`: expected MON..SUN"))?;
                    spans.push(WeeklySpan {
                        start_day,
                        start,
                        // Crossing midnight: 22:00 to 06:00 ends the next day.
                        end_days: if end > start { 0 } else { 1 },
                        end,
                    });
                }
                spans
            }
            None => {
                let (start_day, start) = parse_day_clock(&raw.from).ok_or_else(|| {
                    format!(
                        "weekly `from` `{}`: expected DAY HH:MM, like FRI 16:00 (or give `days`)",
                        raw.from
                    )
                })?;
                let (end_day, end) = parse_day_clock(&raw.to).ok_or_else(|| {
                    format!(
                        "weekly `to` `{}`: expected DAY HH:MM, like MON 08:00",
                        raw.to
                    )
                })?;
                let mut end_days = (end_day.to_monday_zero_offset()
                    - start_day.to_monday_zero_offset())
                .rem_euclid(7);
                if end_days == 0 {
                    if end == start {
                        return Err(format!(
                            "weekly window from {} to {} is empty (from equals to)",
                            raw.from, raw.to
                        ));
                    }
                    if end < start {
                        end_days = 7;
                    }
                }
                vec![WeeklySpan {
                    start_day,
                    start,
                    end_days,
                    end,
                }]
            }
        };
        Ok(Self {
            timezone: raw.timezone,
            spans,
        })
    }
}

/// A one-off range, local to a zone. A date `to` includes that whole day; a date-time `to`
/// is the first instant after the freeze.
#[derive(Clone, Debug)]
pub struct DateRange {
    /// The zone the dates are read in.
    pub timezone: Zone,
    /// The local start.
    pub start: DateTime,
    /// The local end (exclusive).
    pub end: DateTime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDates {
    #[serde(default)]
    timezone: Zone,
    from: String,
    to: String,
}

impl TryFrom<RawDates> for DateRange {
    type Error = String;

    fn try_from(raw: RawDates) -> Result<Self, String> {
        let start = parse_local(&raw.from, false)?;
        let end = parse_local(&raw.to, true)?;
        if end <= start {
            return Err(format!(
                "dates from {} to {} is empty: it ends before it starts",
                raw.from, raw.to
            ));
        }
        Ok(Self {
            timezone: raw.timezone,
            start,
            end,
        })
    }
}

/// Whole local days on which the freeze is on; they are also the holidays that
/// `release_at: next workday` skips.
#[derive(Clone, Debug)]
pub struct HolidayList {
    /// The zone the days are read in.
    pub timezone: Zone,
    /// The days.
    pub dates: BTreeSet<Date>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHolidays {
    #[serde(default)]
    timezone: Zone,
    dates: Vec<ParsedDate>,
}

/// A `YYYY-MM-DD` date checked where the YAML holds it (2027-02-29 is an error there).
struct ParsedDate(Date);

impl<'de> Deserialize<'de> for ParsedDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parse_scalar(deserializer, "a date (YYYY-MM-DD)", |text| {
            parse_date(text).map(ParsedDate)
        })
    }
}

impl TryFrom<RawHolidays> for HolidayList {
    type Error = String;

    fn try_from(raw: RawHolidays) -> Result<Self, String> {
        if raw.dates.is_empty() {
            return Err("holidays `dates` is empty: list at least one day".to_owned());
        }
        Ok(Self {
            timezone: raw.timezone,
            dates: raw.dates.into_iter().map(|d| d.0).collect(),
        })
    }
}

/// An iCalendar file: its events are the freeze's windows; its all-day events are also
/// holidays for `release_at: next workday`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IcsSource {
    /// The file, relative to the rules file's folder.
    pub path: String,
    /// The zone for dates and floating times in the file (default UTC).
    #[serde(default)]
    pub timezone: Zone,
}

/// The two sections, in a file of their own (the routing rules will embed them).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// Scheduled runs.
    #[serde(default)]
    pub schedules: Vec<ScheduleConfig>,
    /// Change freezes.
    #[serde(default)]
    pub freezes: Vec<FreezeConfig>,
}

impl CalendarConfig {
    /// Parses and checks the sections from YAML, strictly (config-yaml: YAML tags,
    /// unknown keys and empty sections are errors naming the line); `origin` names the
    /// text in errors.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self, CalendarError> {
        let loaded = config_yaml::from_str::<Self>(text, origin, &config_yaml::Options::default())?;
        loaded.value.check(&loaded.source)?;
        Ok(loaded.value)
    }

    /// The checks across entries, with the line of the node at fault: a section that is
    /// present names at least one entry, freeze names are unique, schedules name a
    /// pipeline and a branch. The paths are those of the top level (`schedules[0]`,
    /// `freezes[1].name`), so a larger file embedding the two sections checks them with
    /// its own [`config_yaml::Source`].
    pub fn check(&self, source: &config_yaml::Source) -> Result<(), config_yaml::YamlError> {
        for (section, empty) in [
            ("schedules", self.schedules.is_empty()),
            ("freezes", self.freezes.is_empty()),
        ] {
            if empty && source.location(section).is_some() {
                return Err(source.error_at(
                    section,
                    "the section is empty: list at least one entry, or remove the key",
                ));
            }
        }
        let mut names = BTreeSet::new();
        for (i, freeze) in self.freezes.iter().enumerate() {
            if !names.insert(freeze.name.as_str()) {
                return Err(source.error_at(
                    &format!("freezes[{i}].name"),
                    format!("freeze `{}` is defined twice", freeze.name),
                ));
            }
        }
        for (i, schedule) in self.schedules.iter().enumerate() {
            if schedule.pipeline.trim().is_empty() || schedule.branch.trim().is_empty() {
                return Err(source.error_at(
                    &format!("schedules[{i}]"),
                    format!(
                        "schedule `{}` needs a pipeline and a branch",
                        schedule.display_name()
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl fmt::Display for FreezeAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FreezeAction::Hold => "hold",
            FreezeAction::Skip => "skip",
        })
    }
}

/// A scalar parsed inside the deserializer's visit, so that the YAML reader reports an error
/// at the scalar's own line and column rather than at the mapping around it.
fn parse_scalar<'de, D, T>(
    deserializer: D,
    expecting: &'static str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct ScalarVisitor<F> {
        expecting: &'static str,
        parse: F,
    }
    impl<'de, T, F: FnOnce(&str) -> Result<T, String>> serde::de::Visitor<'de> for ScalarVisitor<F> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
            (self.parse)(text).map_err(E::custom)
        }
    }
    deserializer.deserialize_str(ScalarVisitor { expecting, parse })
}

/// A mapping read as `Raw` and checked into `T` inside the deserializer's visit, so that
/// a failed check is reported at the mapping's own line (not at an enclosing one).
fn checked_map<'de, D, Raw, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    Raw: Deserialize<'de>,
    T: TryFrom<Raw, Error = String>,
{
    struct MapVisitor<Raw, T>(std::marker::PhantomData<(Raw, T)>);
    impl<'de, Raw: Deserialize<'de>, T: TryFrom<Raw, Error = String>> serde::de::Visitor<'de>
        for MapVisitor<Raw, T>
    {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            let raw = Raw::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
            T::try_from(raw).map_err(serde::de::Error::custom)
        }
    }
    deserializer.deserialize_map(MapVisitor(std::marker::PhantomData))
}

/// `HH:MM`, 00:00 to 23:59.
fn parse_clock(text: &str) -> Option<Time> {
    let (hour, minute) = text.trim().split_once(':')?;
    if hour.is_empty() || hour.len() > 2 || minute.len() != 2 {
        return None;
    }
    let hour: i8 = hour.parse().ok()?;
    let minute: i8 = minute.parse().ok()?;
    Time::new(hour, minute, 0, 0).ok()
}

/// `FRI 16:00`.
fn parse_day_clock(text: &str) -> Option<(Weekday, Time)> {
    let (day, clock) = text.trim().split_once(char::is_whitespace)?;
    Some((parse_weekday(day)?, parse_clock(clock)?))
}

/// MON..SUN or Monday..Sunday, any case.
pub(crate) fn parse_weekday(text: &str) -> Option<Weekday> {
    let lower = text.trim().to_ascii_lowercase();
    let days = [
        ("mon", "monday", Weekday::Monday),
        ("tue", "tuesday", Weekday::Tuesday),
        ("wed", "wednesday", Weekday::Wednesday),
        ("thu", "thursday", Weekday::Thursday),
        ("fri", "friday", Weekday::Friday),
        ("sat", "saturday", Weekday::Saturday),
        ("sun", "sunday", Weekday::Sunday),
    ];
    days.iter()
        .find(|(short, long, _)| lower == *short || lower == *long)
        .map(|(_, _, day)| *day)
}

fn parse_date(text: &str) -> Result<Date, String> {
    text.trim()
        .parse::<Date>()
        .map_err(|e| format!("`{text}` is not a date (YYYY-MM-DD): {e}"))
}

/// `YYYY-MM-DD` (midnight; the next midnight when it is an inclusive end) or
/// `YYYY-MM-DDTHH:MM`.
fn parse_local(text: &str, end: bool) -> Result<DateTime, String> {
    let trimmed = text.trim();
    if trimmed.contains('T') || trimmed.contains(' ') {
        return trimmed
            .replacen(' ', "T", 1)
            .parse::<DateTime>()
            .map_err(|e| format!("`{text}` is not a local date-time (YYYY-MM-DDTHH:MM): {e}"));
    }
    let date = parse_date(trimmed)?;
    let date = if end {
        date.tomorrow().map_err(|e| format!("`{text}`: {e}"))?
    } else {
        date
    };
    Ok(date.to_datetime(Time::midnight()))
}

impl<'de> Deserialize<'de> for FreezeConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        checked_map::<D, RawFreeze, Self>(deserializer)
    }
}

impl<'de> Deserialize<'de> for WeeklyWindow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        checked_map::<D, RawWeekly, Self>(deserializer)
    }
}

impl<'de> Deserialize<'de> for DateRange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        checked_map::<D, RawDates, Self>(deserializer)
    }
}

impl<'de> Deserialize<'de> for HolidayList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        checked_map::<D, RawHolidays, Self>(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_pipeline_names() {
        let pattern = |p: &str| PipelinePattern(p.to_owned());
        assert!(pattern("api-*").matches("api-deploy"));
        assert!(pattern("*-deploy").matches("web-deploy"));
        assert!(pattern("svc-?").matches("svc-1"));
        assert!(!pattern("svc-?").matches("svc-10"));
        assert!(!pattern("api-*").matches("web-deploy"));
        assert!(pattern("*").matches("anything"));
        assert!(pattern("exact").matches("exact"));
        assert!(!pattern("exact").matches("exactly"));
    }

    #[test]
    fn clock_times_and_days_parse_strictly() {
        assert_eq!(parse_clock("09:00"), Time::new(9, 0, 0, 0).ok());
        assert_eq!(parse_clock("9:30"), Time::new(9, 30, 0, 0).ok());
        assert_eq!(parse_clock("24:00"), None);
        assert_eq!(parse_clock("09:0"), None);
        assert_eq!(parse_weekday("Fri"), Some(Weekday::Friday));
        assert_eq!(parse_weekday("sunday"), Some(Weekday::Sunday));
        assert_eq!(parse_weekday("Fr"), None);
    }
}
