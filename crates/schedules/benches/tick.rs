//! One scheduler tick: 100 schedules and 50 freezes (weekly windows, date ranges, holiday
//! lists, .ics calendars) over 100 pipelines.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pipeline_schedules::jiff::Timestamp;
use pipeline_schedules::{Calendar, CalendarConfig};

const ZONES: [&str; 5] = [
    "Europe/Berlin",
    "America/New_York",
    "UTC",
    "Asia/Tokyo",
    "Australia/Sydney",
];

const ICS: &str = "BEGIN:VCALENDAR
BEGIN:VEVENT
DTSTART;TZID=Europe/Berlin:20250106T140000
DTEND;TZID=Europe/Berlin:20250106T180000
RRULE:FREQ=WEEKLY;BYDAY=MO,WE
EXDATE;TZID=Europe/Berlin:20261207T140000
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20241225
RRULE:FREQ=YEARLY
END:VEVENT
END:VCALENDAR
";

fn config() -> String {
    let mut yaml = String::from("schedules:\n");
    let expressions = [
        "cron(0 2 * * ? *)",
        "cron(*/15 * ? * MON-FRI *)",
        "cron(30 6 ? * 2#1 *)",
        "cron(0 12 L * ? *)",
        "rate(5 minutes)",
        "rate(1 hour)",
        "cron(0 9 15W * ? *)",
        "cron(5 * * * ? *)",
    ];
    for i in 0..100 {
        yaml.push_str(&format!(
            "  - pipeline: svc-{i}\n    expression: \"{}\"\n    timezone: {}\n    branch: main\n    only_if_changed: true\n",
            expressions[i % expressions.len()],
            ZONES[i % ZONES.len()],
        ));
    }
    yaml.push_str("freezes:\n");
    for i in 0..50 {
        let zone = ZONES[i % ZONES.len()];
        let pipelines = format!("[\"svc-{}*\", svc-{}]", i % 10, 50 + i);
        let window = match i % 10 {
            0..=5 => format!("weekly: {{ timezone: {zone}, from: FRI 16:00, to: MON 08:00 }}"),
            6 => format!(
                "weekly: {{ timezone: {zone}, days: [MON, TUE, WED, THU, FRI], from: \"22:00\", to: \"06:00\" }}"
            ),
            7 => format!("dates: {{ timezone: {zone}, from: 2026-12-21, to: 2027-01-01 }}"),
            8 => format!(
                "holidays: {{ timezone: {zone}, dates: [2026-12-24, 2026-12-25, 2026-12-26, 2027-01-01, 2027-04-05] }}"
            ),
            _ => format!("ics: {{ path: company.ics, timezone: {zone} }}"),
        };
        yaml.push_str(&format!(
            "  - name: freeze-{i}\n    pipelines: {pipelines}\n    release_at: next workday 09:00\n    {window}\n"
        ));
    }
    yaml
}

fn tick(c: &mut Criterion) {
    let yaml = config();
    let config = CalendarConfig::from_yaml(&yaml, "bench").unwrap_or_else(|e| panic!("{e}"));
    let calendar = Calendar::new(config, |_| Ok(ICS.to_owned())).unwrap_or_else(|e| panic!("{e}"));
    let parse = |t: &str| t.parse::<Timestamp>().unwrap_or_else(|e| panic!("{e}"));
    // A Friday evening in December: many freezes on, several schedules due.
    let last = parse("2026-12-04T16:59:00Z");
    let now = parse("2026-12-04T17:00:00Z");
    let tick = calendar.evaluate_tick(last, now, &[]);
    assert!(!tick.due.is_empty() && !tick.frozen.is_empty());
    c.bench_function("tick: 100 schedules x 50 freezes", |b| {
        b.iter(|| black_box(calendar.evaluate_tick(black_box(last), black_box(now), &[])))
    });
    // A quiet Tuesday morning: nothing frozen but the .ics walks.
    let last = parse("2026-12-08T09:59:00Z");
    let now = parse("2026-12-08T10:00:00Z");
    c.bench_function("tick: 100 schedules x 50 freezes (weekday)", |b| {
        b.iter(|| black_box(calendar.evaluate_tick(black_box(last), black_box(now), &[])))
    });
}

criterion_group!(benches, tick);
criterion_main!(benches);
