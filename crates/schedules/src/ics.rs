//! iCalendar (.ics, RFC 5545) files as freeze windows: the VEVENTs of a calendar, with
//! their recurrences.
//!
//! Read: line unfolding (a line that starts with a space or tab continues the previous
//! one), `BEGIN`/`END` nesting, and in each VEVENT `DTSTART` and `DTEND` or `DURATION`
//! (dates, local date-times with `TZID`, UTC date-times with `Z`, floating date-times in
//! the freeze's `timezone`), `RRULE` (`FREQ=DAILY|WEEKLY|MONTHLY|YEARLY`, `INTERVAL`,
//! `COUNT`, `UNTIL`, `BYDAY` as plain weekdays, `WKST` accepted and taken as Monday) and
//! `EXDATE` (any number of lines, comma lists). A `STATUS:CANCELLED` event is no window.
//! `RDATE`, numbered `BYDAY` (`1MO`) and other `BY*` parts are errors rather than being
//! silently ignored. `TZID` must be an IANA name: `VTIMEZONE` definitions are not read.
//! An event without an end lasts one day if it starts on a date, else no time at all.
//!
//! Written here rather than taken from a crate: the Rust iCalendar and RRULE crates
//! (`icalendar`, `ical`, `rrule`) are built on chrono and chrono-tz, a second time crate
//! and a second copy of the tz database beside jiff; the subset a freeze needs is small.

use std::collections::HashSet;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::expression::resolve_local;

/// Occurrences generated for one event before the walk gives up (about 270 years daily).
const MAX_OCCURRENCES: usize = 100_000;

/// A malformed .ics file: the (unfolded) line where the problem starts, and what it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct IcsError {
    /// The 1-based line of the file (the first physical line of a folded line).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The events of an .ics file, ready to be asked which one covers an instant.
#[derive(Clone, Debug)]
pub struct IcsCalendar {
    events: Vec<Event>,
}

#[derive(Clone, Debug)]
struct Event {
    /// The zone the event's local times are in (its `TZID`, UTC, or the default).
    zone: TimeZone,
    /// Whether `DTSTART` is a date (an all-day event).
    all_day: bool,
    /// The local start.
    start: DateTime,
    /// Whole days (all-day events) or an exact duration.
    length: Length,
    rule: Option<Rule>,
    /// Excluded local starts (dates at midnight for all-day events).
    exdates: HashSet<DateTime>,
}

#[derive(Clone, Copy, Debug)]
enum Length {
    Days(i64),
    Exact(SignedDuration),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

#[derive(Clone, Debug)]
struct Rule {
    frequency: Frequency,
    interval: i64,
    count: Option<usize>,
    until: Option<Until>,
    by_day: Vec<Weekday>,
}

#[derive(Clone, Copy, Debug)]
enum Until {
    /// A date: occurrences starting on or before it.
    Date(Date),
    /// A UTC date-time.
    Instant(Timestamp),
    /// A floating date-time, in the event's zone.
    Local(DateTime),
}

impl IcsCalendar {
    /// Parses an .ics text; floating times and dates are in `zone`.
    pub fn parse(text: &str, zone: &TimeZone) -> Result<Self, IcsError> {
        let lines = unfold(text)?;
        let mut events = Vec::new();
        let mut stack: Vec<(String, usize)> = Vec::new();
        let mut current: Option<(usize, Vec<(usize, Property)>)> = None;
        let mut saw_calendar = false;
        for (line, content) in lines {
            let property =
                parse_property(&content).map_err(|message| IcsError { line, message })?;
            match property.name.as_str() {
                "BEGIN" => {
                    let component = property.value.to_ascii_uppercase();
                    if stack.is_empty() {
                        if component != "VCALENDAR" {
                            return Err(IcsError {
                                line,
                                message: format!(
                                    "the file must start with BEGIN:VCALENDAR, not BEGIN:{component}"
                                ),
                            });
                        }
                        saw_calendar = true;
                    }
                    if component == "VEVENT" && stack.len() == 1 {
                        current = Some((line, Vec::new()));
                    }
                    stack.push((component, line));
                }
                "END" => {
                    let component = property.value.to_ascii_uppercase();
                    let Some((open, open_line)) = stack.pop() else {
                        return Err(IcsError {
                            line,
                            message: format!("END:{component} without a BEGIN"),
                        });
                    };
                    if open != component {
                        return Err(IcsError {
                            line,
                            message: format!(
                                "END:{component} does not close BEGIN:{open} (line {open_line})"
                            ),
                        });
                    }
                    if component == "VEVENT"
                        && stack.len() == 1
                        && let Some((start_line, properties)) = current.take()
                        && let Some(event) = Event::build(start_line, properties, zone)?
                    {
                        events.push(event);
                    }
                }
                _ if stack.is_empty() => {
                    return Err(IcsError {
                        line,
                        message: format!(
                            "`{}` outside BEGIN:VCALENDAR ... END:VCALENDAR",
                            property.name
                        ),
                    });
                }
                _ => {
                    if stack.len() == 2
                        && let Some((_, properties)) = current.as_mut()
                    {
                        properties.push((line, property));
                    }
                }
            }
        }
        if let Some((open, open_line)) = stack.pop() {
            return Err(IcsError {
                line: open_line,
                message: format!("BEGIN:{open} is never closed"),
            });
        }
        if !saw_calendar {
            return Err(IcsError {
                line: 1,
                message: "no BEGIN:VCALENDAR: not an iCalendar file".to_owned(),
            });
        }
        Ok(Self { events })
    }

