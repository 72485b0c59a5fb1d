//! Recurrence: an `RRULE` parsed, and the walk over an event's occurrences (with its
//! `EXDATE`s) that answers which one covers an instant or a date, and which starts next.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;

use super::lines::{Moment, Property, digits, parse_moment, parse_weekday};
use super::{Event, Length};
use crate::expression::resolve_local;

/// Occurrences generated for one event before the walk gives up (about 270 years daily).
const MAX_OCCURRENCES: usize = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

#[derive(Clone, Debug)]
pub(super) struct Rule {
    pub(super) frequency: Frequency,
    interval: i64,
    count: Option<usize>,
    until: Option<Until>,
    pub(super) by_day: Vec<Weekday>,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Until {
    /// A date: occurrences starting on or before it.
    Date(Date),
    /// A UTC date-time.
    Instant(Timestamp),
    /// A floating date-time, in the event's zone.
    Local(DateTime),
}

impl Event {
    pub(super) fn covering(&self, at: Timestamp) -> Option<Timestamp> {
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

    pub(super) fn next_start_after(&self, after: Timestamp) -> Option<Timestamp> {
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

    pub(super) fn covers_date(&self, date: Date) -> bool {
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

pub(super) fn parse_rule(text: &str, zone: &TimeZone) -> Result<Rule, String> {
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
