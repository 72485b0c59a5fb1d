//! The event EventBridge Scheduler sends: `{"scheduled_time": "<aws.scheduler.scheduled-time>"}`
//! (the template puts the context attribute in the target's input), so that a retry of a
//! tick carries the same time. An empty object ticks at the clock's time.

use pipeline_schedules::jiff::Timestamp;
use serde::Deserialize;

/// The tick event.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TickEvent {
    /// When the tick was scheduled (RFC 3339); `None`: now.
    #[serde(default)]
    pub scheduled_time: Option<Timestamp>,
}

/// The event is not a tick.
#[derive(Debug, thiserror::Error)]
#[error("not a scheduler tick (expected {{\"scheduled_time\": \"2026-03-02T10:00:00Z\"}}): {0}")]
pub struct EventError(#[from] serde_json::Error);

/// Parses a tick event.
pub fn parse_tick(event: serde_json::Value) -> Result<TickEvent, EventError> {
    Ok(serde_json::from_value(event)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_carry_their_scheduled_time_or_none() {
        let tick = parse_tick(serde_json::json!({"scheduled_time": "2026-03-29T01:00:00Z"}));
        assert_eq!(
            tick.ok()
                .and_then(|t| t.scheduled_time)
                .map(|t| t.to_string()),
            Some("2026-03-29T01:00:00Z".to_owned())
        );
        assert_eq!(
            parse_tick(serde_json::json!({})).ok(),
            Some(TickEvent::default())
        );
        assert!(parse_tick(serde_json::json!({"scheduled_time": "tomorrow"})).is_err());
        assert!(parse_tick(serde_json::json!({"time": "2026-03-29T01:00:00Z"})).is_err());
    }
}