    /// The number of (not cancelled) events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the calendar has no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The end of the latest-ending event occurrence that covers `at`, if any does.
    pub fn covering(&self, at: Timestamp) -> Option<Timestamp> {
        self.events.iter().filter_map(|e| e.covering(at)).max()
    }

    /// Whether an all-day event occurrence covers `date` (a holiday).
    pub fn is_holiday(&self, date: Date) -> bool {
        self.events.iter().any(|e| e.all_day && e.covers_date(date))
    }

    /// The first event occurrence starting strictly after `after`, if any.
    pub fn next_start_after(&self, after: Timestamp) -> Option<Timestamp> {
        self.events
            .iter()
            .filter_map(|e| e.next_start_after(after))
            .min()
    }
}

impl Event {
    fn build(
        line: usize,
        properties: Vec<(usize, Property)>,
        default_zone: &TimeZone,
    ) -> Result<Option<Self>, IcsError> {
        let mut start = None;
        let mut end = None;
        let mut duration = None;
        let mut rule_text = None;
        let mut exdates = Vec::new();
        for (line, property) in properties {
            let fail = |message: String| IcsError { line, message };
            match property.name.as_str() {
                "DTSTART" => start = Some(parse_moment(&property, default_zone).map_err(fail)?),
                "DTEND" => end = Some(parse_moment(&property, default_zone).map_err(fail)?),
                "DURATION" => {
                    duration = Some(parse_duration(&property.value).map_err(fail)?);
                }
                "RRULE" => rule_text = Some((line, property.value)),
                "EXDATE" => {
                    for value in property.value.split(',') {
                        let single = Property {
                            name: property.name.clone(),
                            params: property.params.clone(),
                            value: value.to_owned(),
                        };
                        exdates.push(parse_moment(&single, default_zone).map_err(fail)?);
                    }
                }
                "RDATE" => return Err(fail("RDATE is not supported (use RRULE)".to_owned())),
                "STATUS" if property.value.eq_ignore_ascii_case("CANCELLED") => return Ok(None),
                _ => {}
            }
        }
        let Some(start) = start else {
            return Err(IcsError {
                line,
                message: "VEVENT without DTSTART".to_owned(),
            });
        };
        let length = match (end, duration) {
            (Some(_), Some(_)) => {
                return Err(IcsError {
                    line,
                    message: "VEVENT has both DTEND and DURATION".to_owned(),
                });
            }
            (Some(end), None) => match (&start, &end) {
                (Moment::Date(s), Moment::Date(e)) => Length::Days(
                    s.until(*e)
                        .map_err(|e| IcsError {
                            line,
                            message: e.to_string(),
                        })?
                        .get_days()
                        .into(),
                ),
                (Moment::Date(_), _) | (_, Moment::Date(_)) => {
                    return Err(IcsError {
                        line,
                        message: "DTSTART and DTEND must both be dates or both date-times"
                            .to_owned(),
                    });
                }
                _ => {
                    let (Some(s), Some(e)) = (start.instant(), end.instant()) else {
                        return Err(IcsError {
                            line,
                            message: "DTSTART or DTEND is out of range".to_owned(),
                        });
                    };
                    Length::Exact(e.duration_since(s))
                }
            },
            (None, Some((days, exact))) => match start {
                Moment::Date(_) => Length::Days(days),
                _ => Length::Exact(exact),
            },
            (None, None) => match start {
                Moment::Date(_) => Length::Days(1),
                _ => Length::Exact(SignedDuration::ZERO),
            },
        };
        let negative = match length {
            Length::Days(days) => days < 0,
            Length::Exact(d) => d.is_negative(),
        };
        if negative {
            return Err(IcsError {
                line,
                message: "the event ends before it starts".to_owned(),
            });
        }
        let (zone, local, all_day) = start.local(default_zone);
        let mut rule = match rule_text {
            Some((line, text)) => {
                Some(parse_rule(&text, &zone).map_err(|message| IcsError { line, message })?)
            }
            None => None,
        };
        // A weekly rule without BYDAY recurs on DTSTART's weekday.
        if let Some(rule) = rule.as_mut()
            && rule.frequency == Frequency::Weekly
            && rule.by_day.is_empty()
        {
            rule.by_day.push(local.weekday());
        }
        let exdates = exdates
            .iter()
            .map(|m| match m {
                Moment::Utc(ts) => zone.to_datetime(*ts),
                other => other.local(default_zone).1,
            })
            .collect();
        Ok(Some(Self {
            zone,
            all_day,
            start: local,
            length,
            rule,
            exdates,
        }))
    }

