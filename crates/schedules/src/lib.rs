//! Scheduled runs and change freezes: the time logic, with no Lambda, AWS SDK or store.
//!
//! This is the rules reference for the `schedules` and `freezes` sections of the routing
//! rules file. [`Calendar::evaluate_tick`] is what a scheduler calls once a tick;
//! [`Calendar::freeze_at`] is what a push's routing asks.
//!
//! ```yaml
//! schedules:
//!   - pipeline: api-deploy
//!     name: api-nightly                 # optional; the pipeline's name by default
//!     expression: cron(0 2 ? * MON-FRI *)
//!     timezone: Europe/Berlin           # IANA name; default UTC
//!     branch: main
//!     only_if_changed: true             # skip when the head is what the last run built
//!     only_if_paths_changed: false      # skip unless the new commits touch its paths
//!   - pipeline: docs-publish
//!     expression: rate(6 hours)
//!     branch: main
//!
//! freezes:
//!   - name: weekend
//!     pipelines: ["api-*", web-deploy]  # names or globs (* and ?)
//!     on_push: hold                     # hold (default) or skip
//!     on_schedule: skip                 # hold (default) or skip
//!     release_at: next workday 09:00    # or `window end` (default)
//!     weekly:
//!       timezone: Europe/Berlin
//!       from: FRI 16:00
//!       to: MON 08:00
//!   - name: nights
//!     pipelines: ["*"]
//!     weekly:
//!       timezone: America/New_York
//!       days: [MON, TUE, WED, THU, FRI]
//!       from: "22:00"                   # to before from: ends the next day
//!       to: "06:00"
//!   - name: year-end
//!     pipelines: ["*"]
//!     dates: { timezone: Europe/Berlin, from: 2026-12-21, to: 2027-01-01 }
//!   - name: public-holidays
//!     pipelines: ["*"]
//!     holidays: { timezone: Europe/Berlin, dates: [2026-12-25, 2026-12-26, 2027-04-05] }
//!   - name: company-calendar
//!     pipelines: ["*"]
//!     ics: { path: calendars/company.ics, timezone: Europe/Berlin }
//! ```
//!
//! # Schedules
//! `expression` is EventBridge syntax. `cron(minutes hours day-of-month month day-of-week
//! year)` has six fields, `*`, `?`, ranges `a-b`, lists `a,b`, steps `*/15` and `5/15`,
//! month names `JAN`-`DEC` and day names `SUN`-`SAT` (1 = Sunday), and exactly one of
//! day-of-month and day-of-week must be `?`. `L`, `W` and `#` are supported as in
//! EventBridge, each standing alone in its field: `L` (last day of the month), `15W` (the
//! weekday nearest the 15th), day-of-week `L` (Saturday), `6L` (the last Friday), `2#1`
//! (the first Monday). Years run 1970-2199. The fields are read in `timezone`.
//! `rate(value unit)` takes `minute`/`minutes`, `hour`/`hours`, `day`/`days` (singular
//! for 1, as EventBridge requires); its slots are the multiples of the period counted from
//! 1970-01-01T00:00Z (`rate(1 day)` is 00:00 UTC), so they are the same on every tick.
//!
//! **Daylight saving time.** A local time that does not exist (the hour skipped on the
//! spring change, 02:30 in Europe/Berlin on the last Sunday of March) runs at the next
//! valid minute, the end of the gap (03:00); several slots inside the gap run once there.
//! EventBridge Scheduler skips such a run instead. A local time that happens twice (the
//! repeated hour of the autumn change) runs once, at its first occurrence.
//!
//! **Catch-up.** A tick evaluates the slots in `(last_tick, now]`. When ticks were missed
//! (throttling, an outage) and a schedule had several slots in between, it is due once,
//! at the newest slot, not once per missed slot. The slot's instant is the start's
//! idempotency key, so two overlapping ticks that see the same slot start it once.
//!
//! # Freezes
//! Each freeze has a name, `pipelines` (names or globs), and exactly one window:
//! - `weekly`: `from: DAY HH:MM` and `to: DAY HH:MM` (one span, crossing midnight and the
//!   weekend as needed: `FRI 16:00` to `MON 08:00`), or `days: [...]` with `from: HH:MM`
//!   and `to: HH:MM` (one span per day; a `to` at or before `from` ends the next day).
//! - `dates`: `from` and `to` as `YYYY-MM-DD` (a date `to` includes that day) or
//!   `YYYY-MM-DDTHH:MM` (the first minute after the freeze).
//! - `holidays`: `dates`, whole local days.
//! - `ics`: an iCalendar file, relative to the rules file (see [`ics`] for what is read);
//!   `timezone` is for its dates and floating times.
//!
//! Times are local to the window's `timezone` (default UTC), with the same DST rules as
//! schedules. `on_push` and `on_schedule` say whether a push, or a scheduled run, inside
//! the freeze is held (the default; started at the release) or skipped.
//! `release_at: next workday HH:MM` releases at that local time on the first workday at or
//! after the window's end: Monday to Friday, and not a day of a `holidays` list or of an
//! all-day .ics event attached to the same pipeline (a holiday on Monday moves a weekend
//! freeze's release to Tuesday 09:00). A release that falls inside another freeze of the
//! pipeline moves past it too.
//!
//! Invalid input is an error naming the file, line and column: unknown time zones,
//! invalid expressions, empty windows (`from` equal to `to`, an empty `days` or `dates`
//! list, a range that ends before it starts), impossible dates (2027-02-29), a freeze
//! with no window or several, and malformed .ics files (with the .ics line).
//!
//! # Compared with CodePipeline's `DeploymentWindow`
//! CodePipeline's `DeploymentWindow` stage condition takes one cron of *allowed* times
//! and a time zone: no holidays, no several windows per stage, no release rule, and a run
//! outside the window just waits at the stage without anyone being told. Here a pipeline
//! can have any number of named freezes (weekly, ranges, holiday lists, .ics calendars),
//! the release skips weekends and holidays, and the push is held before the pipeline
//! starts, so the wiring can announce it and start the newest held commit at release.

pub mod calendar;
pub mod config;
pub mod error;
pub mod expression;
pub mod holds;
pub mod ics;

pub use calendar::{ActiveFreeze, Calendar, DueSchedule, FreezePeriod, PipelineFreeze, Tick};
pub use config::{
    CalendarConfig, DateRange, FreezeAction, FreezeConfig, FreezeWindow, HolidayList, IcsSource,
    PipelinePattern, ReleaseRule, ScheduleConfig, WeeklySpan, WeeklyWindow, Zone,
};
pub use error::CalendarError;
pub use expression::{Expression, ExpressionError};
pub use holds::{
    Hold, HoldKey, HoldStore, HoldStoreError, HoldWrite, MemoryHoldStore, RELEASE_LEASE,
    ReleaseRecord,
};
pub use ics::{IcsCalendar, IcsError};
/// The time crate of the API, re-exported so callers use the same `Timestamp`.
pub use jiff;

#[cfg(test)]
mod tests;
