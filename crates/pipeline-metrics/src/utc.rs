//! Time in this crate is UTC: instants are [`Timestamp`]s, and a day is the UTC calendar
//! day ([`Date`]) an instant falls on, as the `dt` partitions and Athena's
//! `date(from_iso8601_timestamp(...))` have it.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The UTC day `t` falls on.
pub fn day(t: Timestamp) -> Date {
    TimeZone::UTC.to_datetime(t).date()
}

/// Today's UTC day.
pub fn today() -> Date {
    day(Timestamp::now())
}

/// Parses an RFC 3339 timestamp (`2026-03-14T09:58:01Z`, `...01.412Z`, `...+02:00`);
/// `None` if it is not one.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    text.trim().parse().ok()
}