    fn end_of(&self, local_start: DateTime, start: Timestamp) -> Option<Timestamp> {
        match self.length {
            Length::Days(days) => {
                let end = local_start
                    .date()
                    .checked_add(jiff::Span::new().days(days))
                    .ok()?;
                resolve_local(&self.zone, end.to_datetime(Time::midnight()))
            }
            Length::Exact(duration) => start.checked_add(duration).ok(),
        }
    }

    fn covering(&self, at: Timestamp) -> Option<Timestamp> {
        // An occurrence covering `at` starts at most its length (and a day, for offsets)
        // before it.
        let length_days = match self.length {
            Length::Days(days) => days,
            Length::Exact(duration) => duration.as_secs() / 86_400,
        };
        let from = self
            .zone
            .to_datetime(at)
            .date()
            .checked_sub(jiff::Span::new().days(length_days.saturating_add(1)))
            .unwrap_or(self.start.date());
        let mut found = None;
        self.walk(from, |local| {
            let Some(start) = resolve_local(&self.zone, local) else {
                return false;
            };
            if start > at {
                return false;
            }
            if let Some(end) = self.end_of(local, start)
                && at < end
            {
                found = Some(end);
                return false;
            }
            true
        });
        found
    }

    fn next_start_after(&self, after: Timestamp) -> Option<Timestamp> {
        let from = self
            .zone
            .to_datetime(after)
            .date()
            .checked_sub(jiff::Span::new().days(1))
            .unwrap_or(self.start.date());
        let mut found = None;
        self.walk(from, |local| match resolve_local(&self.zone, local) {
            Some(start) if start > after => {
                found = Some(start);
                false
            }
            Some(_) => true,
            None => false,
        });
        found
    }

    fn covers_date(&self, date: Date) -> bool {
        let days = match self.length {
            Length::Days(days) => days,
            Length::Exact(_) => return false,
        };
        let from = date
            .checked_sub(jiff::Span::new().days(days.saturating_add(1)))
            .unwrap_or(self.start.date());
        let mut covered = false;
        self.walk(from, |local| {
            if local.date() > date {
                return false;
            }
            let end = local.date().checked_add(jiff::Span::new().days(days)).ok();
            if end.is_some_and(|end| date < end) {
                covered = true;
                return false;
            }
            true
        });
        covered
    }

