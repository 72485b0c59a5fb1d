//! A UTC point in time with one-second resolution, parsed tolerantly.
//!
//! CodePipeline writes an approval's `expires` without seconds (`2016-07-07T20:22Z`), which
//! strict RFC 3339 parsers refuse. [`Timestamp::parse`] accepts:
//!
//! - `YYYY-MM-DDTHH:MM` with optional `:SS` and optional fraction `.fff` (ignored);
//! - `T`, `t` or one space between date and time;
//! - a zone of `Z`, `z`, `+HH:MM`, `-HH:MM`, `+HHMM`, `-HHMM` or `+HH`, or none (UTC);
//! - surrounding whitespace.
//!
//! Seconds up to 60 are accepted (a leap second counts as 59). Everything else (a wrong
//! day of the month, hour 24, letters) is an error that quotes the value.

use std::fmt;

/// Seconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// A date-time that [`Timestamp::parse`] cannot read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a date-time like 2016-07-07T20:22Z: {problem}")]
pub struct TimestampError {
    /// The text as given (at most 64 characters of it).
    pub value: String,
    /// What is wrong.
    pub problem: &'static str,
}

impl Timestamp {
    /// The timestamp `secs` seconds after 1970-01-01T00:00:00Z.
    pub const fn from_unix(secs: i64) -> Self {
        Self(secs)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub const fn unix(self) -> i64 {
        self.0
    }

    /// Parses an ISO 8601 / RFC 3339 date-time tolerantly (see the module documentation).
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        parse(text.trim()).map_err(|problem| TimestampError {
            value: text.chars().take(64).collect(),
            problem,
        })
    }

    /// Slack's date formatting token: shown in each reader's time zone, with a UTC fallback
    /// for clients that cannot format it (`<!date^1467922920^{date_short_pretty} {time}|...>`).
    pub fn slack_date(self) -> String {
        let (y, mo, d, h, mi, _) = self.civil();
        format!(
            "<!date^{}^{{date_short_pretty}} {{time}}|{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC>",
            self.0
        )
    }

