//! "Now", behind a trait: the functions read the system clock, tests and the CLI's
//! `--now` a fixed one.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the current time comes from.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// The current time in whole seconds since the Unix epoch (0 before it).
    fn unix_seconds(&self) -> i64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or_default()
    }

    /// The time left until `deadline`; `None` once it has passed.
    fn until(&self, deadline: SystemTime) -> Option<Duration> {
        deadline.duration_since(self.now()).ok()
    }
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that always says the same time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedClock(pub SystemTime);

impl FixedClock {
    /// A clock stopped at `seconds` after the Unix epoch (before it when negative).
    pub fn at_unix_seconds(seconds: i64) -> Self {
        let offset = Duration::from_secs(seconds.unsigned_abs());
        Self(if seconds >= 0 {
            UNIX_EPOCH + offset
        } else {
            UNIX_EPOCH - offset
        })
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_says_its_time_in_unix_seconds() {
        assert_eq!(
            FixedClock::at_unix_seconds(1_531_420_618).unix_seconds(),
            1_531_420_618
        );
        assert_eq!(FixedClock::at_unix_seconds(-5).unix_seconds(), 0);
    }

    #[test]
    fn time_left_is_none_once_the_deadline_has_passed() {
        let clock = FixedClock::at_unix_seconds(100);
        assert_eq!(
            clock.until(UNIX_EPOCH + Duration::from_secs(103)),
            Some(Duration::from_secs(3))
        );
        assert_eq!(clock.until(UNIX_EPOCH + Duration::from_secs(99)), None);
    }

    #[test]
    fn the_system_clock_is_after_this_code_was_written() {
        assert!(SystemClock.unix_seconds() > 1_700_000_000);
    }
}