    /// Visits the local starts in order, leaving out EXDATEs, while `visit` says to go on.
    /// Without COUNT, the walk starts at the period holding `from` (starts before it may
    /// be visited too), not at DTSTART.
    fn walk(&self, from: Date, mut visit: impl FnMut(DateTime) -> bool) {
        let Some(rule) = &self.rule else {
            if !self.exdates.contains(&self.start) {
                visit(self.start);
            }
            return;
        };
        let mut generated = 0usize;
        let mut emit = |candidate: DateTime| -> bool {
            if candidate < self.start {
                return true;
            }
            if let Some(until) = rule.until {
                let past = match until {
                    Until::Date(date) => candidate.date() > date,
                    Until::Local(local) => candidate > local,
                    Until::Instant(instant) => {
                        resolve_local(&self.zone, candidate).is_none_or(|ts| ts > instant)
                    }
                };
                if past {
                    return false;
                }
            }
            generated += 1;
            if rule.count.is_some_and(|count| generated > count) || generated > MAX_OCCURRENCES {
                return false;
            }
            if self.exdates.contains(&candidate) {
                return true;
            }
            visit(candidate)
        };
        let time = self.start.time();
        let first = self.start.date();
        let start_step = first_step(rule, first, from);
        for step in start_step..start_step + MAX_OCCURRENCES as i64 {
            let n = step * rule.interval;
            let go_on = match rule.frequency {
                Frequency::Daily => {
                    let Ok(date) = first.checked_add(jiff::Span::new().days(n)) else {
                        return;
                    };
                    if !rule.by_day.is_empty() && !rule.by_day.contains(&date.weekday()) {
                        continue;
                    }
                    emit(date.to_datetime(time))
                }
                Frequency::Weekly => {
                    let monday = first
                        .checked_sub(
                            jiff::Span::new()
                                .days(i64::from(first.weekday().to_monday_zero_offset())),
                        )
                        .and_then(|m| m.checked_add(jiff::Span::new().weeks(n)));
                    let Ok(monday) = monday else { return };
                    let mut go_on = true;
                    for weekday in &rule.by_day {
                        let offset = i64::from(weekday.to_monday_zero_offset());
                        let Ok(date) = monday.checked_add(jiff::Span::new().days(offset)) else {
                            return;
                        };
                        if !emit(date.to_datetime(time)) {
                            go_on = false;
                            break;
                        }
                    }
                    go_on
                }
                Frequency::Monthly => {
                    let Ok(month) = first
                        .first_of_month()
                        .checked_add(jiff::Span::new().months(n))
                    else {
                        return;
                    };
                    // A month without the day (the 31st in April) has no occurrence.
                    match Date::new(month.year(), month.month(), first.day()) {
                        Ok(date) => emit(date.to_datetime(time)),
                        Err(_) => true,
                    }
                }
                Frequency::Yearly => {
                    let Some(year) = i16::try_from(n)
                        .ok()
                        .and_then(|n| first.year().checked_add(n))
                    else {
                        return;
                    };
                    if year > 9999 {
                        return;
                    }
                    // 29 February recurs in leap years only.
                    match Date::new(year, first.month(), first.day()) {
                        Ok(date) => emit(date.to_datetime(time)),
                        Err(_) => true,
                    }
                }
            };
            if !go_on {
                return;
            }
        }
    }
}

/// The first step of a rule's walk whose period can hold `from`: 0 with COUNT (which
/// counts from DTSTART) or when `from` is not after DTSTART's date.
fn first_step(rule: &Rule, first: Date, from: Date) -> i64 {
    if rule.count.is_some() || from <= first {
        return 0;
    }
    let days = |a: Date, b: Date| {
        a.until(b)
            .map(|span| i64::from(span.get_days()))
            .unwrap_or(0)
    };
    let periods = match rule.frequency {
        Frequency::Daily => days(first, from),
        Frequency::Weekly => {
            let monday = first
                .checked_sub(
                    jiff::Span::new().days(i64::from(first.weekday().to_monday_zero_offset())),
                )
                .unwrap_or(first);
            days(monday, from) / 7
        }
        Frequency::Monthly => {
            i64::from(from.year() - first.year()) * 12 + i64::from(from.month() - first.month())
        }
        Frequency::Yearly => i64::from(from.year() - first.year()),
    };
    (periods / rule.interval).max(0)
}

/// A date or date-time value with the zone it was written in.
enum Moment {
    Date(Date),
    /// A local date-time in a zone (its TZID or the default for floating times).
    Local(DateTime, TimeZone),
    /// A UTC date-time (the `Z` form).
    Utc(Timestamp),
}

impl Moment {
    fn instant(&self) -> Option<Timestamp> {
        match self {
            Moment::Date(_) => None,
            Moment::Local(local, zone) => resolve_local(zone, *local),
            Moment::Utc(ts) => Some(*ts),
        }
    }

