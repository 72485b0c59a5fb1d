//! Durations of succeeded executions: nearest-rank percentiles per pipeline and the
//! daily median per pipeline (see [the module docs](super)).

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::executions::Execution;
use super::outcomes::Outcome;

/// The nearest-rank `pct`-th percentile (1 to 100) of `values`: the value at 1-based rank
/// `(pct * n + 99) / 100` of the sorted values. `None` if `values` is empty or `pct` is
/// out of range.
pub fn percentile(values: &[f64], pct: u32) -> Option<f64> {
    if values.is_empty() || !(1..=100).contains(&pct) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as u64;
    let rank = (u64::from(pct) * n).div_ceil(100).clamp(1, n);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// Duration percentiles of one pipeline's succeeded executions, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct DurationStats {
    /// Pipeline name.
    pub pipeline: String,
    /// Succeeded executions measured.
    pub count: usize,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// Durations of the succeeded executions of one group, if there are any.
fn stats_of(pipeline: &str, durations: &[f64]) -> Option<DurationStats> {
    Some(DurationStats {
        pipeline: pipeline.to_owned(),
        count: durations.len(),
        p50: percentile(durations, 50)?,
        p90: percentile(durations, 90)?,
        p95: percentile(durations, 95)?,
    })
}

/// Duration percentiles per pipeline over its succeeded executions, sorted by pipeline.
pub fn duration_stats(executions: &[Execution]) -> Vec<DurationStats> {
    let mut map: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for e in executions {
        if let (Outcome::Succeeded, Some(d)) = (e.outcome, e.duration_seconds()) {
            map.entry(e.pipeline.as_str()).or_default().push(d);
        }
    }
    map.into_iter()
        .filter_map(|(pipeline, durations)| stats_of(pipeline, &durations))
        .collect()
}

/// Median duration of one pipeline's succeeded executions that started on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct DurationPoint {
    /// UTC start day.
    pub day: Date,
    /// Pipeline name.
    pub pipeline: String,
    /// Succeeded executions that day.
    pub count: usize,
    /// Their median duration in seconds.
    pub p50: f64,
}

/// Daily median duration per pipeline (succeeded executions, by start day), sorted by
/// pipeline then day.
pub fn duration_trend(executions: &[Execution]) -> Vec<DurationPoint> {
    let mut map: BTreeMap<(&str, Date), Vec<f64>> = BTreeMap::new();
    for e in executions {
        if let (Outcome::Succeeded, Some(d)) = (e.outcome, e.duration_seconds()) {
            map.entry((e.pipeline.as_str(), e.day()))
                .or_default()
                .push(d);
        }
    }
    map.into_iter()
        .filter_map(|((pipeline, day), durations)| {
            Some(DurationPoint {
                day,
                pipeline: pipeline.to_owned(),
                count: durations.len(),
                p50: percentile(&durations, 50)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::executions;
    use crate::metrics::history::{BUILD, PROD, history};
    use jiff::civil::date;

    #[test]
    fn nearest_rank_percentiles() {
        let v = [15.0, 20.0, 35.0, 40.0, 50.0];
        // n = 5: p30 -> rank ceil(1.5) = 2 -> 20; p50 -> ceil(2.5) = 3 -> 35;
        // p90 -> ceil(4.5) = 5 -> 50; p100 -> 5 -> 50; p1 -> 1 -> 15.
        assert_eq!(percentile(&v, 30), Some(20.0));
        assert_eq!(percentile(&v, 50), Some(35.0));
        assert_eq!(percentile(&v, 90), Some(50.0));
        assert_eq!(percentile(&v, 100), Some(50.0));
        assert_eq!(percentile(&v, 1), Some(15.0));
        // n = 10, p90 -> rank 9 exactly (no floating point rounding up to 10).
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&ten, 90), Some(9.0));
        assert_eq!(percentile(&ten, 95), Some(10.0));
        // Unsorted input.
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 50), Some(2.0));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&v, 0), None);
        assert_eq!(percentile(&v, 101), None);
    }

    #[test]
    fn duration_percentiles_per_pipeline() {
        let stats = duration_stats(&executions(&history().rows));
        assert_eq!(stats.len(), 2);
        // build: B1 600, B2 1080 (B3 stopped, not counted). n = 2:
        // p50 rank ceil(1.0) = 1 -> 600; p90 rank ceil(1.8) = 2 -> 1080; p95 -> 1080.
        assert_eq!(
            stats[0],
            DurationStats {
                pipeline: BUILD.into(),
                count: 2,
                p50: 600.0,
                p90: 1080.0,
                p95: 1080.0
            }
        );
        // deploy-prod: P1 600, P4 900, P6 720 -> sorted [600, 720, 900]. n = 3:
        // p50 rank ceil(1.5) = 2 -> 720; p90 rank ceil(2.7) = 3 -> 900; p95 -> 900.
        assert_eq!(
            stats[1],
            DurationStats {
                pipeline: PROD.into(),
                count: 3,
                p50: 720.0,
                p90: 900.0,
                p95: 900.0
            }
        );
        let trend = duration_trend(&executions(&history().rows));
        let prod: Vec<(Date, f64)> = trend
            .iter()
            .filter(|p| p.pipeline == PROD)
            .map(|p| (p.day, p.p50))
            .collect();
        assert_eq!(
            prod,
            [
                (date(2026, 3, 2), 600.0),
                (date(2026, 3, 3), 900.0),
                (date(2026, 3, 4), 720.0)
            ]
        );
    }
}
