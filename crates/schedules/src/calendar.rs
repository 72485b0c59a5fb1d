//! The checked calendar: which schedules are due on a tick, and which freezes hold which
//! pipelines until when.

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::config::{
    CalendarConfig, FreezeAction, FreezeConfig, FreezeWindow, HolidayList, ReleaseRule,
    ScheduleConfig, WeeklyWindow,
};
use crate::error::CalendarError;
use crate::expression::resolve_local;
use crate::ics::IcsCalendar;

/// How far `release_at: next workday` looks for a workday before giving up and releasing
/// at the window's end (a year of holidays is a configuration mistake, not a freeze).
const WORKDAY_SEARCH_DAYS: i64 = 366;
/// How many back-to-back freezes one release may be pushed through.
const MAX_CHAINED_FREEZES: usize = 64;

/// A freeze that is on for a pipeline at an instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActiveFreeze {
    /// The freeze's name (the first one in file order that is on).
    pub name: String,
    /// When that freeze's window ends.
    pub window_end: Timestamp,
    /// When holds are released: the window end moved by `release_at`, and past any other
    /// freeze of the pipeline that is on by then.
    pub release_at: Timestamp,
    /// What a push does now.
    pub on_push: FreezeAction,
    /// What a scheduled run does now.
    pub on_schedule: FreezeAction,
}

/// A schedule due on this tick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DueSchedule {
    /// The schedule's position in the configuration.
    pub index: usize,
    /// The schedule's name (its pipeline's when not named).
    pub name: String,
    /// The pipeline to start.
    pub pipeline: String,
    /// The branch to build.
    pub branch: String,
    /// The slot being run: the newest one since the last tick, however many were missed.
    /// It is the start's idempotency key (with the schedule's name).
    pub slot: Timestamp,
    /// Start only if the branch moved since the last execution.
    pub only_if_changed: bool,
    /// Start only if the commits since then touch the pipeline's path filter.
    pub only_if_paths_changed: bool,
    /// The freeze on at the slot, if any (its `on_schedule` says hold or skip).
    pub freeze: Option<ActiveFreeze>,
}

/// A pipeline under a freeze at the tick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PipelineFreeze {
    /// The pipeline.
    pub pipeline: String,
    /// The freeze.
    pub freeze: ActiveFreeze,
}

/// What one tick finds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tick {
    /// The tick's instant.
    pub now: Timestamp,
    /// The schedules with a slot in `(last_tick, now]`, in configuration order.
    pub due: Vec<DueSchedule>,
    /// The pipelines frozen now (those of the schedules, then the extra names given).
    pub frozen: Vec<PipelineFreeze>,
}

/// One stretch of time a pipeline is frozen, for calendars and plans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FreezePeriod {
    /// The freeze on at the period's start (the first in file order).
    pub name: String,
    /// When the period starts (the start of the range asked about, if it started before).
    pub start: Timestamp,
    /// When that freeze's window ends.
    pub window_end: Timestamp,
    /// When holds made during the period are released.
    pub release_at: Timestamp,
}

/// At most this many periods are listed by [`Calendar::freeze_periods`].
const MAX_PERIODS: usize = 10_000;

/// A freeze with its window made ready for evaluation.
#[derive(Clone, Debug)]
struct Freeze {
    config: FreezeConfig,
    window: Window,
}

#[derive(Clone, Debug)]
enum Window {
    Weekly(WeeklyWindow),
    Dates {
        zone: TimeZone,
        start: Timestamp,
        end: Timestamp,
    },
    Holidays(HolidayList),
    Ics {
        zone: TimeZone,
        calendar: IcsCalendar,
    },
}

/// The checked schedules and freezes, ready for ticks and questions.
#[derive(Clone, Debug)]
pub struct Calendar {
    schedules: Vec<ScheduleConfig>,
    freezes: Vec<Freeze>,
}