    /// The zone, the local start and whether it is a date (dates are in `default_zone`).
    fn local(&self, default_zone: &TimeZone) -> (TimeZone, DateTime, bool) {
        match self {
            Moment::Date(date) => (
                default_zone.clone(),
                date.to_datetime(Time::midnight()),
                true,
            ),
            Moment::Local(local, zone) => (zone.clone(), *local, false),
            Moment::Utc(ts) => (TimeZone::UTC, TimeZone::UTC.to_datetime(*ts), false),
        }
    }
}

#[derive(Clone, Debug)]
struct Property {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Property {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Unfolds lines (RFC 5545 3.1): CRLF or LF followed by one space or tab is removed.
fn unfold(text: &str) -> Result<Vec<(usize, String)>, IcsError> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            match lines.last_mut() {
                Some((_, previous)) => previous.push_str(rest),
                None => {
                    return Err(IcsError {
                        line: index + 1,
                        message: "a folded line continues nothing".to_owned(),
                    });
                }
            }
        } else if !raw.is_empty() {
            lines.push((index + 1, raw.to_owned()));
        }
    }
    Ok(lines)
}

/// `NAME;PARAM=value;PARAM="quoted":value`.
fn parse_property(line: &str) -> Result<Property, String> {
    let mut in_quotes = false;
    let mut colon = None;
    for (index, c) in line.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                colon = Some(index);
                break;
            }
            _ => {}
        }
    }
    let Some(colon) = colon else {
        return Err(format!("`{line}` is not a `NAME:value` content line"));
    };
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next().unwrap_or_default().trim().to_ascii_uppercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(format!("`{head}` is not a property name"));
    }
    let mut params = Vec::new();
    for part in parts {
        let Some((key, val)) = part.split_once('=') else {
            return Err(format!("parameter `{part}` of {name} has no `=`"));
        };
        params.push((key.to_owned(), val.trim_matches('"').to_owned()));
    }
    Ok(Property {
        name,
        params,
        value: value.trim().to_owned(),
    })
}

fn parse_moment(property: &Property, default_zone: &TimeZone) -> Result<Moment, String> {
    let value = property.value.as_str();
    let name = &property.name;
    let is_date = property
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
        || (value.len() == 8 && !value.contains('T'));
    if is_date {
        return parse_date(value)
            .map(Moment::Date)
            .ok_or_else(|| format!("{name} `{value}` is not a date (YYYYMMDD)"));
    }
    let bad = || format!("{name} `{value}` is not a date-time (YYYYMMDDTHHMMSS, Z for UTC)");
    let (local, utc) = match value.strip_suffix('Z') {
        Some(local) => (local, true),
        None => (value, false),
    };
    let (date, time) = local.split_once('T').ok_or_else(bad)?;
    let date = parse_date(date).ok_or_else(bad)?;
    let time = parse_time(time).ok_or_else(bad)?;
    let local = date.to_datetime(time);
    if utc {
        let ts = TimeZone::UTC.to_timestamp(local).map_err(|_| bad())?;
        return Ok(Moment::Utc(ts));
    }
    let zone = match property.param("TZID") {
        Some(tzid) => {
            let tzid = tzid.trim_start_matches('/');
            TimeZone::get(tzid).map_err(|_| {
                format!(
                    "{name}: TZID `{tzid}` is not an IANA time zone name (VTIMEZONE definitions are not read)"
                )
            })?
        }
        None => default_zone.clone(),
    };
    Ok(Moment::Local(local, zone))
}

