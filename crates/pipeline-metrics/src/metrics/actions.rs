//! Actions over the whole history: success and failure counts per action, failure
//! hotspots first, with the last failure's error (see [the module docs](super)).

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use super::outcomes::{Outcome, OutcomeCounts, step_outcome_rows};
use crate::event::{ExecutionState, Level};
use crate::row::Row;

/// Success and failure of one action over the whole history.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionStats {
    /// Pipeline name.
    pub pipeline: String,
    /// Stage name.
    pub stage: String,
    /// Action name.
    pub action: String,
    /// Provider of its latest outcome row that names one.
    pub provider: Option<String>,
    /// Outcome rows by outcome.
    pub counts: OutcomeCounts,
    /// When it last failed.
    pub last_failure: Option<Timestamp>,
    /// Error code of the last failure.
    pub last_error_code: Option<String>,
    /// Error summary of the last failure.
    pub last_error_summary: Option<String>,
}

/// Every action with at least one outcome row ([`step_outcome_rows`]: one per attempt and
/// state, in-progress states left out), hotspots first: sorted by failures (descending),
/// failure rate (descending), then pipeline, stage, action.
pub fn action_stats(rows: &[Row]) -> Vec<ActionStats> {
    let mut map: BTreeMap<(&str, &str, &str), ActionStats> = BTreeMap::new();
    let mut provider_at: HashMap<(&str, &str, &str), Timestamp> = HashMap::new();
    for r in step_outcome_rows(rows, Level::Action) {
        let (Some(stage), Some(action)) = (r.stage.as_deref(), r.action.as_deref()) else {
            continue;
        };
        let key = (r.pipeline.as_str(), stage, action);
        let stats = map.entry(key).or_insert_with(|| ActionStats {
            pipeline: r.pipeline.clone(),
            stage: stage.to_owned(),
            action: action.to_owned(),
            provider: None,
            counts: OutcomeCounts::default(),
            last_failure: None,
            last_error_code: None,
            last_error_summary: None,
        });
        stats.counts.add(Outcome::of(&r.state));
        if r.action_provider.is_some() && provider_at.get(&key).is_none_or(|t| *t <= r.event_time) {
            provider_at.insert(key, r.event_time);
            stats.provider = r.action_provider.clone();
        }
        if r.state == ExecutionState::Failed && stats.last_failure.is_none_or(|t| t <= r.event_time)
        {
            stats.last_failure = Some(r.event_time);
            stats.last_error_code = r.error_code.clone();
            stats.last_error_summary = r.error_summary.clone();
        }
    }
    let mut out: Vec<ActionStats> = map.into_values().collect();
    out.sort_by(|a, b| {
        b.counts
            .failed
            .cmp(&a.counts.failed)
            .then_with(|| {
                let ra = a.counts.failure_rate().unwrap_or(0.0);
                let rb = b.counts.failure_rate().unwrap_or(0.0);
                rb.total_cmp(&ra)
            })
            .then_with(|| {
                (&a.pipeline, &a.stage, &a.action).cmp(&(&b.pipeline, &b.stage, &b.action))
            })
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::ts;
    use crate::metrics::history::{BUILD, PROD, history};

    #[test]
    fn action_failure_hotspots() {
        let stats = action_stats(&history().rows);
        let names: Vec<(&str, &str)> = stats
            .iter()
            .map(|a| (a.pipeline.as_str(), a.action.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                // 2 failed of 5: P2, P3 failed; P1, P4, P6 succeeded.
                (PROD, "DeployToProd"),
                // 1 failed of 3: B1 ok, B2 failed then ok on retry.
                (BUILD, "UnitTests"),
                // No failures: ordered by pipeline name.
                (BUILD, "Source"),
                (PROD, "Source"),
            ]
        );
        assert_eq!(stats[0].counts.failed, 2);
        assert_eq!(stats[0].counts.succeeded, 3);
        assert_eq!(stats[0].counts.failure_rate(), Some(2.0 / 5.0));
        assert_eq!(stats[1].counts.failure_rate(), Some(1.0 / 3.0));
        assert_eq!(stats[0].provider.as_deref(), Some("CodeBuild"));
        // The last failure is P3's at 03-03 09:19.
        assert_eq!(stats[0].last_failure, Some(ts("2026-03-03T09:19:00Z")));
        assert_eq!(stats[0].last_error_code.as_deref(), Some("JobFailed"));
        assert_eq!(stats[0].last_error_summary.as_deref(), Some("tests failed"));
        // Source actions: 5 in prod (P1, P2, P3, P4, P6), 2 in build (B1, B2).
        assert_eq!(stats[3].counts.succeeded, 5);
        assert_eq!(stats[2].counts.succeeded, 2);
    }
}