impl Calendar {
    /// Builds the calendar; `read_ics` returns the text of a freeze's `ics.path`.
    pub fn new(
        config: CalendarConfig,
        mut read_ics: impl FnMut(&str) -> std::io::Result<String>,
    ) -> Result<Self, CalendarError> {
        let mut freezes = Vec::with_capacity(config.freezes.len());
        for freeze in config.freezes {
            let window = match &freeze.window {
                FreezeWindow::Weekly(weekly) => Window::Weekly(weekly.clone()),
                FreezeWindow::Holidays(list) => Window::Holidays(list.clone()),
                FreezeWindow::Dates(range) => {
                    let zone = range.timezone.zone();
                    match (
                        resolve_local(zone, range.start),
                        resolve_local(zone, range.end),
                    ) {
                        (Some(start), Some(end)) => Window::Dates {
                            zone: zone.clone(),
                            start,
                            end,
                        },
                        _ => {
                            return Err(CalendarError::Invalid {
                                file: freeze.name.clone(),
                                location: " ".to_owned(),
                                message: format!("freeze `{}`: dates out of range", freeze.name),
                            });
                        }
                    }
                }
                FreezeWindow::Ics(source) => {
                    let text = read_ics(&source.path).map_err(|e| CalendarError::IcsRead {
                        freeze: freeze.name.clone(),
                        file: source.path.clone(),
                        source: e,
                    })?;
                    let zone = source.timezone.zone().clone();
                    let calendar =
                        IcsCalendar::parse(&text, &zone).map_err(|e| CalendarError::Ics {
                            freeze: freeze.name.clone(),
                            file: source.path.clone(),
                            source: e,
                        })?;
                    Window::Ics { zone, calendar }
                }
            };
            freezes.push(Freeze {
                config: freeze,
                window,
            });
        }
        Ok(Self {
            schedules: config.schedules,
            freezes,
        })
    }

