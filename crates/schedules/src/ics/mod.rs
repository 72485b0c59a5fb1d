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

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::expression::resolve_local;

mod lines;
mod recurrence;
#[cfg(test)]
mod tests;

use lines::{Moment, Property, parse_duration, parse_moment, parse_property, unfold};
use recurrence::{Frequency, Rule, parse_rule};

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
}
