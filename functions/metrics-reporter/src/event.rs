//! The event EventBridge Scheduler sends: `{"scheduled_time": "<aws.scheduler.scheduled-time>"}`
//! (the template puts the context attribute in the target's input), so that a retried run
//! reports on the same day. `day` (`YYYY-MM-DD`) reports on that day instead, for a re-run
//! by hand; an empty object reports on yesterday by the clock.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

/// The run event.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RunEvent {
    /// When the run was scheduled (RFC 3339): the report covers the UTC day before.
    #[serde(default)]
    pub scheduled_time: Option<Timestamp>,
    /// The day to report on, overriding `scheduled_time`.
    #[serde(default)]
    pub day: Option<Date>,
}

impl RunEvent {
    /// The day to report on: `day`, else the UTC day before `scheduled_time` (or `now`).
    pub fn report_day(&self, now: Timestamp) -> Date {
        self.day.unwrap_or_else(|| {
            pipeline_metrics::reporter::day_before(self.scheduled_time.unwrap_or(now))
        })
    }
}

/// The event is not a run event.
#[derive(Debug, thiserror::Error)]
#[error(
    "not a metrics-reporter event (expected {{\"scheduled_time\": \"2026-03-02T00:15:00Z\"}} or {{\"day\": \"2026-03-01\"}})"
)]
pub struct EventError(#[source] serde_json::Error);

/// Parses a run event.
pub fn parse_run(event: serde_json::Value) -> Result<RunEvent, EventError> {
    serde_json::from_value(event).map_err(EventError)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_day_before_the_scheduled_time_or_the_day_given() {
        let now: Timestamp = "2026-05-10T12:00:00Z".parse().unwrap();
        let run = parse_run(serde_json::json!({"scheduled_time": "2026-03-01T00:15:00Z"})).unwrap();
        assert_eq!(run.report_day(now), date(2026, 2, 28));
        let run = parse_run(serde_json::json!({"day": "2026-03-14"})).unwrap();
        assert_eq!(run.report_day(now), date(2026, 3, 14));
        let run = parse_run(serde_json::json!({})).unwrap();
        assert_eq!(run.report_day(now), date(2026, 5, 9));
        assert!(parse_run(serde_json::json!({"scheduled_time": "tomorrow"})).is_err());
        assert!(parse_run(serde_json::json!({"time": "2026-03-29T01:00:00Z"})).is_err());
    }
}