fn digits(text: &str) -> Option<i64> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn parse_date(text: &str) -> Option<Date> {
    if text.len() != 8 || !text.is_ascii() {
        return None;
    }
    let year = i16::try_from(digits(&text[0..4])?).ok()?;
    let month = i8::try_from(digits(&text[4..6])?).ok()?;
    let day = i8::try_from(digits(&text[6..8])?).ok()?;
    Date::new(year, month, day).ok()
}

fn parse_time(text: &str) -> Option<Time> {
    if text.len() != 6 || !text.is_ascii() {
        return None;
    }
    let hour = i8::try_from(digits(&text[0..2])?).ok()?;
    let minute = i8::try_from(digits(&text[2..4])?).ok()?;
    let second = i8::try_from(digits(&text[4..6])?).ok()?.min(59); // a leap second
    Time::new(hour, minute, second, 0).ok()
}

/// `DURATION`: nominal days (for dates) and the exact duration (for date-times).
fn parse_duration(text: &str) -> Result<(i64, SignedDuration), String> {
    let span: jiff::Span = text
        .parse()
        .map_err(|_| format!("DURATION `{text}` is not an ISO 8601 duration like PT1H or P1D"))?;
    let days = i64::from(span.get_weeks()) * 7 + i64::from(span.get_days());
    let seconds = days * 86_400
        + i64::from(span.get_hours()) * 3_600
        + span.get_minutes() * 60
        + span.get_seconds();
    Ok((days, SignedDuration::from_secs(seconds)))
}

fn parse_weekday(text: &str) -> Option<Weekday> {
    Some(match text {
        "MO" => Weekday::Monday,
        "TU" => Weekday::Tuesday,
        "WE" => Weekday::Wednesday,
        "TH" => Weekday::Thursday,
        "FR" => Weekday::Friday,
        "SA" => Weekday::Saturday,
        "SU" => Weekday::Sunday,
        _ => return None,
    })
}

