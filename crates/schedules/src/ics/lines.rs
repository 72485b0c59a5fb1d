//! Content lines (RFC 5545 3.1): unfolding, `NAME;PARAM=value:value` properties, and
//! the values a freeze reads (dates, date-times, durations, weekdays).

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::IcsError;
use crate::expression::resolve_local;

/// A date or date-time value with the zone it was written in.
pub(super) enum Moment {
    Date(Date),
    /// A local date-time in a zone (its TZID or the default for floating times).
    Local(DateTime, TimeZone),
    /// A UTC date-time (the `Z` form).
    Utc(Timestamp),
}

impl Moment {
    pub(super) fn instant(&self) -> Option<Timestamp> {
        match self {
            Moment::Date(_) => None,
            Moment::Local(local, zone) => resolve_local(zone, *local),
            Moment::Utc(ts) => Some(*ts),
        }
    }

    /// The zone, the local start and whether it is a date (dates are in `default_zone`).
    pub(super) fn local(&self, default_zone: &TimeZone) -> (TimeZone, DateTime, bool) {
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
pub(super) struct Property {
    pub(super) name: String,
    pub(super) params: Vec<(String, String)>,
    pub(super) value: String,
}

impl Property {
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Unfolds lines (RFC 5545 3.1): CRLF or LF followed by one space or tab is removed.
pub(super) fn unfold(text: &str) -> Result<Vec<(usize, String)>, IcsError> {
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
pub(super) fn parse_property(line: &str) -> Result<Property, String> {
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

pub(super) fn parse_moment(property: &Property, default_zone: &TimeZone) -> Result<Moment, String> {
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

pub(super) fn digits(text: &str) -> Option<i64> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

pub(super) fn parse_date(text: &str) -> Option<Date> {
    if text.len() != 8 || !text.is_ascii() {
        return None;
    }
    let year = i16::try_from(digits(&text[0..4])?).ok()?;
    let month = i8::try_from(digits(&text[4..6])?).ok()?;
    let day = i8::try_from(digits(&text[6..8])?).ok()?;
    Date::new(year, month, day).ok()
}

pub(super) fn parse_time(text: &str) -> Option<Time> {
    if text.len() != 6 || !text.is_ascii() {
        return None;
    }
    let hour = i8::try_from(digits(&text[0..2])?).ok()?;
    let minute = i8::try_from(digits(&text[2..4])?).ok()?;
    let second = i8::try_from(digits(&text[4..6])?).ok()?.min(59); // a leap second
    Time::new(hour, minute, second, 0).ok()
}

/// `DURATION`: nominal days (for dates) and the exact duration (for date-times).
pub(super) fn parse_duration(text: &str) -> Result<(i64, SignedDuration), String> {
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

pub(super) fn parse_weekday(text: &str) -> Option<Weekday> {
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
