//! EventBridge schedule expressions, `cron(...)` and `rate(...)`, and their occurrences in a
//! time zone.
//!
//! Both are written in hand here rather than with a cron crate: the maintained ones
//! (`cron`, `croner`, `saffron`) are built on chrono, a second time crate beside jiff, and
//! none reads EventBridge's six-field syntax (with its year field and its rule that exactly
//! one of day-of-month and day-of-week is `?`) as EventBridge does.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};

/// The last year a cron expression may name (EventBridge's limit).
const LAST_YEAR: i16 = 2199;
/// The first year a cron expression may name.
const FIRST_YEAR: i16 = 1970;

/// A schedule expression that cannot be used, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid schedule expression `{expression}`: {reason}")]
pub struct ExpressionError {
    /// The expression as written.
    pub expression: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A parsed `cron(...)` or `rate(...)` expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expression {
    /// `cron(minutes hours day-of-month month day-of-week year)`, in the schedule's zone.
    Cron(Cron),
    /// `rate(value unit)`: every so many minutes, hours or days.
    Rate(Rate),
}

impl Expression {
    /// Parses `cron(...)` or `rate(...)` in EventBridge syntax.
    pub fn parse(text: &str) -> Result<Self, ExpressionError> {
        let fail = |reason: &str| ExpressionError {
            expression: text.to_owned(),
            reason: reason.to_owned(),
        };
        let trimmed = text.trim();
        if let Some(body) = trimmed
            .strip_prefix("cron(")
            .and_then(|b| b.strip_suffix(')'))
        {
            return Cron::parse(body)
                .map(Expression::Cron)
                .map_err(|r| fail(&r));
        }
        if let Some(body) = trimmed
            .strip_prefix("rate(")
            .and_then(|b| b.strip_suffix(')'))
        {
            return Rate::parse(body)
                .map(Expression::Rate)
                .map_err(|r| fail(&r));
        }
        Err(fail(
            "expected cron(minutes hours day-of-month month day-of-week year) or rate(value unit)",
        ))
    }

    /// The first occurrence strictly after `after`, in `zone`; `None` when there is none
    /// (a cron whose years are all past, or beyond 2199).
    pub fn next_after(&self, zone: &TimeZone, after: Timestamp) -> Option<Timestamp> {
        match self {
            Expression::Cron(cron) => cron.next_after(zone, after),
            Expression::Rate(rate) => rate.next_after(after),
        }
    }

    /// The newest occurrence in `(after, until]`, if any: one slot however many were
    /// missed.
    pub fn newest_between(
        &self,
        zone: &TimeZone,
        after: Timestamp,
        until: Timestamp,
    ) -> Option<Timestamp> {
        match self {
            Expression::Rate(rate) => rate.newest_between(after, until),
            Expression::Cron(cron) => cron.newest_between(zone, after, until),
        }
    }
}

/// `rate(value unit)`: slots are the multiples of the period counted from
/// 1970-01-01T00:00:00Z, so `rate(15 minutes)` runs at :00, :15, :30 and :45 and
/// `rate(1 day)` at 00:00 UTC (EventBridge counts from the schedule's creation instead; a
/// fixed anchor makes the slots, and so the start's idempotency key, the same on every
/// tick).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    seconds: i64,
}

impl Rate {
    fn parse(body: &str) -> Result<Self, String> {
        let mut parts = body.split_whitespace();
        let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err("a rate is `rate(value unit)`, like rate(5 minutes)".to_owned());
        };
        let value: i64 = value
            .parse()
            .ok()
            .filter(|v| *v > 0 && *v <= 1_000_000)
            .ok_or_else(|| format!("`{value}` is not a positive whole number"))?;
        let (singular, unit_seconds) = match unit {
            "minute" | "minutes" => ("minute", 60),
            "hour" | "hours" => ("hour", 3_600),
            "day" | "days" => ("day", 86_400),
            other => {
                return Err(format!(
                    "unknown unit `{other}` (minute(s), hour(s) or day(s))"
                ));
            }
        };
        // EventBridge's own rule: `1 minute`, `5 minutes`.
        let plural = unit != singular;
        if value == 1 && plural {
            return Err(format!("a value of 1 takes the singular unit `{singular}`"));
        }
        if value > 1 && !plural {
            return Err(format!(
                "a value above 1 takes the plural unit `{singular}s`"
            ));
        }
        Ok(Self {
            seconds: value * unit_seconds,
        })
    }

    /// The period in seconds.
    pub fn seconds(&self) -> i64 {
        self.seconds
    }

    fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        let n = after.as_second().div_euclid(self.seconds) + 1;
        Timestamp::from_second(n.checked_mul(self.seconds)?).ok()
    }

    fn newest_between(&self, after: Timestamp, until: Timestamp) -> Option<Timestamp> {
        let n = until.as_second().div_euclid(self.seconds);
        let slot = Timestamp::from_second(n.checked_mul(self.seconds)?).ok()?;
        (slot > after && slot <= until).then_some(slot)
    }
}

