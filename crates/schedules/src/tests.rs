//! Calendar-level tests: YAML in, hand-computed instants out.

use jiff::Timestamp;

use crate::{Calendar, CalendarConfig, CalendarError, FreezeAction};

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn calendar(yaml: &str) -> Calendar {
    calendar_with_ics(yaml, "")
}

fn calendar_with_ics(yaml: &str, ics: &str) -> Calendar {
    let config = CalendarConfig::from_yaml(yaml, "rules.yaml").unwrap_or_else(|e| panic!("{e}"));
    Calendar::new(config, |_| Ok(ics.to_owned())).unwrap_or_else(|e| panic!("{e}"))
}

fn yaml_error(yaml: &str) -> String {
    match CalendarConfig::from_yaml(yaml, "rules.yaml") {
        Ok(_) => panic!("accepted:\n{yaml}"),
        Err(e) => e.to_string(),
    }
}

const WEEKEND: &str = "
freezes:
  - name: weekend
    pipelines: [\"api-*\"]
    release_at: next workday 09:00
    weekly:
      timezone: Europe/Berlin
      from: FRI 16:00
      to: MON 08:00
  - name: public-holidays
    pipelines: [api-deploy]
    holidays:
      timezone: Europe/Berlin
      dates: [2026-12-25, 2026-12-28, 2027-01-01]
";

#[test]
fn weekend_freeze_runs_from_friday_afternoon_over_midnight_to_monday_morning() {
    let calendar = calendar(WEEKEND);
    // Friday 2026-12-04 15:59 CET: not yet.
    assert_eq!(
        calendar.freeze_at("api-other", ts("2026-12-04T14:59:00Z")),
        None
    );
    // 16:00 CET: on, until Monday 08:00 CET, released Monday 09:00 CET.
    let freeze = calendar
        .freeze_at("api-other", ts("2026-12-04T15:00:00Z"))
        .unwrap();
    assert_eq!(freeze.name, "weekend");
    assert_eq!(freeze.window_end, ts("2026-12-07T07:00:00Z"));
    assert_eq!(freeze.release_at, ts("2026-12-07T08:00:00Z"));
    assert_eq!(freeze.on_push, FreezeAction::Hold);
    // Saturday just after midnight and Sunday late: still on.
    assert!(
        calendar
            .freeze_at("api-other", ts("2026-12-04T23:30:00Z"))
            .is_some()
    );
    assert!(
        calendar
            .freeze_at("api-other", ts("2026-12-06T22:59:00Z"))
            .is_some()
    );
    // Monday 08:00 CET: over. Other pipelines: never on.
    assert_eq!(
        calendar.freeze_at("api-other", ts("2026-12-07T07:00:00Z")),
        None
    );
    assert_eq!(
        calendar.freeze_at("web-deploy", ts("2026-12-05T12:00:00Z")),
        None
    );
}

#[test]
fn monday_holiday_moves_the_weekend_release_to_tuesday_nine() {
    let calendar = calendar(WEEKEND);
    // Saturday 2026-12-26; Monday the 28th is a holiday of api-deploy.
    let freeze = calendar
        .freeze_at("api-deploy", ts("2026-12-26T11:00:00Z"))
        .unwrap();
    assert_eq!(freeze.name, "weekend");
    assert_eq!(freeze.window_end, ts("2026-12-28T07:00:00Z"));
    assert_eq!(freeze.release_at, ts("2026-12-29T08:00:00Z")); // Tuesday 09:00 CET
    // api-other has no holiday list: Monday 09:00 CET.
    let freeze = calendar
        .freeze_at("api-other", ts("2026-12-26T11:00:00Z"))
        .unwrap();
    assert_eq!(freeze.release_at, ts("2026-12-28T08:00:00Z"));
    // On the holiday itself, after the weekend window: the holiday freeze, to midnight.
    let freeze = calendar
        .freeze_at("api-deploy", ts("2026-12-28T10:00:00Z"))
        .unwrap();
    assert_eq!(freeze.name, "public-holidays");
    assert_eq!(freeze.release_at, ts("2026-12-28T23:00:00Z"));
    assert!(!calendar.is_workday("api-deploy", jiff::civil::date(2026, 12, 28)));
    assert!(calendar.is_workday("api-other", jiff::civil::date(2026, 12, 28)));
}

#[test]
fn christmas_friday_holiday_chains_into_the_weekend_freeze() {
    let calendar = calendar(WEEKEND);
    // Friday 2026-12-25 10:00 CET is a holiday; the weekend window starts at 16:00 and
    // Monday the 28th is a holiday too: released Tuesday 09:00 CET.
    let freeze = calendar
        .freeze_at("api-deploy", ts("2026-12-25T09:00:00Z"))
        .unwrap();
    assert_eq!(freeze.name, "public-holidays");
    assert_eq!(freeze.window_end, ts("2026-12-25T23:00:00Z"));
    assert_eq!(freeze.release_at, ts("2026-12-29T08:00:00Z"));
}

#[test]
fn release_across_the_year_boundary_skips_new_year_and_the_weekend() {
    let calendar = calendar(
        "
freezes:
  - name: year-end
    pipelines: [\"*\"]
    release_at: next workday 09:00
    dates: { timezone: Europe/Berlin, from: 2026-12-21, to: 2026-12-31 }
  - name: new-year
    pipelines: [\"*\"]
    holidays: { timezone: Europe/Berlin, dates: [2027-01-01] }
",
    );
    // New Year's Eve 23:30 CET: the range ends at midnight; Friday 1 January is a
    // holiday, then the weekend: Monday 2027-01-04 09:00 CET.
    let freeze = calendar
        .freeze_at("any", ts("2026-12-31T22:30:00Z"))
        .unwrap();
    assert_eq!(freeze.name, "year-end");
    assert_eq!(freeze.window_end, ts("2026-12-31T23:00:00Z"));
    assert_eq!(freeze.release_at, ts("2027-01-04T08:00:00Z"));
    // Before the range.
    assert_eq!(calendar.freeze_at("any", ts("2026-12-20T22:59:00Z")), None);
    assert!(
        calendar
            .freeze_at("any", ts("2026-12-20T23:00:00Z"))
            .is_some()
    );
}

#[test]
fn leap_day_range_and_leap_day_holiday() {
    let calendar = calendar(
        "
freezes:
  - name: leap-range
    pipelines: [range]
    dates: { timezone: Europe/Berlin, from: 2028-02-28, to: 2028-02-29 }
  - name: leap-holiday
    pipelines: [holiday]
    release_at: next workday 09:00
    holidays: { timezone: Europe/Berlin, dates: [2028-02-29] }
",
    );
    // 29 February 2028 23:30 CET is inside the range, which ends 1 March 00:00 CET.
    let freeze = calendar
        .freeze_at("range", ts("2028-02-29T22:30:00Z"))
        .unwrap();
    assert_eq!(freeze.window_end, ts("2028-02-29T23:00:00Z"));
    assert_eq!(
        calendar.freeze_at("range", ts("2028-02-29T23:00:00Z")),
        None
    );
    // The leap-day holiday (a Tuesday) releases Wednesday 1 March 09:00 CET.
    let freeze = calendar
        .freeze_at("holiday", ts("2028-02-29T11:00:00Z"))
        .unwrap();
    assert_eq!(freeze.release_at, ts("2028-03-01T08:00:00Z"));
    assert_eq!(
        calendar.freeze_at("holiday", ts("2028-02-28T11:00:00Z")),
        None
    );
}

#[test]
fn weekly_days_window_crosses_midnight_in_new_york() {
    let calendar = calendar(
        "
freezes:
  - name: nights
    pipelines: [\"*\"]
    weekly:
      timezone: America/New_York
      days: [MON, TUE, WED, THU, FRI]
      from: \"22:00\"
      to: \"06:00\"
",
    );
    // Friday 2026-12-04 23:00 EST: until Saturday 06:00 EST.
    let freeze = calendar.freeze_at("p", ts("2026-12-05T04:00:00Z")).unwrap();
    assert_eq!(freeze.window_end, ts("2026-12-05T11:00:00Z"));
    // Saturday night and Sunday night are not listed.
    assert_eq!(calendar.freeze_at("p", ts("2026-12-06T04:00:00Z")), None);
    assert_eq!(calendar.freeze_at("p", ts("2026-12-07T10:00:00Z")), None);
    // Tuesday 05:00 EST: Monday's span.
    let freeze = calendar.freeze_at("p", ts("2026-12-08T10:00:00Z")).unwrap();
    assert_eq!(freeze.window_end, ts("2026-12-08T11:00:00Z"));
}

#[test]
fn weekend_freeze_over_the_berlin_autumn_change_ends_at_monday_eight_cet() {
    let calendar = calendar(WEEKEND);
    // Friday 2026-10-23 16:00 CEST to Monday 2026-10-26 08:00 CET (clocks went back on
    // Sunday), so the window is one hour longer than on other weekends.
    let freeze = calendar
        .freeze_at("api-other", ts("2026-10-24T12:00:00Z"))
        .unwrap();
    assert_eq!(freeze.window_end, ts("2026-10-26T07:00:00Z"));
    assert_eq!(freeze.release_at, ts("2026-10-26T08:00:00Z"));
    assert!(
        calendar
            .freeze_at("api-other", ts("2026-10-23T14:00:00Z"))
            .is_some()
    );
    assert_eq!(
        calendar.freeze_at("api-other", ts("2026-10-23T13:59:00Z")),
        None
    );
}

#[test]
fn window_starting_in_the_new_york_spring_gap_starts_at_the_gap_end() {
    let calendar = calendar(
        "
freezes:
  - name: sunday-maintenance
    pipelines: [\"*\"]
    weekly: { timezone: America/New_York, days: [SUN], from: \"02:30\", to: \"04:00\" }
",
    );
    // 2027-03-14: 02:00 EST jumps to 03:00 EDT. 01:45 EST: not yet; 03:00 EDT: on.
    assert_eq!(calendar.freeze_at("p", ts("2027-03-14T06:45:00Z")), None);
    let freeze = calendar.freeze_at("p", ts("2027-03-14T07:00:00Z")).unwrap();
    assert_eq!(freeze.window_end, ts("2027-03-14T08:00:00Z")); // 04:00 EDT
}

#[test]
fn schedule_runs_in_its_zone_through_both_berlin_changes() {
    let calendar = calendar(
        "
schedules:
  - pipeline: api-deploy
    expression: cron(30 2 ? * SUN *)
    timezone: Europe/Berlin
    branch: main
",
    );
    let schedule = &calendar.schedules()[0];
    // Sundays 02:30 Berlin from 2027-03-20: the 28th has no 02:30 (runs 03:00 CEST), the
    // next Sunday is 02:30 CEST.
    let runs: Vec<_> = schedule
        .runs_after(ts("2027-03-20T00:00:00Z"))
        .take(3)
        .collect();
    assert_eq!(
        runs,
        vec![
            ts("2027-03-21T01:30:00Z"),
            ts("2027-03-28T01:00:00Z"),
            ts("2027-04-04T00:30:00Z"),
        ]
    );
    // 2026-10-25 has 02:30 twice: it runs once, at 02:30 CEST.
    let runs: Vec<_> = schedule
        .runs_after(ts("2026-10-24T00:00:00Z"))
        .take(2)
        .collect();
    assert_eq!(
        runs,
        vec![ts("2026-10-25T00:30:00Z"), ts("2026-11-01T01:30:00Z")]
    );
}

#[test]
fn yearly_schedule_on_29_february_waits_for_the_leap_year() {
    let calendar = calendar(
        "
schedules:
  - pipeline: leap
    expression: cron(0 12 29 FEB ? *)
    timezone: America/New_York
    branch: main
",
    );
    let runs: Vec<_> = calendar.schedules()[0]
        .runs_after(ts("2028-03-01T00:00:00Z"))
        .take(2)
        .collect();
    assert_eq!(
        runs,
        vec![ts("2032-02-29T17:00:00Z"), ts("2036-02-29T17:00:00Z")]
    );
}

const TICK: &str = "
schedules:
  - pipeline: api-deploy
    name: api-hourly
    expression: cron(5 * * * ? *)
    timezone: Europe/Berlin
    branch: main
    only_if_changed: true
  - pipeline: web-deploy
    expression: cron(0 3 * * ? *)
    timezone: Europe/Berlin
    branch: release
freezes:
  - name: weekend
    pipelines: [web-deploy]
    on_schedule: skip
    weekly: { timezone: Europe/Berlin, from: FRI 16:00, to: MON 08:00 }
";

#[test]
fn catch_up_after_missed_ticks_is_one_due_slot_per_schedule() {
    let calendar = calendar(TICK);
    // The last tick was Tuesday 2026-12-01 05:00Z; ticks were missed until 09:30Z: the
    // hourly schedule is due once, at its newest slot (10:05 CET = 09:05Z).
    let tick = calendar.evaluate_tick(ts("2026-12-01T05:00:00Z"), ts("2026-12-01T09:30:00Z"), &[]);
    assert_eq!(tick.due.len(), 1);
    let due = &tick.due[0];
    assert_eq!(due.name, "api-hourly");
    assert_eq!(due.pipeline, "api-deploy");
    assert_eq!(due.branch, "main");
    assert_eq!(due.slot, ts("2026-12-01T09:05:00Z"));
    assert!(due.only_if_changed);
    assert_eq!(due.freeze, None);
    assert!(tick.frozen.is_empty());
    // The next tick, a minute on, has nothing due.
    let tick = calendar.evaluate_tick(ts("2026-12-01T09:30:00Z"), ts("2026-12-01T09:31:00Z"), &[]);
    assert!(tick.due.is_empty());
}

#[test]
fn tick_inside_a_freeze_reports_the_due_slot_with_its_freeze_and_the_frozen_pipelines() {
    let calendar = calendar(TICK);
    // Saturday 2026-12-05, 03:00 CET (02:00Z): web-deploy's nightly slot, in the weekend
    // freeze, whose on_schedule is skip.
    let tick = calendar.evaluate_tick(
        ts("2026-12-05T01:59:00Z"),
        ts("2026-12-05T02:00:00Z"),
        &["web-deploy", "held-elsewhere"],
    );
    assert_eq!(tick.due.len(), 1);
    let due = &tick.due[0];
    assert_eq!(due.pipeline, "web-deploy");
    assert_eq!(due.slot, ts("2026-12-05T02:00:00Z"));
    let freeze = due.freeze.as_ref().unwrap();
    assert_eq!(freeze.name, "weekend");
    assert_eq!(freeze.on_schedule, FreezeAction::Skip);
    assert_eq!(freeze.release_at, ts("2026-12-07T07:00:00Z"));
    assert_eq!(tick.frozen.len(), 1);
    assert_eq!(tick.frozen[0].pipeline, "web-deploy");
}

const ICS: &str = "BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
SUMMARY:Release train freeze
DTSTART;TZID=Europe/Berlin:20261201T140000
DTEND;TZID=Europe/Berlin:20261201T180000
RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH;UNTIL=20261231T235959Z
EXDATE;TZID=Europe/Berlin:20261210T140000
END:VEVENT
BEGIN:VEVENT
SUMMARY:Company day
DTSTART;VALUE=DATE:20261207
DTEND;VALUE=DATE:20261208
END:VEVENT
END:VCALENDAR
";

#[test]
fn ics_freeze_follows_its_recurrence_exception_and_all_day_holidays() {
    let calendar = calendar_with_ics(
        "
freezes:
  - name: company
    pipelines: [\"*\"]
    release_at: next workday 09:00
    ics: { path: company.ics, timezone: Europe/Berlin }
",
        ICS,
    );
    // Thursday 2026-12-03 15:00 CET: inside; ends 18:00 CET, released Friday 09:00 CET.
    let freeze = calendar.freeze_at("p", ts("2026-12-03T14:00:00Z")).unwrap();
    assert_eq!(freeze.name, "company");
    assert_eq!(freeze.window_end, ts("2026-12-03T17:00:00Z"));
    assert_eq!(freeze.release_at, ts("2026-12-04T08:00:00Z"));
    // Thursday 2026-12-10 is the exception date.
    assert_eq!(calendar.freeze_at("p", ts("2026-12-10T14:00:00Z")), None);
    // Monday 2026-12-07 is an all-day company day: a Friday-to-Monday release skips it,
    // and a Tuesday event releases Wednesday.
    assert!(!calendar.is_workday("p", jiff::civil::date(2026, 12, 7)));
    let freeze = calendar.freeze_at("p", ts("2026-12-07T12:00:00Z")).unwrap();
    assert_eq!(freeze.window_end, ts("2026-12-07T23:00:00Z"));
    // Midnight CET on Tuesday is before 09:00, and Tuesday's event (14:00-18:00 CET) is
    // not on at 09:00: released Tuesday 09:00 CET.
    assert_eq!(freeze.release_at, ts("2026-12-08T08:00:00Z"));
}

#[test]
fn unknown_time_zone_is_an_error_with_its_line() {
    let error = yaml_error(
        "schedules:
  - pipeline: api
    expression: rate(5 minutes)
    timezone: Europe/Berlinn
    branch: main
",
    );
    assert!(error.starts_with("rules.yaml:4:"), "{error}");
    assert!(
        error.contains("unknown time zone `Europe/Berlinn`"),
        "{error}"
    );
}

#[test]
fn invalid_cron_is_an_error_with_its_line() {
    let error = yaml_error(
        "schedules:
  - pipeline: api
    branch: main
    expression: cron(0 25 * * ? *)
",
    );
    assert!(error.starts_with("rules.yaml:4:"), "{error}");
    assert!(error.contains("hours value 25 is outside 0-23"), "{error}");
}

#[test]
fn empty_windows_are_errors() {
    let error = yaml_error(
        "freezes:
  - name: nothing
    pipelines: [\"*\"]
    weekly: { timezone: UTC, from: FRI 16:00, to: FRI 16:00 }
",
    );
    assert!(error.starts_with("rules.yaml:4:"), "{error}");
    assert!(error.contains("is empty (from equals to)"), "{error}");
    let error = yaml_error(
        "freezes:
  - name: nodays
    pipelines: [\"*\"]
    weekly:
      days: []
      from: \"10:00\"
      to: \"12:00\"
",
    );
    assert!(error.contains("`days` is empty"), "{error}");
    assert!(error.starts_with("rules.yaml:5:"), "{error}");
    let error = yaml_error(
        "freezes:
  - name: backwards
    pipelines: [\"*\"]
    dates: { from: 2027-01-05, to: 2027-01-01 }
",
    );
    assert!(error.contains("ends before it starts"), "{error}");
    let error = yaml_error(
        "freezes:
  - name: none
    pipelines: [\"*\"]
",
    );
    assert!(error.contains("has no window"), "{error}");
}

#[test]
fn impossible_dates_unknown_keys_and_bad_release_rules_are_errors_with_lines() {
    let error = yaml_error(
        "freezes:
  - name: h
    pipelines: [\"*\"]
    holidays:
      dates:
        - 2028-02-29
        - 2027-02-29
",
    );
    assert!(error.starts_with("rules.yaml:7:"), "{error}");
    assert!(error.contains("`2027-02-29` is not a date"), "{error}");
    let error = yaml_error(
        "freezes:
  - name: h
    pipelines: [\"*\"]
    on_push: wait
    holidays: { dates: [2028-02-29] }
",
    );
    assert!(error.starts_with("rules.yaml:4:"), "{error}");
    let error = yaml_error(
        "freezes:
  - name: h
    pipelines: [\"*\"]
    release_at: next tuesday
    holidays: { dates: [2028-02-29] }
",
    );
    assert!(error.starts_with("rules.yaml:4:"), "{error}");
    assert!(error.contains("next workday HH:MM"), "{error}");
    let error = yaml_error(
        "schedules:
  - pipeline: api
    expression: rate(5 minutes)
    branch: main
    when: always
",
    );
    assert!(error.starts_with("rules.yaml:5:"), "{error}");
    assert!(error.contains("unknown field `when`"), "{error}");
    let error = yaml_error(
        "freezes:
  - name: twice
    pipelines: [\"*\"]
    holidays: { dates: [2028-02-29] }
  - name: twice
    pipelines: [\"*\"]
    holidays: { dates: [2028-03-01] }
",
    );
    assert!(error.contains("freeze `twice` is defined twice"), "{error}");
}

#[test]
fn malformed_ics_names_the_file_line_and_freeze() {
    let config = CalendarConfig::from_yaml(
        "freezes:
  - name: company
    pipelines: [\"*\"]
    ics: { path: company.ics }
",
        "rules.yaml",
    )
    .unwrap();
    let text =
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261301T100000Z\nEND:VEVENT\nEND:VCALENDAR\n";
    let error = Calendar::new(config, |_| Ok(text.to_owned())).unwrap_err();
    assert_eq!(error.error_type(), "IcsInvalid");
    let message = error.to_string();
    assert!(
        message.starts_with("company.ics:3: freeze `company`:"),
        "{message}"
    );
    assert!(message.contains("not a date-time"), "{message}");
}

#[test]
fn missing_ics_file_is_a_read_error() {
    let config = CalendarConfig::from_yaml(
        "freezes:
  - name: company
    pipelines: [\"*\"]
    ics: { path: missing.ics }
",
        "rules.yaml",
    )
    .unwrap();
    let error = Calendar::new(config, |_| {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file",
        ))
    })
    .unwrap_err();
    assert!(matches!(error, CalendarError::IcsRead { .. }), "{error}");
    assert!(error.to_string().contains("missing.ics"), "{error}");
}

#[test]
fn garbage_input_is_an_error_never_a_panic() {
    let inputs = [
        "",
        "schedules: 5",
        "schedules: [{}]",
        "freezes: [{name: x, pipelines: [\"*\"], weekly: {from: \"\", to: \"\"}}]",
        "freezes: [{name: x, pipelines: [\"*\"], weekly: {from: \"FRI 99:00\", to: MON 08:00}}]",
        "schedules: [{pipeline: p, branch: b, expression: \"cron(* * * * * * *)\"}]",
        "schedules: [{pipeline: p, branch: b, expression: \"cron(0/0 * ? * * *)\"}]",
        "schedules: [{pipeline: p, branch: b, expression: \"cron(0 0 ? * 9#9 *)\"}]",
        "schedules: [{pipeline: p, branch: b, expression: \"cron(0 0 32W * ? *)\"}]",
        "schedules: [{pipeline: p, branch: b, expression: \"rate(0 minutes)\"}]",
        "schedules: [{pipeline: p, branch: b, expression: \"rate(99999999999999999999 days)\"}]",
        "freezes: [{name: x, pipelines: [\"a b\"], holidays: {dates: [2026-01-01]}}]",
    ];
    for input in inputs {
        // An empty document is an empty configuration; everything else is an error.
        let result = CalendarConfig::from_yaml(input, "rules.yaml");
        assert_eq!(result.is_ok(), input.is_empty(), "{input}: {result:?}");
    }
}

/// The rules reference's example (the crate doc) is a valid configuration, with the
/// meaning the reference gives it.
#[test]
fn the_crate_doc_example_is_valid() {
    let source = include_str!("lib.rs");
    let yaml: String = source
        .lines()
        .skip_while(|l| !l.starts_with("//! ```yaml"))
        .skip(1)
        .take_while(|l| !l.starts_with("//! ```"))
        .map(|l| {
            format!(
                "{}\n",
                l.strip_prefix("//!")
                    .unwrap_or(l)
                    .strip_prefix(' ')
                    .unwrap_or("")
            )
        })
        .collect();
    assert!(yaml.contains("freezes:"), "no example found");
    let calendar = calendar_with_ics(&yaml, ICS);
    assert_eq!(calendar.schedules().len(), 2);
    assert_eq!(calendar.freezes().count(), 5);
    // Friday 2026-11-27 17:00 CET: api-deploy is in the weekend freeze until Monday
    // 08:00 CET, released Monday 09:00 CET.
    let freeze = calendar
        .freeze_at("api-deploy", ts("2026-11-27T16:00:00Z"))
        .unwrap();
    assert_eq!(freeze.name, "weekend");
    assert_eq!(freeze.on_schedule, FreezeAction::Skip);
    assert_eq!(freeze.window_end, ts("2026-11-30T07:00:00Z"));
    assert_eq!(freeze.release_at, ts("2026-11-30T08:00:00Z"));
    // A week later Monday 2026-12-07 is the .ics company day: the next workday is
    // Tuesday, whose 09:00 CET (03:00 in New York) is inside the `nights` freeze, so the
    // release moves on to its end, 06:00 EST.
    let freeze = calendar
        .freeze_at("api-deploy", ts("2026-12-04T16:00:00Z"))
        .unwrap();
    assert_eq!(freeze.name, "weekend");
    assert_eq!(freeze.window_end, ts("2026-12-07T07:00:00Z"));
    assert_eq!(freeze.release_at, ts("2026-12-08T11:00:00Z"));
}

#[test]
fn freeze_periods_list_a_week_of_windows_for_the_calendar() {
    let calendar = calendar(WEEKEND);
    // api-deploy, Monday 2026-12-21 to Monday 2027-01-04 (UTC): the end of a weekend
    // window, the holiday on Friday the 25th running straight into the weekend window,
    // then the 28th holiday, then New Year's Day and the next weekend.
    let periods = calendar.freeze_periods(
        "api-deploy",
        ts("2026-12-21T00:00:00Z"),
        ts("2027-01-04T00:00:00Z"),
    );
    let got: Vec<_> = periods
        .iter()
        .map(|p| (p.name.as_str(), p.start, p.window_end, p.release_at))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "weekend",
                ts("2026-12-21T00:00:00Z"),
                ts("2026-12-21T07:00:00Z"),
                ts("2026-12-21T08:00:00Z"),
            ),
            (
                "public-holidays",
                ts("2026-12-24T23:00:00Z"),
                ts("2026-12-25T23:00:00Z"),
                ts("2026-12-29T08:00:00Z"),
            ),
            (
                "weekend",
                ts("2026-12-25T23:00:00Z"),
                ts("2026-12-28T07:00:00Z"),
                ts("2026-12-29T08:00:00Z"),
            ),
            (
                "public-holidays",
                ts("2026-12-28T07:00:00Z"),
                ts("2026-12-28T23:00:00Z"),
                ts("2026-12-28T23:00:00Z"),
            ),
            (
                "public-holidays",
                ts("2026-12-31T23:00:00Z"),
                ts("2027-01-01T23:00:00Z"),
                ts("2027-01-04T08:00:00Z"),
            ),
            (
                "weekend",
                ts("2027-01-01T23:00:00Z"),
                ts("2027-01-04T07:00:00Z"),
                ts("2027-01-04T08:00:00Z"),
            ),
        ]
    );
}

#[test]
fn tags_and_empty_sections_are_errors_with_their_lines() {
    let error = yaml_error(
        "freezes:
  - name: h
    pipelines: !!seq [\"*\"]
    holidays: { dates: [2028-02-29] }
",
    );
    assert!(error.starts_with("rules.yaml:3:"), "{error}");
    assert!(error.contains("YAML tags are not allowed"), "{error}");
    let error = yaml_error("schedules: []\n");
    assert!(error.starts_with("rules.yaml:1:"), "{error}");
    assert!(error.contains("the section is empty"), "{error}");
    let error = yaml_error("freezes:\n");
    assert!(error.starts_with("rules.yaml:1:"), "{error}");
}
