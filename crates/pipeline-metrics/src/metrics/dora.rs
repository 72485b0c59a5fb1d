//! DORA: deployment frequency, lead time for changes, failed deployment recovery time
//! (formerly "time to restore") and change failure rate of the production pipelines over
//! a period, and their tiers (see [the module docs](super)).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;

use super::durations::percentile;
use super::executions::Execution;
use super::outcomes::{Outcome, OutcomeCounts, fill_days};

/// A DORA performance tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Elite.
    Elite,
    /// High.
    High,
    /// Medium.
    Medium,
    /// Low.
    Low,
}

impl Tier {
    /// `elite`, `high`, `medium` or `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Elite => "elite",
            Tier::High => "high",
            Tier::Medium => "medium",
            Tier::Low => "low",
        }
    }
}

const HOUR: f64 = 3600.0;
const DAY: f64 = 24.0 * HOUR;

/// Tier of a deployment frequency in deployments per day (see the module docs).
pub fn deployment_frequency_tier(per_day: f64) -> Tier {
    if per_day >= 1.0 {
        Tier::Elite
    } else if per_day >= 1.0 / 30.0 {
        Tier::High
    } else if per_day >= 1.0 / 182.0 {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// Tier of a median lead time in seconds (see the module docs).
pub fn lead_time_tier(seconds: f64) -> Tier {
    if seconds < HOUR {
        Tier::Elite
    } else if seconds < 7.0 * DAY {
        Tier::High
    } else if seconds < 182.0 * DAY {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// Tier of a median failed deployment recovery time in seconds (see the module docs).
pub fn failed_deployment_recovery_tier(seconds: f64) -> Tier {
    if seconds < HOUR {
        Tier::Elite
    } else if seconds < DAY {
        Tier::High
    } else if seconds < 7.0 * DAY {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// Tier of a change failure rate between 0 and 1 (see the module docs).
pub fn change_failure_rate_tier(rate: f64) -> Tier {
    if rate <= 0.15 {
        Tier::Elite
    } else if rate <= 0.30 {
        Tier::High
    } else if rate <= 0.45 {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// What the DORA metrics count as production, and over which days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DoraConfig {
    /// Pipelines whose executions deploy to production.
    pub production_pipelines: BTreeSet<String>,
    /// First and last day (inclusive); default: the days the executions span.
    pub period: Option<(Date, Date)>,
}

/// One DORA metric: its value, how many observations it rests on, and its tier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoraMetric {
    /// The value (unit per metric); `None` without observations.
    pub value: Option<f64>,
    /// Observations (deployments, lead times, restores, completed deployments).
    pub samples: u64,
    /// The tier of the value; `None` without a value.
    pub tier: Option<Tier>,
}

impl DoraMetric {
    fn new(value: Option<f64>, samples: u64, tier: fn(f64) -> Tier) -> Self {
        DoraMetric {
            value,
            samples,
            tier: value.map(tier),
        }
    }
}

/// The four DORA metrics over a period (see the module docs for each definition).
#[derive(Debug, Clone, PartialEq)]
pub struct Dora {
    /// First day of the period.
    pub period_start: Date,
    /// Last day of the period (inclusive).
    pub period_end: Date,
    /// Days in the period.
    pub days: u32,
    /// Production pipelines.
    pub production_pipelines: Vec<String>,
    /// Deployments per week (per day times 7).
    pub deployments_per_week: f64,
    /// Deployments per day; `samples` is the number of deployments.
    pub deployment_frequency: DoraMetric,
    /// Median lead time in seconds; `samples` is the number of deployments measured.
    pub lead_time: DoraMetric,
    /// Median failed deployment recovery time (formerly "time to restore") in seconds;
    /// `samples` is the number of recoveries.
    pub failed_deployment_recovery: DoraMetric,
    /// Failures not followed by a success (not recovered) before the end of the period.
    pub unrecovered_failures: u64,
    /// Failed / completed deployments (0 to 1); `samples` is the completed deployments.
    pub change_failure_rate: DoraMetric,
    /// Successful production executions per day of their end, every day of the period.
    pub deployments_per_day: Vec<(Date, OutcomeCounts)>,
}

/// The DORA metrics of the production pipelines; `None` when no production pipeline is
/// configured, or no period is given and there are no executions to derive one from.
pub fn dora(executions: &[Execution], config: &DoraConfig) -> Option<Dora> {
    if config.production_pipelines.is_empty() {
        return None;
    }
    let (period_start, period_end) = match config.period {
        Some(period) => period,
        None => {
            let days = executions
                .iter()
                .flat_map(|e| [Some(e.day()), e.end.map(crate::utc::day)])
                .flatten();
            let first = days.clone().min()?;
            let last = days.max()?;
            (first, last)
        }
    };
    let days = u32::try_from(period_end.since(period_start).ok()?.get_days() + 1)
        .ok()
        .filter(|d| *d > 0)?;
    let in_period = |t: Timestamp| (period_start..=period_end).contains(&crate::utc::day(t));

    // Completed production executions in the period, in end order.
    let mut completed: Vec<(&Execution, Timestamp)> = executions
        .iter()
        .filter(|e| config.production_pipelines.contains(&e.pipeline))
        .filter(|e| matches!(e.outcome, Outcome::Succeeded | Outcome::Failed))
        .filter_map(|e| e.end.filter(|t| in_period(*t)).map(|end| (e, end)))
        .collect();
    completed.sort_by(|(a, ea), (b, eb)| {
        (ea, &a.pipeline, &a.execution_id).cmp(&(eb, &b.pipeline, &b.execution_id))
    });

    // Deployment frequency.
    let deployments: Vec<&(&Execution, Timestamp)> = completed
        .iter()
        .filter(|(e, _)| e.outcome == Outcome::Succeeded)
        .collect();
    let deployment_count = deployments.len() as u64;
    let per_day = deployment_count as f64 / f64::from(days);

    // Lead time: change start = earliest start of any execution with the same commit.
    let mut change_start: HashMap<&str, Timestamp> = HashMap::new();
    for e in executions {
        if let Some(commit) = e.commit_id.as_deref() {
            change_start
                .entry(commit)
                .and_modify(|t| *t = (*t).min(e.start))
                .or_insert(e.start);
        }
    }
    let lead_times: Vec<f64> = deployments
        .iter()
        .map(|(e, end)| {
            let origin = e
                .commit_id
                .as_deref()
                .and_then(|c| change_start.get(c).copied())
                .unwrap_or(e.start)
                .min(e.start);
            end.duration_since(origin).as_secs_f64()
        })
        .collect();

    // Failed deployment recovery time, per pipeline.
    let mut open: BTreeMap<&str, Timestamp> = BTreeMap::new();
    let mut restores = Vec::new();
    for (e, end) in &completed {
        match e.outcome {
            Outcome::Failed => {
                open.entry(e.pipeline.as_str()).or_insert(*end);
            }
            Outcome::Succeeded => {
                if let Some(failed_at) = open.remove(e.pipeline.as_str()) {
                    restores.push(end.duration_since(failed_at).as_secs_f64());
                }
            }
            _ => {}
        }
    }

    // Change failure rate.
    let failed = completed
        .iter()
        .filter(|(e, _)| e.outcome == Outcome::Failed)
        .count() as u64;
    let total = completed.len() as u64;
    let cfr = (total > 0).then(|| failed as f64 / total as f64);

    // Deployments per day (end day), every day of the period.
    let mut per_day_map: BTreeMap<Date, OutcomeCounts> = BTreeMap::new();
    per_day_map.insert(period_start, OutcomeCounts::default());
    per_day_map.insert(period_end, OutcomeCounts::default());
    for (e, end) in &completed {
        per_day_map
            .entry(crate::utc::day(*end))
            .or_default()
            .add(e.outcome);
    }

    Some(Dora {
        period_start,
        period_end,
        days,
        production_pipelines: config.production_pipelines.iter().cloned().collect(),
        deployments_per_week: per_day * 7.0,
        deployment_frequency: DoraMetric::new(
            Some(per_day),
            deployment_count,
            deployment_frequency_tier,
        ),
        lead_time: DoraMetric::new(
            percentile(&lead_times, 50),
            lead_times.len() as u64,
            lead_time_tier,
        ),
        failed_deployment_recovery: DoraMetric::new(
            percentile(&restores, 50),
            restores.len() as u64,
            failed_deployment_recovery_tier,
        ),
        unrecovered_failures: open.len() as u64,
        change_failure_rate: DoraMetric::new(cfr, total, change_failure_rate_tier),
        deployments_per_day: fill_days(per_day_map),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::executions;
    use crate::metrics::history::{PROD, history};
    use jiff::civil::date;

    #[test]
    fn dora_metrics_by_hand() {
        let execs = executions(&history().rows);
        let config = DoraConfig {
            production_pipelines: [PROD.to_owned()].into(),
            period: None,
        };
        let d = dora(&execs, &config).unwrap();
        // Period: first day with an execution (03-02) to the last (03-05) = 4 days.
        assert_eq!(d.period_start, date(2026, 3, 2));
        assert_eq!(d.period_end, date(2026, 3, 5));
        assert_eq!(d.days, 4);

        // Deployments: P1, P4, P6 succeeded = 3. 3 / 4 days = 0.75 per day, 5.25 per week.
        // 0.75 < 1 per day but >= 1 per 30 days: high.
        assert_eq!(d.deployment_frequency.samples, 3);
        assert_eq!(d.deployment_frequency.value, Some(0.75));
        assert_eq!(d.deployments_per_week, 5.25);
        assert_eq!(d.deployment_frequency.tier, Some(Tier::High));

        // Lead time:
        //   P1 commit c1: earliest start with c1 is B1 at 09:30; end 10:10 -> 40 min = 2400 s.
        //   P4 commit c4: earliest start with c4 is B2 at 10:40; end 11:15 -> 35 min = 2100 s.
        //   P6 commit c6: only P6, start 08:02; end 08:14 -> 12 min = 720 s.
        // Sorted [720, 2100, 2400]; median rank ceil(1.5) = 2 -> 2100 s. < 1 hour: elite.
        assert_eq!(d.lead_time.samples, 3);
        assert_eq!(d.lead_time.value, Some(2100.0));
        assert_eq!(d.lead_time.tier, Some(Tier::Elite));

        // Failed deployment recovery: in end order P1 ok, P2 FAILED 03-02 14:05 (opens), P3 FAILED
        // 03-03 09:20 (already open), P4 ok 03-03 11:15 (closes): 21 h 10 min = 76200 s.
        // P6 ok, nothing open. One restore, median 76200 s. < 1 day: high.
        assert_eq!(d.failed_deployment_recovery.samples, 1);
        assert_eq!(d.failed_deployment_recovery.value, Some(76200.0));
        assert_eq!(d.failed_deployment_recovery.tier, Some(Tier::High));
        assert_eq!(d.unrecovered_failures, 0);

        // Change failure rate: completed prod = P1, P2, P3, P4, P6 (P5 superseded, P7
        // running are not deployments). 2 failed / 5 = 0.4. <= 45%: medium.
        assert_eq!(d.change_failure_rate.samples, 5);
        assert_eq!(d.change_failure_rate.value, Some(0.4));
        assert_eq!(d.change_failure_rate.tier, Some(Tier::Medium));

        // Per end day: 03-02 P1 ok + P2 failed; 03-03 P3 failed + P4 ok; 03-04 P6 ok; 03-05 none.
        let per_day: Vec<(u64, u64)> = d
            .deployments_per_day
            .iter()
            .map(|(_, c)| (c.succeeded, c.failed))
            .collect();
        assert_eq!(per_day, [(1, 1), (1, 1), (1, 0), (0, 0)]);
    }

    #[test]
    fn dora_with_an_explicit_period_and_an_open_failure() {
        let execs = executions(&history().rows);
        let config = DoraConfig {
            production_pipelines: [PROD.to_owned()].into(),
            period: Some((date(2026, 3, 2), date(2026, 3, 2))),
        };
        let d = dora(&execs, &config).unwrap();
        // Only 03-02: P1 ok, P2 failed. 1 deployment / 1 day = 1.0: elite.
        assert_eq!(d.days, 1);
        assert_eq!(d.deployment_frequency.value, Some(1.0));
        assert_eq!(d.deployment_frequency.tier, Some(Tier::Elite));
        // P2's failure is not restored within the period.
        assert_eq!(d.unrecovered_failures, 1);
        assert_eq!(d.failed_deployment_recovery.value, None);
        assert_eq!(d.failed_deployment_recovery.tier, None);
        // 1 failed / 2 = 0.5 > 45%: low.
        assert_eq!(d.change_failure_rate.value, Some(0.5));
        assert_eq!(d.change_failure_rate.tier, Some(Tier::Low));
    }

    #[test]
    fn dora_needs_production_pipelines_and_data() {
        let execs = executions(&history().rows);
        assert_eq!(dora(&execs, &DoraConfig::default()), None);
        let config = DoraConfig {
            production_pipelines: ["other".to_owned()].into(),
            period: None,
        };
        assert_eq!(dora(&[], &config), None);
        let d = dora(&execs, &config).unwrap();
        // No production executions: 0 per day (low), nothing else measurable.
        assert_eq!(d.deployment_frequency.value, Some(0.0));
        assert_eq!(d.deployment_frequency.tier, Some(Tier::Low));
        assert_eq!(d.lead_time.value, None);
        assert_eq!(d.change_failure_rate.value, None);
    }

    #[test]
    fn tier_boundaries() {
        assert_eq!(deployment_frequency_tier(1.0), Tier::Elite);
        assert_eq!(deployment_frequency_tier(1.0 / 7.0), Tier::High);
        assert_eq!(deployment_frequency_tier(1.0 / 30.0), Tier::High);
        assert_eq!(deployment_frequency_tier(1.0 / 31.0), Tier::Medium);
        assert_eq!(deployment_frequency_tier(1.0 / 182.0), Tier::Medium);
        assert_eq!(deployment_frequency_tier(1.0 / 183.0), Tier::Low);
        assert_eq!(lead_time_tier(3599.0), Tier::Elite);
        assert_eq!(lead_time_tier(3600.0), Tier::High);
        assert_eq!(lead_time_tier(7.0 * DAY), Tier::Medium);
        assert_eq!(lead_time_tier(182.0 * DAY), Tier::Low);
        assert_eq!(failed_deployment_recovery_tier(3599.0), Tier::Elite);
        assert_eq!(failed_deployment_recovery_tier(DAY - 1.0), Tier::High);
        assert_eq!(failed_deployment_recovery_tier(DAY), Tier::Medium);
        assert_eq!(failed_deployment_recovery_tier(7.0 * DAY), Tier::Low);
        assert_eq!(change_failure_rate_tier(0.15), Tier::Elite);
        assert_eq!(change_failure_rate_tier(0.16), Tier::High);
        assert_eq!(change_failure_rate_tier(0.30), Tier::High);
        assert_eq!(change_failure_rate_tier(0.45), Tier::Medium);
        assert_eq!(change_failure_rate_tier(0.46), Tier::Low);
    }
}