/// A six-field EventBridge cron expression.
///
/// | field | values | wildcards |
/// | --- | --- | --- |
/// | minutes | 0-59 | `, - * /` |
/// | hours | 0-23 | `, - * /` |
/// | day-of-month | 1-31 | `, - * ? / L W` |
/// | month | 1-12 or JAN-DEC | `, - * /` |
/// | day-of-week | 1-7 or SUN-SAT (1 = SUN) | `, - * ? L #` |
/// | year | 1970-2199 | `, - * /` |
///
/// Exactly one of day-of-month and day-of-week is `?`. `L` in day-of-month is the last
/// day of the month; `15W` the weekday nearest the 15th (never leaving the month); `L`
/// alone in day-of-week is Saturday, `6L` the last Friday of the month; `2#1` the first
/// Monday. `W` and `#` stand alone in their field (not in lists), as in EventBridge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u32,
    months: u16,
    /// Bit `year - 1970` of four words.
    years: [u64; 4],
    days: DayRule,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum DayRule {
    /// Day-of-month values (bits 1..=31); day-of-week is `?`.
    MonthDays(u32),
    /// The last day of the month.
    LastOfMonth,
    /// The weekday nearest this day of the month.
    NearestWeekday(i8),
    /// Day-of-week values (bits 1..=7, 1 = Sunday); day-of-month is `?`.
    WeekDays(u8),
    /// The last such weekday of the month (1 = Sunday).
    LastWeekday(i8),
    /// The nth such weekday of the month (weekday 1 = Sunday, n 1..=5).
    NthWeekday(i8, i8),
}

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl Cron {
    fn parse(body: &str) -> Result<Self, String> {
        let fields: Vec<&str> = body.split_whitespace().collect();
        let [minutes, hours, dom, month, dow, year] = fields.as_slice() else {
            return Err(format!(
                "a cron has 6 fields (minutes hours day-of-month month day-of-week year), this one has {}",
                fields.len()
            ));
        };
        let minutes = parse_set("minutes", minutes, 0, 59, &[])?;
        let hours = parse_set("hours", hours, 0, 23, &[])?;
        let months = parse_set("month", month, 1, 12, &MONTH_NAMES)?;
        let years = parse_set_wide(year)?;
        let days = match (*dom, *dow) {
            ("?", "?") => {
                return Err("only one of day-of-month and day-of-week may be `?`".to_owned());
            }
            (dom, "?") => parse_day_of_month(dom)?,
            ("?", dow) => parse_day_of_week(dow)?,
            _ => {
                return Err(
                    "one of day-of-month and day-of-week must be `?` (EventBridge cannot take both)"
                        .to_owned(),
                );
            }
        };
        Ok(Self {
            minutes,
            hours: u32::try_from(hours).map_err(|_| "hours out of range".to_owned())?,
            months: u16::try_from(months).map_err(|_| "month out of range".to_owned())?,
            years,
            days,
        })
    }

    fn year_ok(&self, year: i16) -> bool {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return false;
        }
        let index = (year - FIRST_YEAR) as usize;
        self.years[index / 64] & (1 << (index % 64)) != 0
    }

    fn month_ok(&self, month: i8) -> bool {
        self.months & (1 << month) != 0
    }

    fn day_ok(&self, date: Date) -> bool {
        let sunday_one = date.weekday().to_sunday_one_offset();
        match self.days {
            DayRule::MonthDays(bits) => bits & (1 << date.day()) != 0,
            DayRule::LastOfMonth => date.day() == date.days_in_month(),
            DayRule::NearestWeekday(day) => nearest_weekday(date, day) == Some(date.day()),
            DayRule::WeekDays(bits) => bits & (1 << sunday_one) != 0,
            DayRule::LastWeekday(weekday) => {
                sunday_one == weekday && date.day() + 7 > date.days_in_month()
            }
            DayRule::NthWeekday(weekday, n) => {
                sunday_one == weekday && (date.day() - 1) / 7 + 1 == n
            }
        }
    }

    fn next_after(&self, zone: &TimeZone, after: Timestamp) -> Option<Timestamp> {
        let local = zone.to_datetime(after);
        let start_hour = local.hour();
        let start_minute = local.minute();
        let first = local.date();
        let mut date = first;
        loop {
            if date.year() > LAST_YEAR {
                return None;
            }
            if !self.year_ok(date.year()) {
                date = Date::new(date.year().checked_add(1)?, 1, 1).ok()?;
                continue;
            }
            if !self.month_ok(date.month()) {
                date = date.last_of_month().tomorrow().ok()?;
                continue;
            }
            if self.day_ok(date) {
                for hour in (0..24).filter(|h| self.hours & (1 << h) != 0) {
                    if date == first && hour < start_hour {
                        continue;
                    }
                    for minute in (0..60).filter(|m| self.minutes & (1u64 << m) != 0) {
                        if date == first && hour == start_hour && minute < start_minute {
                            continue;
                        }
                        let time = Time::new(hour, minute, 0, 0).ok()?;
                        let slot = resolve_local(zone, date.to_datetime(time))?;
                        if slot > after {
                            return Some(slot);
                        }
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
    }

    fn newest_between(
        &self,
        zone: &TimeZone,
        after: Timestamp,
        until: Timestamp,
    ) -> Option<Timestamp> {
        // Look back in growing windows so a frequent cron after a long outage walks a few
        // slots, not every slot since the last tick.
        const WINDOWS: [i64; 4] = [3_600, 86_400, 32 * 86_400, 400 * 86_400];
        for seconds in WINDOWS {
            let from = until
                .checked_sub(jiff::SignedDuration::from_secs(seconds))
                .ok()
                .filter(|from| *from > after)
                .unwrap_or(after);
            let newest = self.newest_walk(zone, from, until);
            if newest.is_some() || from == after {
                return newest;
            }
        }
        self.newest_walk(zone, after, until)
    }

    fn newest_walk(&self, zone: &TimeZone, from: Timestamp, until: Timestamp) -> Option<Timestamp> {
        let mut newest = None;
        let mut cursor = from;
        while let Some(slot) = self.next_after(zone, cursor) {
            if slot > until {
                break;
            }
            newest = Some(slot);
            cursor = slot;
        }
        newest
    }
}

/// The instant a local time stands for, by the schedule rules: a time in the autumn's
/// repeated hour is its first occurrence (so it runs once), and a time that does not exist
/// (the spring change's skipped hour) moves to the next valid minute, the end of the gap.
/// EventBridge Scheduler skips such a run instead; we would rather run late than not at
/// all.
pub(crate) fn resolve_local(zone: &TimeZone, local: DateTime) -> Option<Timestamp> {
    let mut candidate = local;
    // A gap is at most a day long (Samoa, 2011); walk minute by minute to its end.
    for _ in 0..=1_440 {
        match zone.to_ambiguous_timestamp(candidate).offset() {
            AmbiguousOffset::Unambiguous { offset } => return offset.to_timestamp(candidate).ok(),
            AmbiguousOffset::Fold { before, .. } => return before.to_timestamp(candidate).ok(),
            AmbiguousOffset::Gap { .. } => {
                candidate = candidate
                    .checked_add(jiff::SignedDuration::from_mins(1))
                    .ok()?
                    .with()
                    .second(0)
                    .subsec_nanosecond(0)
                    .build()
                    .ok()?;
            }
        }
    }
    None
}

/// The day of the month that `day`W means in `date`'s month, if the month has that day.
fn nearest_weekday(date: Date, day: i8) -> Option<i8> {
    if day > date.days_in_month() {
        return None;
    }
    let target = Date::new(date.year(), date.month(), day).ok()?;
    let last = date.days_in_month();
    Some(match target.weekday() {
        Weekday::Saturday if day == 1 => 3,
        Weekday::Saturday => day - 1,
        Weekday::Sunday if day == last => day - 2,
        Weekday::Sunday => day + 1,
        _ => day,
    })
}

fn parse_day_of_month(field: &str) -> Result<DayRule, String> {
    if field == "L" {
        return Ok(DayRule::LastOfMonth);
    }
    if let Some(day) = field.strip_suffix('W') {
        let day = parse_number("day-of-month", day, 1, 31, &[])?;
        return Ok(DayRule::NearestWeekday(day as i8));
    }
    if field.contains('W') || field.contains('L') || field.contains('#') {
        return Err(format!(
            "day-of-month `{field}`: `L` and `nW` stand alone (`#` belongs to day-of-week)"
        ));
    }
    let bits = parse_set("day-of-month", field, 1, 31, &[])?;
    Ok(DayRule::MonthDays(
        u32::try_from(bits).map_err(|_| "day-of-month out of range".to_owned())?,
    ))
}

fn parse_day_of_week(field: &str) -> Result<DayRule, String> {
    if field == "L" {
        return Ok(DayRule::WeekDays(1 << 7));
    }
    if let Some(day) = field.strip_suffix('L') {
        let day = parse_number("day-of-week", day, 1, 7, &DAY_NAMES)?;
        return Ok(DayRule::LastWeekday(day as i8));
    }
    if let Some((day, nth)) = field.split_once('#') {
        let day = parse_number("day-of-week", day, 1, 7, &DAY_NAMES)?;
        let nth = parse_number("day-of-week", nth, 1, 5, &[])?;
        return Ok(DayRule::NthWeekday(day as i8, nth as i8));
    }
    let bits = parse_set("day-of-week", field, 1, 7, &DAY_NAMES)?;
    Ok(DayRule::WeekDays(
        u8::try_from(bits).map_err(|_| "day-of-week out of range".to_owned())?,
    ))
}

/// One number or name of a field.
fn parse_number(
    field: &str,
    text: &str,
    min: u32,
    max: u32,
    names: &[&str],
) -> Result<u32, String> {
    let upper = text.to_ascii_uppercase();
    if let Some(index) = names.iter().position(|n| *n == upper) {
        return Ok(min + index as u32);
    }
    match text.parse::<u32>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        Ok(value) => Err(format!("{field} value {value} is outside {min}-{max}")),
        Err(_) => Err(format!(
            "{field} `{text}` is not a number{}",
            if names.is_empty() {
                String::new()
            } else {
                format!(" or a name ({})", names.join(","))
            }
        )),
    }
}

/// A field of `*`, values, ranges, steps and lists, as a bit set of its values.
fn parse_set(field: &str, text: &str, min: u32, max: u32, names: &[&str]) -> Result<u64, String> {
    let mut bits = 0u64;
    for value in parse_values(field, text, min, max, names)? {
        bits |= 1 << value;
    }
    Ok(bits)
}

fn parse_set_wide(text: &str) -> Result<[u64; 4], String> {
    let mut bits = [0u64; 4];
    let (min, max) = (FIRST_YEAR as u32, LAST_YEAR as u32);
    for value in parse_values("year", text, min, max, &[])? {
        let index = (value - min) as usize;
        bits[index / 64] |= 1 << (index % 64);
    }
    Ok(bits)
}

fn parse_values(
    field: &str,
    text: &str,
    min: u32,
    max: u32,
    names: &[&str],
) -> Result<Vec<u32>, String> {
    if text.is_empty() {
        return Err(format!("{field} is empty"));
    }
    let mut values = Vec::new();
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("{field} step `{step}` is not a positive number"))?;
                (range, Some(step))
            }
            None => (item, None),
        };
        let (low, high) = if range == "*" {
            (min, max)
        } else if let Some((low, high)) = range.split_once('-') {
            let low = parse_number(field, low, min, max, names)?;
            let high = parse_number(field, high, min, max, names)?;
            if low > high {
                return Err(format!("{field} range `{range}` runs backwards"));
            }
            (low, high)
        } else {
            let value = parse_number(field, range, min, max, names)?;
            // `5/15`: from 5 to the end of the field, every 15.
            (value, if step.is_some() { max } else { value })
        };
        let step = step.unwrap_or(1) as usize;
        values.extend((low..=high).step_by(step));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn next(expression: &str, zone_name: &str, after: &str) -> Option<Timestamp> {
        Expression::parse(expression)
            .unwrap()
            .next_after(&zone(zone_name), ts(after))
    }

    #[test]
    fn daily_cron_in_berlin_runs_at_local_time_across_the_year_boundary() {
        assert_eq!(
            next(
                "cron(30 2 * * ? *)",
                "Europe/Berlin",
                "2026-12-31T02:00:00Z"
            ),
            Some(ts("2027-01-01T01:30:00Z"))
        );
    }

    #[test]
    fn berlin_spring_gap_runs_at_the_next_valid_minute() {
        // 2027-03-28: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
        assert_eq!(
            next(
                "cron(30 2 * * ? *)",
                "Europe/Berlin",
                "2027-03-27T12:00:00Z"
            ),
            Some(ts("2027-03-28T01:00:00Z")) // 03:00 CEST
        );
        // The day after, 02:30 CEST again.
        assert_eq!(
            next(
                "cron(30 2 * * ? *)",
                "Europe/Berlin",
                "2027-03-28T01:00:00Z"
            ),
            Some(ts("2027-03-29T00:30:00Z"))
        );
    }

    #[test]
    fn gap_slots_fold_into_one_run_at_the_gap_end() {
        // Every 15 minutes through New York's spring gap (2027-03-14, 02:00 EST -> 03:00
        // EDT): 01:45 EST, then 02:00-02:45 all become 03:00 EDT once, then 03:15.
        let expression = Expression::parse("cron(0/15 * * * ? *)").unwrap();
        let zone = zone("America/New_York");
        let mut slots = Vec::new();
        let mut cursor = ts("2027-03-14T06:30:00Z"); // 01:30 EST
        for _ in 0..3 {
            cursor = expression.next_after(&zone, cursor).unwrap();
            slots.push(cursor);
        }
        assert_eq!(
            slots,
            vec![
                ts("2027-03-14T06:45:00Z"), // 01:45 EST
                ts("2027-03-14T07:00:00Z"), // 03:00 EDT
                ts("2027-03-14T07:15:00Z"), // 03:15 EDT
            ]
        );
    }

    #[test]
    fn new_york_autumn_repeated_hour_runs_once() {
        // 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
        let expression = Expression::parse("cron(30 1 * * ? *)").unwrap();
        let zone = zone("America/New_York");
        let first = expression
            .next_after(&zone, ts("2026-11-01T04:00:00Z"))
            .unwrap();
        assert_eq!(first, ts("2026-11-01T05:30:00Z")); // 01:30 EDT
        let second = expression.next_after(&zone, first).unwrap();
        assert_eq!(second, ts("2026-11-02T06:30:00Z")); // next day, 01:30 EST
    }

    #[test]
    fn berlin_autumn_repeated_hour_runs_once_even_from_inside_the_second_pass() {
        // 2026-10-25: 03:00 CEST falls back to 02:00 CET. At 02:40 CET (the second 02:40)
        // the 02:30 slot has run already (at 02:30 CEST) and is not run again.
        assert_eq!(
            next(
                "cron(30 2 * * ? *)",
                "Europe/Berlin",
                "2026-10-25T01:40:00Z"
            ),
            Some(ts("2026-10-26T01:30:00Z"))
        );
    }

    #[test]
    fn new_york_spring_gap_daily_run_moves_to_three() {
        assert_eq!(
            next(
                "cron(30 2 ? * * *)",
                "America/New_York",
                "2027-03-13T12:00:00Z"
            ),
            Some(ts("2027-03-14T07:00:00Z")) // 03:00 EDT
        );
    }

    #[test]
    fn february_29_runs_only_in_leap_years() {
        assert_eq!(
            next(
                "cron(0 9 29 2 ? *)",
                "Europe/Berlin",
                "2026-03-01T00:00:00Z"
            ),
            Some(ts("2028-02-29T08:00:00Z"))
        );
    }

    #[test]
    fn weekday_names_ranges_last_nearest_and_nth() {
        // Weekdays at 08:00 UTC: after Friday 2026-12-04 08:00 comes Monday the 7th.
        assert_eq!(
            next("cron(0 8 ? * MON-FRI *)", "UTC", "2026-12-04T08:00:00Z"),
            Some(ts("2026-12-07T08:00:00Z"))
        );
        // Last day of February 2027.
        assert_eq!(
            next("cron(0 0 L * ? *)", "UTC", "2027-02-01T00:00:00Z"),
            Some(ts("2027-02-28T00:00:00Z"))
        );
        // The weekday nearest 2027-05-01 (a Saturday) without leaving May: Monday the 3rd.
        assert_eq!(
            next("cron(0 0 1W * ? 2027)", "UTC", "2027-04-15T00:00:00Z"),
            Some(ts("2027-05-03T00:00:00Z"))
        );
        // Last Friday of December 2026: the 25th.
        assert_eq!(
            next("cron(0 12 ? 12 6L *)", "UTC", "2026-12-01T00:00:00Z"),
            Some(ts("2026-12-25T12:00:00Z"))
        );
        // Second Tuesday of January 2027: the 12th.
        assert_eq!(
            next("cron(0 12 ? JAN 3#2 *)", "UTC", "2026-12-01T00:00:00Z"),
            Some(ts("2027-01-12T12:00:00Z"))
        );
    }

    #[test]
    fn a_cron_whose_years_are_past_never_runs() {
        assert_eq!(
            next("cron(0 0 * * ? 2020)", "UTC", "2026-01-01T00:00:00Z"),
            None
        );
    }

    #[test]
    fn rate_slots_are_multiples_of_the_period() {
        assert_eq!(
            next("rate(15 minutes)", "UTC", "2026-12-01T10:07:12Z"),
            Some(ts("2026-12-01T10:15:00Z"))
        );
        assert_eq!(
            next("rate(1 day)", "UTC", "2026-12-01T10:07:12Z"),
            Some(ts("2026-12-02T00:00:00Z"))
        );
    }

    #[test]
    fn catch_up_after_missed_slots_is_the_newest_slot_only() {
        let zone = zone("Europe/Berlin");
        // Hourly at :05; ticks missed from 06:00 to 09:30 UTC: due once, at 09:05.
        let cron = Expression::parse("cron(5 * * * ? *)").unwrap();
        assert_eq!(
            cron.newest_between(
                &zone,
                ts("2026-12-01T06:00:00Z"),
                ts("2026-12-01T09:30:00Z")
            ),
            Some(ts("2026-12-01T09:05:00Z"))
        );
        // Weekly (Mondays 06:00 Berlin) after five weeks down: the last Monday only.
        let weekly = Expression::parse("cron(0 6 ? * MON *)").unwrap();
        assert_eq!(
            weekly.newest_between(
                &zone,
                ts("2026-10-01T00:00:00Z"),
                ts("2026-11-04T00:00:00Z")
            ),
            Some(ts("2026-11-02T05:00:00Z"))
        );
        // Nothing between two close ticks.
        assert_eq!(
            cron.newest_between(
                &zone,
                ts("2026-12-01T09:05:00Z"),
                ts("2026-12-01T09:06:00Z")
            ),
            None
        );
        let rate = Expression::parse("rate(10 minutes)").unwrap();
        assert_eq!(
            rate.newest_between(
                &zone,
                ts("2026-12-01T06:00:00Z"),
                ts("2026-12-01T09:35:00Z")
            ),
            Some(ts("2026-12-01T09:30:00Z"))
        );
    }

    #[test]
    fn invalid_expressions_say_what_is_wrong() {
        let reason = |text: &str| Expression::parse(text).unwrap_err().reason;
        assert!(reason("cron(0 8 * * *)").contains("6 fields"));
        assert!(reason("cron(0 8 * * MON *)").contains("must be `?`"));
        assert!(reason("cron(61 8 * * ? *)").contains("minutes value 61 is outside 0-59"));
        assert!(reason("cron(0 8 ? * FUN *)").contains("day-of-week `FUN`"));
        assert!(reason("cron(0 8 10-5 * ? *)").contains("runs backwards"));
        assert!(reason("rate(1 minutes)").contains("singular"));
        assert!(reason("rate(5 weeks)").contains("unknown unit"));
        assert!(reason("every day").contains("expected cron"));
    }
}
