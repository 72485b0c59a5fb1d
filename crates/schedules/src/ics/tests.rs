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
    let e = error("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026-12-01\nEND:VEVENT\nEND:VCALENDAR\n");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("not a date-time"), "{e}");
    let e = error("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261201T100000Z\nEND:VCALENDAR\n");
    assert_eq!(e.line, 4);
    assert!(e.message.contains("does not close BEGIN:VEVENT"), "{e}");
    let e = error("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:no start\nEND:VEVENT\nEND:VCALENDAR\n");
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