fn parse_rule(text: &str, zone: &TimeZone) -> Result<Rule, String> {
    let mut frequency = None;
    let mut interval = 1;
    let mut count = None;
    let mut until = None;
    let mut by_day = Vec::new();
    for part in text.split(';').filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(format!("RRULE part `{part}` has no `=`"));
        };
        match key.to_ascii_uppercase().as_str() {
            "FREQ" => {
                frequency = Some(match value.to_ascii_uppercase().as_str() {
                    "DAILY" => Frequency::Daily,
                    "WEEKLY" => Frequency::Weekly,
                    "MONTHLY" => Frequency::Monthly,
                    "YEARLY" => Frequency::Yearly,
                    other => {
                        return Err(format!(
                            "RRULE FREQ={other} is not supported (DAILY, WEEKLY, MONTHLY, YEARLY)"
                        ));
                    }
                });
            }
            "INTERVAL" => {
                interval = digits(value)
                    .filter(|v| (1..=10_000).contains(v))
                    .ok_or_else(|| format!("RRULE INTERVAL `{value}` is not a positive number"))?;
            }
            "COUNT" => {
                count = Some(
                    digits(value)
                        .and_then(|v| usize::try_from(v).ok())
                        .filter(|v| *v > 0)
                        .ok_or_else(|| format!("RRULE COUNT `{value}` is not a positive number"))?,
                );
            }
            "UNTIL" => {
                let property = Property {
                    name: "RRULE UNTIL".to_owned(),
                    params: Vec::new(),
                    value: value.to_owned(),
                };
                until = Some(match parse_moment(&property, zone)? {
                    Moment::Date(date) => Until::Date(date),
                    Moment::Utc(ts) => Until::Instant(ts),
                    Moment::Local(local, _) => Until::Local(local),
                });
            }
            "BYDAY" => {
                for day in value.split(',') {
                    let weekday = parse_weekday(&day.to_ascii_uppercase()).ok_or_else(|| {
                        format!(
                            "RRULE BYDAY `{day}` is not supported (plain MO..SU only, no `1MO`)"
                        )
                    })?;
                    by_day.push(weekday);
                }
            }
            "WKST" => {}
            other => return Err(format!("RRULE part {other} is not supported")),
        }
    }
    let frequency = frequency.ok_or_else(|| "RRULE without FREQ".to_owned())?;
    if count.is_some() && until.is_some() {
        return Err("RRULE has both COUNT and UNTIL".to_owned());
    }
    if !by_day.is_empty() && matches!(frequency, Frequency::Monthly | Frequency::Yearly) {
        return Err("RRULE BYDAY is supported with FREQ=DAILY and FREQ=WEEKLY only".to_owned());
    }
    by_day.sort_by_key(|d| d.to_monday_zero_offset());
    by_day.dedup();
    Ok(Rule {
        frequency,
        interval,
        count,
        until,
        by_day,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    const RECURRING: &str = "BEGIN:VCALENDAR\r\n\
VERSION:2.0\r\n\
PRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\n\
UID:release-freeze@example.com\r\n\
SUMMARY:Weekly release freeze, folded over\r\n  two lines\r\n\
DTSTART;TZID=Europe/Berlin:20261204T180000\r\n\
DTEND;TZID=Europe/Berlin:20261204T220000\r\n\
RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=10\r\n\
EXDATE;TZID=Europe/Berlin:20261218T180000\r\n\
BEGIN:VALARM\r\n\
ACTION:DISPLAY\r\n\
END:VALARM\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:new-year@example.com\r\n\
DTSTART;VALUE=DATE:20270101\r\n\
RRULE:FREQ=YEARLY\r\n\
END:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn weekly_event_with_an_exdate_covers_its_occurrences_but_not_the_excluded_one() {
        let calendar = IcsCalendar::parse(RECURRING, &berlin()).unwrap();
        assert_eq!(calendar.len(), 2);
        // Friday 2026-12-11 19:00 CET (18:00Z) is inside the second occurrence.
        assert_eq!(
            calendar.covering(ts("2026-12-11T18:00:00Z")),
            Some(ts("2026-12-11T21:00:00Z"))
        );
        // 2026-12-18 is the EXDATE.
        assert_eq!(calendar.covering(ts("2026-12-18T18:00:00Z")), None);
        // 2026-12-25 is the fourth occurrence.
        assert_eq!(
            calendar.covering(ts("2026-12-25T17:00:00Z")),
            Some(ts("2026-12-25T21:00:00Z"))
        );
        // Outside the evening window.
        assert_eq!(calendar.covering(ts("2026-12-11T12:00:00Z")), None);
        // COUNT=10: the occurrences run 2026-12-04 .. 2027-02-05; 2027-02-12 is past.
        assert!(calendar.covering(ts("2027-02-05T18:00:00Z")).is_some());
        assert_eq!(calendar.covering(ts("2027-02-12T18:00:00Z")), None);
    }

    #[test]
    fn yearly_all_day_event_is_a_holiday_each_year_across_the_year_boundary() {
        let calendar = IcsCalendar::parse(RECURRING, &berlin()).unwrap();
        assert!(calendar.is_holiday(Date::new(2028, 1, 1).unwrap()));
        assert!(!calendar.is_holiday(Date::new(2027, 12, 31).unwrap()));
        // An all-day event is the whole day in the freeze's zone: until midnight CET.
        assert_eq!(
            calendar.covering(ts("2027-01-01T12:00:00Z")),
            Some(ts("2027-01-01T23:00:00Z"))
        );
        assert_eq!(calendar.covering(ts("2027-01-01T23:00:00Z")), None);
    }

    #[test]
    fn yearly_event_on_29_february_recurs_only_in_leap_years() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20240229\nDTEND;VALUE=DATE:20240301\nRRULE:FREQ=YEARLY\nEND:VEVENT\nEND:VCALENDAR\n";
        let calendar = IcsCalendar::parse(text, &berlin()).unwrap();
        assert!(calendar.is_holiday(Date::new(2028, 2, 29).unwrap()));
        assert!(!calendar.is_holiday(Date::new(2027, 2, 28).unwrap()));
        assert!(!calendar.is_holiday(Date::new(2027, 3, 1).unwrap()));
    }

    #[test]
    fn daily_rule_with_interval_until_and_utc_times() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261201T220000Z\nDURATION:PT2H\nRRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20261207T220000Z\nEXDATE:20261203T220000Z\nEND:VEVENT\nEND:VCALENDAR\n";
        let calendar = IcsCalendar::parse(text, &berlin()).unwrap();
        // Dec 1, (3 excluded), 5, 7: the window crosses midnight UTC.
        assert_eq!(
            calendar.covering(ts("2026-12-05T23:30:00Z")),
            Some(ts("2026-12-06T00:00:00Z"))
        );
        assert_eq!(calendar.covering(ts("2026-12-03T23:00:00Z")), None);
        assert_eq!(calendar.covering(ts("2026-12-02T23:00:00Z")), None);
        assert!(calendar.covering(ts("2026-12-07T23:00:00Z")).is_some());
        assert_eq!(calendar.covering(ts("2026-12-09T23:00:00Z")), None);
    }

    #[test]
    fn weekly_rule_without_byday_and_monthly_rule() {
        // Every other Wednesday (DTSTART's weekday) 2026-12-02, 12-16, 12-30 ... 10:00-11:00
        // UTC; and the 31st of each month, which April skips.
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261202T100000Z\nDTEND:20261202T110000Z\nRRULE:FREQ=WEEKLY;INTERVAL=2\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270131\nRRULE:FREQ=MONTHLY\nEND:VEVENT\nEND:VCALENDAR\n";
        let calendar = IcsCalendar::parse(text, &TimeZone::UTC).unwrap();
        assert_eq!(
            calendar.covering(ts("2026-12-16T10:30:00Z")),
            Some(ts("2026-12-16T11:00:00Z"))
        );
        assert_eq!(calendar.covering(ts("2026-12-09T10:30:00Z")), None);
        assert!(calendar.covering(ts("2026-12-30T10:30:00Z")).is_some());
        assert!(calendar.is_holiday(Date::new(2027, 3, 31).unwrap()));
        assert!(!calendar.is_holiday(Date::new(2027, 4, 30).unwrap()));
        assert!(!calendar.is_holiday(Date::new(2027, 5, 1).unwrap()));
        assert!(calendar.is_holiday(Date::new(2027, 5, 31).unwrap()));
    }

    #[test]
    fn long_running_rule_is_walked_from_the_period_asked_about() {
        // Every third day since 2020-01-01, 10:00-11:00 UTC: 2026-12-01 is day 2526, a
        // multiple of 3.
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20200101T100000Z\nDTEND:20200101T110000Z\nRRULE:FREQ=DAILY;INTERVAL=3\nEND:VEVENT\nEND:VCALENDAR\n";
        let calendar = IcsCalendar::parse(text, &TimeZone::UTC).unwrap();
        assert!(calendar.covering(ts("2026-12-01T10:30:00Z")).is_some());
        assert_eq!(calendar.covering(ts("2026-12-02T10:30:00Z")), None);
        assert_eq!(calendar.covering(ts("2026-12-03T10:30:00Z")), None);
        assert!(calendar.covering(ts("2026-12-04T10:30:00Z")).is_some());
    }

    #[test]
    fn malformed_files_name_the_line_and_the_problem() {
        let error = |text: &str| IcsCalendar::parse(text, &berlin()).unwrap_err();
        let e =
            error("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026-12-01\nEND:VEVENT\nEND:VCALENDAR\n");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("not a date-time"), "{e}");
        let e = error("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261201T100000Z\nEND:VCALENDAR\n");
        assert_eq!(e.line, 4);
        assert!(e.message.contains("does not close BEGIN:VEVENT"), "{e}");
        let e =
            error("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:no start\nEND:VEVENT\nEND:VCALENDAR\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("without DTSTART"), "{e}");
        let e = error(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=W. Europe Standard Time:20261201T100000\nEND:VEVENT\nEND:VCALENDAR\n",
        );
        assert!(e.message.contains("not an IANA time zone"), "{e}");
        let e = error(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261201T100000Z\nRRULE:FREQ=HOURLY\nEND:VEVENT\nEND:VCALENDAR\n",
        );
        assert_eq!(e.line, 4);
        assert!(e.message.contains("FREQ=HOURLY is not supported"), "{e}");
        let e = error("BEGIN:VCALENDAR\nBEGIN:VEVENT\n");
        assert!(e.message.contains("never closed"), "{e}");
        let e = error("just some text\n");
        assert!(e.message.contains("not a `NAME:value` content line"), "{e}");
        let e = error("");
        assert!(e.message.contains("not an iCalendar file"), "{e}");
    }
}