    /// Reads a YAML file of `schedules` and `freezes`; .ics paths are relative to its
    /// folder.
    pub fn from_path(path: &Path) -> Result<Self, CalendarError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CalendarError::Read {
            file: file.clone(),
            source,
        })?;
        let config = CalendarConfig::from_yaml(&text, &file)?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::new(config, |ics| std::fs::read_to_string(base.join(ics)))
    }

    /// The schedules, in configuration order.
    pub fn schedules(&self) -> &[ScheduleConfig] {
        &self.schedules
    }

    /// The freezes, in configuration order.
    pub fn freezes(&self) -> impl Iterator<Item = &FreezeConfig> {
        self.freezes.iter().map(|f| &f.config)
    }

    /// The freeze on for `pipeline` at `at`, if any, with when its holds are released.
    ///
    /// When several are on, the first in file order is named; the release time is pushed
    /// through every freeze of the pipeline that is still on at it (a weekend freeze
    /// ending into a holiday releases after the holiday).
    pub fn freeze_at(&self, pipeline: &str, at: Timestamp) -> Option<ActiveFreeze> {
        let (first, window_end) = self
            .freezes
            .iter()
            .filter(|f| f.config.applies_to(pipeline))
            .find_map(|f| f.window_end_at(at).map(|end| (f, end)))?;
        let mut release_at = self.release(first, pipeline, window_end);
        for _ in 0..MAX_CHAINED_FREEZES {
            let later = self
                .freezes
                .iter()
                .filter(|f| f.config.applies_to(pipeline))
                .filter_map(|f| {
                    f.window_end_at(release_at)
                        .map(|end| self.release(f, pipeline, end))
                })
                .filter(|r| *r > release_at)
                .max();
            match later {
                Some(later) => release_at = later,
                None => break,
            }
        }
        Some(ActiveFreeze {
            name: first.config.name.clone(),
            window_end,
            release_at,
            on_push: first.config.on_push,
            on_schedule: first.config.on_schedule,
        })
    }

    /// The stretches of `[from, until)` during which `pipeline` is frozen, in order: each
    /// is the freeze on at its start and the window's end, so back-to-back freezes are
    /// listed one after the other.
    pub fn freeze_periods(
        &self,
        pipeline: &str,
        from: Timestamp,
        until: Timestamp,
    ) -> Vec<FreezePeriod> {
        let mut periods = Vec::new();
        let mut at = from;
        while at < until && periods.len() < MAX_PERIODS {
            if let Some(active) = self.freeze_at(pipeline, at) {
                if active.window_end <= at {
                    break;
                }
                periods.push(FreezePeriod {
                    name: active.name,
                    start: at,
                    window_end: active.window_end,
                    release_at: active.release_at,
                });
                at = active.window_end;
                continue;
            }
            let next = self
                .freezes
                .iter()
                .filter(|f| f.config.applies_to(pipeline))
                .filter_map(|f| f.next_start_after(at))
                .min();
            match next {
                Some(next) if next > at => at = next,
                _ => break,
            }
        }
        periods
    }

    /// Whether `date` is a workday for `pipeline`: Monday to Friday and not a holiday of
    /// a holiday list or an all-day .ics event attached to it.
    pub fn is_workday(&self, pipeline: &str, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self
                .freezes
                .iter()
                .filter(|f| f.config.applies_to(pipeline))
                .any(|f| f.is_holiday(date))
    }

    /// What is due and what is frozen on a tick at `now`, the previous tick having been
    /// evaluated at `last_tick` (with none stored, pass `now` less the tick period). A
    /// schedule with slots in `(last_tick, now]` is due once, at its newest slot.
    /// `pipelines` adds pipelines to report freezes for (those holding pushes) to the
    /// schedules' own.
    pub fn evaluate_tick(&self, last_tick: Timestamp, now: Timestamp, pipelines: &[&str]) -> Tick {
        let due = self
            .schedules
            .iter()
            .enumerate()
            .filter_map(|(index, schedule)| {
                let slot = schedule.due_slot(last_tick, now)?;
                Some(DueSchedule {
                    index,
                    name: schedule.display_name().to_owned(),
                    pipeline: schedule.pipeline.clone(),
                    branch: schedule.branch.clone(),
                    slot,
                    only_if_changed: schedule.only_if_changed,
                    only_if_paths_changed: schedule.only_if_paths_changed,
                    freeze: self.freeze_at(&schedule.pipeline, slot),
                })
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        let frozen = self
            .schedules
            .iter()
            .map(|s| s.pipeline.as_str())
            .chain(pipelines.iter().copied())
            .filter(|p| seen.insert(*p))
            .filter_map(|pipeline| {
                self.freeze_at(pipeline, now).map(|freeze| PipelineFreeze {
                    pipeline: pipeline.to_owned(),
                    freeze,
                })
            })
            .collect();
        Tick { now, due, frozen }
    }

    fn release(&self, freeze: &Freeze, pipeline: &str, window_end: Timestamp) -> Timestamp {
        let ReleaseRule::NextWorkday(time) = freeze.config.release_at else {
            return window_end;
        };
        let zone = freeze.zone();
        let first = zone.to_datetime(window_end).date();
        (0..WORKDAY_SEARCH_DAYS)
            .filter_map(|days| first.checked_add(jiff::Span::new().days(days)).ok())
            .filter(|date| self.is_workday(pipeline, *date))
            .filter_map(|date| resolve_local(zone, date.to_datetime(time)))
            .find(|release| *release >= window_end)
            .unwrap_or(window_end)
    }
}

impl ScheduleConfig {
    /// The runs strictly after `after`, in order.
    pub fn runs_after(&self, after: Timestamp) -> impl Iterator<Item = Timestamp> + '_ {
        let zone = self.timezone.zone();
        std::iter::successors(self.expression.next_after(zone, after), move |previous| {
            self.expression.next_after(zone, *previous)
        })
    }

    /// The slot due on a tick at `now` after one at `last_tick`: the newest slot in
    /// `(last_tick, now]`, once, however many were missed.
    pub fn due_slot(&self, last_tick: Timestamp, now: Timestamp) -> Option<Timestamp> {
        if now <= last_tick {
            return None;
        }
        self.expression
            .newest_between(self.timezone.zone(), last_tick, now)
    }
}

