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
//! day of the month, hour 24, letters) is an error that quotes the value. The syntax is
//! read here (CodePipeline's variant is not RFC 3339); the calendar is jiff's.

use std::fmt;

use jiff::tz::Offset;

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
        let fallback = match self.civil() {
            Some(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
            None => format!("{} s after 1970 UTC", self.0),
        };
        format!(
            "<!date^{}^{{date_short_pretty}} {{time}}|{fallback}>",
            self.0
        )
    }

    /// The civil date and time in UTC, within jiff's range (years -9999 to 9999).
    fn civil(self) -> Option<jiff::civil::DateTime> {
        let at = jiff::Timestamp::from_second(self.0).ok()?;
        Some(Offset::UTC.to_datetime(at))
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with seconds: `2016-07-07T20:22:00Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.civil() {
            Some(t) => write!(f, "{}", t.strftime("%Y-%m-%dT%H:%M:%SZ")),
            None => write!(f, "{} s after 1970-01-01T00:00:00Z", self.0),
        }
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
    if hour > 23 || minute > 59 || second > 60 {
        return Err("time of day out of range");
    }
    let second = second.min(59);
    // Each part has at most 4 digits (the year) or 2, so it fits.
    let small = |n: u32| i8::try_from(n).unwrap_or(i8::MAX);
    let year = i16::try_from(year).map_err(|_| "year out of range")?;
    if !(1..=12).contains(&month) {
        return Err("month out of range");
    }
    let date = jiff::civil::Date::new(year, small(month), small(day))
        .map_err(|_| "day out of range for the month")?;
    let at = date.at(small(hour), small(minute), small(second), 0);
    let utc = Offset::UTC
        .to_timestamp(at)
        .map_err(|_| "date-time out of range")?;
    Ok(Timestamp(utc.as_second() - offset_secs))
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
    fn formats_across_eras() {
        assert_eq!(
            Timestamp::parse("0001-01-01T00:00Z").unwrap().to_string(),
            "0001-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp::parse("2038-01-19T03:14:08Z").unwrap().unix(),
            2_147_483_648
        );
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