    /// (year, month, day, hour, minute, second) in UTC.
    fn civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        // `secs` is in 0..86_400, so each part fits in u32.
        let secs = u32::try_from(secs).unwrap_or(0);
        (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with seconds: `2016-07-07T20:22:00Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.civil();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }
}

/// A cursor over the ASCII bytes of a date-time.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn digits(&mut self, n: usize, what: &'static str) -> Result<u32, &'static str> {
        let mut value = 0u32;
        for _ in 0..n {
            match self.peek() {
                Some(b @ b'0'..=b'9') => {
                    value = value * 10 + u32::from(b - b'0');
                    self.pos += 1;
                }
                _ => return Err(what),
            }
        }
        Ok(value)
    }

    fn eat(&mut self, byte: u8, what: &'static str) -> Result<(), &'static str> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(what)
        }
    }
}

fn parse(text: &str) -> Result<Timestamp, &'static str> {
    let mut c = Cursor {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let year = c.digits(4, "expected a four-digit year")?;
    c.eat(b'-', "expected `-` after the year")?;
    let month = c.digits(2, "expected a two-digit month")?;
    c.eat(b'-', "expected `-` after the month")?;
    let day = c.digits(2, "expected a two-digit day")?;
    match c.peek() {
        Some(b'T' | b't' | b' ') => c.pos += 1,
        _ => return Err("expected `T` between date and time"),
    }
    let hour = c.digits(2, "expected a two-digit hour")?;
    c.eat(b':', "expected `:` after the hour")?;
    let minute = c.digits(2, "expected two-digit minutes")?;
    let mut second = 0;
    if c.peek() == Some(b':') {
        c.pos += 1;
        second = c.digits(2, "expected two-digit seconds")?;
        if c.peek() == Some(b'.') || c.peek() == Some(b',') {
            c.pos += 1;
            let start = c.pos;
            while matches!(c.peek(), Some(b'0'..=b'9')) {
                c.pos += 1;
            }
            if c.pos == start {
                return Err("expected digits after the decimal point");
            }
        }
    }
    let offset_secs: i64 = match c.peek() {
        None => 0,
        Some(b'Z' | b'z') => {
            c.pos += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            c.pos += 1;
            let h = c.digits(2, "expected a two-digit zone hour")?;
            let m = match c.peek() {
                None => 0,
                Some(b':') => {
                    c.pos += 1;
                    c.digits(2, "expected two-digit zone minutes")?
                }
                Some(_) => c.digits(2, "expected two-digit zone minutes")?,
            };
            if h > 23 || m > 59 {
                return Err("zone offset out of range");
            }
            let secs = i64::from(h * 3600 + m * 60);
            if sign == b'-' { -secs } else { secs }
        }
        Some(_) => return Err("expected a zone (`Z` or `+HH:MM`) after the time"),
    };
    if c.pos != c.bytes.len() {
        return Err("unexpected text after the date-time");
    }
    if !(1..=12).contains(&month) {
        return Err("month out of range");
    }
    if day == 0 || day > days_in_month(i64::from(year), month) {
        return Err("day out of range for the month");
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err("time of day out of range");
    }
    let second = second.min(59);
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_secs;
    Ok(Timestamp(secs))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // day is 1..=31 and month 1..=12 by construction.
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codepipeline_expires_without_seconds() {
        let t = Timestamp::parse("2016-07-07T20:22Z").unwrap();
        assert_eq!(t.unix(), 1_467_922_920);
        assert_eq!(t.to_string(), "2016-07-07T20:22:00Z");
    }

    #[test]
    fn accepts_the_tolerated_variants() {
        let expected = 1_467_922_920 + 15;
        for text in [
            "2016-07-07T20:22:15Z",
            "2016-07-07T20:22:15.123Z",
            "2016-07-07t20:22:15z",
            "2016-07-07 20:22:15",
            " 2016-07-07T20:22:15Z\n",
            "2016-07-07T22:22:15+02:00",
            "2016-07-07T22:22:15+0200",
            "2016-07-07T22:22:15+02",
            "2016-07-07T15:22:15-05:00",
        ] {
            assert_eq!(Timestamp::parse(text).unwrap().unix(), expected, "{text}");
        }
    }

    #[test]
    fn refuses_malformed_values_quoting_them() {
        for text in [
            "",
            "2016-07-07",
            "2016-7-07T20:22Z",
            "2016-13-07T20:22Z",
            "2016-02-30T20:22Z",
            "2015-02-29T20:22Z",
            "2016-07-07T24:00Z",
            "2016-07-07T20:60Z",
            "2016-07-07T20:22:61Z",
            "2016-07-07T20:22ZZ",
            "2016-07-07T20:22:15.Z",
            "2016-07-07T20:22+25:00",
            "tomorrow",
            "２０16-07-07T20:22Z",
        ] {
            let err = Timestamp::parse(text).unwrap_err();
            assert!(err.to_string().contains('`'), "{text}: {err}");
        }
        assert!(Timestamp::parse("2016-02-29T00:00Z").is_ok());
        assert!(Timestamp::parse("2000-02-29T00:00Z").is_ok());
        assert!(Timestamp::parse("1900-02-29T00:00Z").is_err());
    }

    #[test]
    fn round_trips_days_across_eras() {
        for days in [-800_000, -719_468, -1, 0, 1, 10_957, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(Timestamp::from_unix(-1).to_string(), "1969-12-31T23:59:59Z");
        assert_eq!(
            Timestamp::from_unix(951_782_400).to_string(),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn slack_date_has_a_utc_fallback() {
        let t = Timestamp::from_unix(1_467_922_920);
        assert_eq!(
            t.slack_date(),
            "<!date^1467922920^{date_short_pretty} {time}|2016-07-07 20:22 UTC>"
        );
    }
}