impl Freeze {
    fn zone(&self) -> &TimeZone {
        match &self.window {
            Window::Weekly(weekly) => weekly.timezone.zone(),
            Window::Holidays(list) => list.timezone.zone(),
            Window::Ics { zone, .. } => zone,
            Window::Dates { zone, .. } => zone,
        }
    }

    /// The end of the window that covers `at`, if one does.
    fn window_end_at(&self, at: Timestamp) -> Option<Timestamp> {
        match &self.window {
            Window::Weekly(weekly) => weekly_end_at(weekly, at),
            Window::Dates { start, end, .. } => (*start <= at && at < *end).then_some(*end),
            Window::Holidays(list) => {
                let zone = list.timezone.zone();
                let date = zone.to_datetime(at).date();
                if !list.dates.contains(&date) {
                    return None;
                }
                resolve_local(zone, date.tomorrow().ok()?.to_datetime(Time::midnight()))
            }
            Window::Ics { calendar, .. } => calendar.covering(at),
        }
    }

    /// The first instant after `after` at which a window of the freeze starts.
    fn next_start_after(&self, after: Timestamp) -> Option<Timestamp> {
        match &self.window {
            Window::Weekly(weekly) => weekly_next_start(weekly, after),
            Window::Dates { start, .. } => (*start > after).then_some(*start),
            Window::Holidays(list) => {
                let zone = list.timezone.zone();
                let today = zone.to_datetime(after).date();
                list.dates
                    .range(today..)
                    .filter_map(|date| resolve_local(zone, date.to_datetime(Time::midnight())))
                    .find(|start| *start > after)
            }
            Window::Ics { calendar, .. } => calendar.next_start_after(after),
        }
    }

    fn is_holiday(&self, date: Date) -> bool {
        match &self.window {
            Window::Holidays(list) => list.dates.contains(&date),
            Window::Ics { calendar, .. } => calendar.is_holiday(date),
            Window::Weekly(_) | Window::Dates { .. } => false,
        }
    }
}

fn weekly_end_at(weekly: &WeeklyWindow, at: Timestamp) -> Option<Timestamp> {
    let zone = weekly.timezone.zone();
    let today = zone.to_datetime(at).date();
    let mut latest = None;
    for span in &weekly.spans {
        let back = i64::from(
            (today.weekday().to_monday_zero_offset() - span.start_day.to_monday_zero_offset())
                .rem_euclid(7),
        );
        // This week's start of the span, and last week's (a span reaching into today).
        for days_back in [back, back + 7] {
            let Ok(start_date) = today.checked_sub(jiff::Span::new().days(days_back)) else {
                continue;
            };
            let Ok(end_date) =
                start_date.checked_add(jiff::Span::new().days(i64::from(span.end_days)))
            else {
                continue;
            };
            let (Some(start), Some(end)) = (
                resolve_local(zone, start_date.to_datetime(span.start)),
                resolve_local(zone, end_date.to_datetime(span.end)),
            ) else {
                continue;
            };
            if start <= at && at < end {
                latest = latest.max(Some(end));
            }
        }
    }
    latest
}

fn weekly_next_start(weekly: &WeeklyWindow, after: Timestamp) -> Option<Timestamp> {
    let zone = weekly.timezone.zone();
    let today = zone.to_datetime(after).date();
    weekly
        .spans
        .iter()
        .flat_map(|span| {
            let ahead = i64::from(
                (span.start_day.to_monday_zero_offset() - today.weekday().to_monday_zero_offset())
                    .rem_euclid(7),
            );
            [ahead, ahead + 7].map(|days| {
                today
                    .checked_add(jiff::Span::new().days(days))
                    .ok()
                    .and_then(|date| resolve_local(zone, date.to_datetime(span.start)))
            })
        })
        .flatten()
        .filter(|start| *start > after)
        .min()
}
