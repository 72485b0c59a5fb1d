//! The reporter use case: for a day D, read the rows of the period that ends on D and of
//! the period before, build the dashboard, write it as `reports/latest.html` and
//! `reports/YYYY-MM-DD.html`, then post the digest to Slack (when a channel is set).
//!
//! The ports are owned here: [`RowSource`] (the `dt=` partitions of a range of days),
//! [`ReportSink`] (an HTML page under a key), [`DigestPoster`] (one Slack message) and
//! [`HeldPushes`] (the holds waiting on freezes). The adapters over S3, Slack and DynamoDB
//! are in `aws-adapters`; the CLI's `metrics digest` uses [`build_digest`] directly.

use std::future::Future;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::batch::format_day;
use crate::dashboard::digest::{Digest, DigestInput, WaitingHold};
use crate::dashboard::{self, Report, ReportConfig};
use crate::ports::WriteError;
use crate::row::Row;

/// Where the HTML reports are written, in the metrics bucket.
pub const REPORTS_PREFIX: &str = "reports";

/// Why rows could not be read; the text names the partition and the cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReadError(pub String);

/// Why the digest could not be posted; the text names the channel and the cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PostError(pub String);

/// Why the holds could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HoldsError(pub String);

/// Reads metrics rows by day partition.
pub trait RowSource {
    /// Every row of the `dt=` partitions from `first` to `last` (inclusive), and only
    /// those. The reporter needs no `raw_event`: a source may leave it empty.
    fn rows_for_days(
        &self,
        first: Date,
        last: Date,
    ) -> impl Future<Output = Result<Vec<Row>, ReadError>> + Send;
}

/// Writes an HTML page.
pub trait ReportSink {
    /// Writes `html` under `key` (content type `text/html; charset=utf-8`).
    fn put_html(
        &self,
        key: &str,
        html: String,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
}

/// Posts one Slack message.
pub trait DigestPoster {
    /// Posts `message` (a `chat.postMessage` body, channel included).
    fn post(
        &self,
        message: &serde_json::Value,
    ) -> impl Future<Output = Result<(), PostError>> + Send;
}

/// The pushes held by change freezes.
pub trait HeldPushes {
    /// Every hold waiting on a freeze.
    fn waiting(&self) -> impl Future<Output = Result<Vec<WaitingHold>, HoldsError>> + Send;
}

/// No holds: no scheduler table configured.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHolds;

impl HeldPushes for NoHolds {
    async fn waiting(&self) -> Result<Vec<WaitingHold>, HoldsError> {
        Ok(Vec::new())
    }
}

/// No Slack: no digest channel configured.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoPoster;

impl DigestPoster for NoPoster {
    async fn post(&self, _message: &serde_json::Value) -> Result<(), PostError> {
        Ok(())
    }
}

/// What the reporter shows and where it posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReporterConfig {
    /// Title and production pipelines of the report (its `period` is set per day).
    pub report: ReportConfig,
    /// Days in a period (the DORA period): the report covers the `period_days` days
    /// ending on the day, the change compares with the `period_days` before.
    pub period_days: u32,
    /// The Slack channel of the digest; `None`: no digest.
    pub channel: Option<String>,
    /// The dashboard's address in the digest, if any.
    pub dashboard_url: Option<String>,
}

/// The periods of a day: the one ending on it and the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    /// The day covered.
    pub day: Date,
    /// First and last day of the period ending on `day`.
    pub current: (Date, Date),
    /// First and last day of the period before.
    pub previous: (Date, Date),
}

impl Periods {
    /// The periods of `days` days (at least 1) ending on `day`.
    pub fn ending(day: Date, days: u32) -> Periods {
        let days = i64::from(days.max(1));
        let first = day.saturating_sub((days - 1).days());
        let previous_last = first.saturating_sub(1.day());
        let previous_first = previous_last.saturating_sub((days - 1).days());
        Periods {
            day,
            current: (first, day),
            previous: (previous_first, previous_last),
        }
    }

    /// The first and last day of rows needed: the previous period's start to the day.
    pub fn days_to_read(&self) -> (Date, Date) {
        (self.previous.0, self.day)
    }
}

/// The day a run at `scheduled_time` reports on: the UTC day before.
pub fn day_before(scheduled_time: Timestamp) -> Date {
    crate::utc::day(scheduled_time).saturating_sub(1.day())
}

/// The report of the period ending on the day, and the digest of the day.
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    /// The dashboard's report (the current period).
    pub report: Report,
    /// The digest.
    pub digest: Digest,
}

/// Builds the period's report and the day's digest from rows that cover both periods.
///
/// Each report is `Report::build` with its `period` over every row read up to the
/// period's last day, exactly as `metrics report --since --until` and the Athena queries
/// place things: a run by the day it started (a run that started the day before and ended
/// inside is not a run of the period, but its end counts for DORA), a step by its event
/// day; a change's first start is looked for in every row read. The rows are sorted by
/// event time once and each report gets a slice (no copy of the rows).
pub fn build_digest(
    mut rows: Vec<Row>,
    periods: &Periods,
    report: &ReportConfig,
    holds: Option<&[WaitingHold]>,
    dashboard_url: Option<&str>,
) -> Built {
    rows.sort_by_key(|r| r.event_time);
    let up_to = |last: Date| {
        let end = rows.partition_point(|r| crate::utc::day(r.event_time) <= last);
        &rows[..end]
    };
    let build = |period: (Date, Date), max_actions: usize| {
        let config = ReportConfig {
            period: Some(period),
            dora: crate::DoraConfig {
                period: Some(period),
                ..report.dora.clone()
            },
            max_actions,
            ..report.clone()
        };
        Report::build(up_to(period.1), &config)
    };
    let current = build(periods.current, report.max_actions);
    let previous = build(periods.previous, report.max_actions);
    let yesterday = build((periods.day, periods.day), usize::MAX);
    let digest = Digest::build(&DigestInput {
        day: periods.day,
        yesterday: &yesterday,
        period: &current,
        previous: Some(&previous),
        holds,
        dashboard_url,
    });
    Built {
        report: current,
        digest,
    }
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum ReporterError {
    /// The rows could not be read: nothing was written.
    #[error("cannot read the metrics rows")]
    Read(#[source] ReadError),
    /// A report could not be written.
    #[error("cannot write the report {key}")]
    Write {
        /// The key.
        key: String,
        /// Why.
        #[source]
        source: WriteError,
    },
    /// The reports were written, the digest could not be posted.
    #[error("the reports were written, but the digest could not be posted to {channel}")]
    Post {
        /// The channel.
        channel: String,
        /// Why.
        #[source]
        source: PostError,
    },
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct ReporterOutcome {
    /// The day covered.
    pub day: Date,
    /// Rows read (both periods).
    pub rows: usize,
    /// Keys written, latest first.
    pub written: Vec<String>,
    /// The channel the digest was posted to, if it was.
    pub posted_to: Option<String>,
    /// The digest (posted or not).
    pub digest: Digest,
}

/// The reporter over its ports.
#[derive(Debug, Clone)]
pub struct Reporter<S, K, P, H> {
    /// Where rows are read.
    pub rows: S,
    /// Where reports are written.
    pub sink: K,
    /// Where the digest is posted (used only with a channel).
    pub poster: P,
    /// The holds waiting on freezes.
    pub holds: H,
    /// What to show, and where to post.
    pub config: ReporterConfig,
}

impl<S, K, P, H> Reporter<S, K, P, H>
where
    S: RowSource + Sync,
    K: ReportSink + Sync,
    P: DigestPoster + Sync,
    H: HeldPushes + Sync,
{
    /// Reports on `day`: reads, writes both pages, posts the digest. Logs one line per
    /// decision (`rows_read`, `report_written`, `holds_unavailable`, `digest_posted`,
    /// `digest_skipped`).
    pub async fn run(&self, day: Date) -> Result<ReporterOutcome, ReporterError> {
        let periods = Periods::ending(day, self.config.period_days);
        let (first, last) = periods.days_to_read();
        let rows = self
            .rows
            .rows_for_days(first, last)
            .await
            .map_err(ReporterError::Read)?;
        let read = rows.len();
        tracing::info!(
            decision = "rows_read",
            day = %format_day(day),
            first = %format_day(first),
            last = %format_day(last),
            rows = rows.len(),
            "rows read"
        );
        let holds = match self.holds.waiting().await {
            Ok(holds) => Some(holds),
            Err(error) => {
                tracing::warn!(decision = "holds_unavailable", error = %error, "holds not read; the digest says so");
                None
            }
        };
        let built = build_digest(
            rows,
            &periods,
            &self.config.report,
            holds.as_deref(),
            self.config.dashboard_url.as_deref(),
        );
        let html = dashboard::render_html(&built.report);
        let keys = [
            format!("{REPORTS_PREFIX}/latest.html"),
            format!("{REPORTS_PREFIX}/{}.html", format_day(day)),
        ];
        for key in &keys {
            self.sink
                .put_html(key, html.clone())
                .await
                .map_err(|source| ReporterError::Write {
                    key: key.clone(),
                    source,
                })?;
            tracing::info!(decision = "report_written", key = %key, bytes = html.len(), executions = built.report.executions.len(), "report written");
        }
        let posted_to = match &self.config.channel {
            Some(channel) => {
                self.poster
                    .post(&built.digest.message(channel))
                    .await
                    .map_err(|source| ReporterError::Post {
                        channel: channel.clone(),
                        source,
                    })?;
                tracing::info!(decision = "digest_posted", channel = %channel, pipelines = built.digest.pipelines.len(), "digest posted");
                Some(channel.clone())
            }
            None => {
                tracing::info!(decision = "digest_skipped", "no digest channel configured");
                None
            }
        };
        Ok(ReporterOutcome {
            day,
            rows: read,
            written: keys.to_vec(),
            posted_to,
            digest: built.digest,
        })
    }
}

/// Rows without their `raw_event` (the reporter never reads it), to keep memory down.
pub fn without_raw_events(rows: Vec<Row>) -> Vec<Row> {
    rows.into_iter()
        .map(|mut r| {
            r.raw_event = String::new();
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::metrics::history::{PROD, history};
    use jiff::civil::date;

    struct Memory {
        rows: Vec<Row>,
        asked: Mutex<Vec<(Date, Date)>>,
        written: Mutex<Vec<(String, String)>>,
        posted: Mutex<Vec<serde_json::Value>>,
    }

    impl RowSource for &Memory {
        async fn rows_for_days(&self, first: Date, last: Date) -> Result<Vec<Row>, ReadError> {
            self.asked.lock().unwrap().push((first, last));
            Ok(self
                .rows
                .iter()
                .filter(|r| (first..=last).contains(&crate::utc::day(r.event_time)))
                .cloned()
                .collect())
        }
    }

    impl ReportSink for &Memory {
        async fn put_html(&self, key: &str, html: String) -> Result<(), WriteError> {
            self.written.lock().unwrap().push((key.to_owned(), html));
            Ok(())
        }
    }

    impl DigestPoster for &Memory {
        async fn post(&self, message: &serde_json::Value) -> Result<(), PostError> {
            self.posted.lock().unwrap().push(message.clone());
            Ok(())
        }
    }

    struct Failing;

    impl HeldPushes for Failing {
        async fn waiting(&self) -> Result<Vec<WaitingHold>, HoldsError> {
            Err(HoldsError("table gone".to_owned()))
        }
    }

    fn config(channel: Option<&str>) -> ReporterConfig {
        ReporterConfig {
            report: ReportConfig {
                dora: crate::DoraConfig {
                    production_pipelines: [PROD.to_owned()].into(),
                    period: None,
                },
                ..ReportConfig::default()
            },
            period_days: 1,
            channel: channel.map(str::to_owned),
            dashboard_url: None,
        }
    }

    fn memory() -> Memory {
        Memory {
            rows: history().rows,
            asked: Mutex::default(),
            written: Mutex::default(),
            posted: Mutex::default(),
        }
    }

    #[test]
    fn periods_and_the_day_before() {
        let p = Periods::ending(date(2026, 3, 31), 30);
        assert_eq!(p.current, (date(2026, 3, 2), date(2026, 3, 31)));
        assert_eq!(p.previous, (date(2026, 1, 31), date(2026, 3, 1)));
        assert_eq!(p.days_to_read(), (date(2026, 1, 31), date(2026, 3, 31)));
        assert_eq!(
            day_before("2026-03-01T00:15:00Z".parse().unwrap()),
            date(2026, 2, 28)
        );
    }

    #[tokio::test]
    async fn writes_both_pages_then_posts_the_digest() {
        let m = memory();
        let reporter = Reporter {
            rows: &m,
            sink: &m,
            poster: &m,
            holds: Failing,
            config: config(Some("#deploys")),
        };
        let outcome = reporter.run(date(2026, 3, 3)).await.unwrap();
        assert_eq!(
            *m.asked.lock().unwrap(),
            [(date(2026, 3, 2), date(2026, 3, 3))]
        );
        let written = m.written.lock().unwrap();
        let keys: Vec<&str> = written.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["reports/latest.html", "reports/2026-03-03.html"]);
        assert_eq!(written[0].1, written[1].1);
        assert!(written[0].1.starts_with("<!DOCTYPE html>"));
        let posted = m.posted.lock().unwrap();
        assert_eq!(posted.len(), 1);
        assert_eq!(posted[0]["channel"], "#deploys");
        assert_eq!(outcome.posted_to.as_deref(), Some("#deploys"));
        assert_eq!(outcome.digest.holds, None, "the holds could not be read");
        assert_eq!(outcome.digest.runs.total(), 3);
    }

    /// A production run that started on 03-02 at 23:50 and succeeded on 03-03 at 00:10,
    /// reported on 03-03 with one-day periods: it is a run of 03-02 (its start day), so
    /// not in 03-03's runs, but a deployment of 03-03 (its end day); each report is the one
    /// `Report::build` gives over the rows with that period, as Athena and `metrics
    /// report --since --until` place them.
    #[test]
    fn a_run_crossing_midnight_is_placed_as_athena_places_it() {
        let mut h = history();
        let start = "2026-03-02T23:50:00Z";
        h.pipeline(PROD, "PX", start, start, "STARTED", 1);
        h.pipeline(PROD, "PX", start, "2026-03-03T00:10:00Z", "SUCCEEDED", 1);
        let periods = Periods::ending(date(2026, 3, 3), 1);
        let config = config(None).report;
        let built = build_digest(h.rows.clone(), &periods, &config, None, None);
        let expected = |period: (Date, Date)| {
            let mut c = config.clone();
            c.period = Some(period);
            let rows: Vec<Row> = h
                .rows
                .iter()
                .filter(|r| crate::utc::day(r.event_time) <= period.1)
                .cloned()
                .collect();
            Report::build(&rows, &c)
        };
        let current = expected(periods.current);
        assert_eq!(built.report.executions, current.executions);
        assert_eq!(built.report.dora, current.dora);
        assert_eq!(built.report.totals, current.totals);
        assert!(
            !built
                .report
                .executions
                .iter()
                .any(|e| e.execution_id == "PX"),
            "PX started the day before the period"
        );
        let dora = built.report.dora.as_ref().unwrap();
        let before = expected(periods.current);
        assert_eq!(
            dora.deployment_frequency,
            before.dora.unwrap().deployment_frequency
        );
        let without_px = {
            let rows: Vec<Row> = h
                .rows
                .iter()
                .filter(|r| r.execution_id != "PX")
                .cloned()
                .collect();
            build_digest(rows, &periods, &config, None, None)
        };
        assert_eq!(
            dora.deployment_frequency.samples,
            without_px.report.dora.unwrap().deployment_frequency.samples + 1,
            "PX's end on 03-03 is a deployment of the period"
        );
        let previous = built.digest.runs.total();
        assert_eq!(
            previous,
            without_px.digest.runs.total(),
            "not a run of 03-03"
        );
    }

    #[tokio::test]
    async fn no_channel_no_post() {
        let m = memory();
        let reporter = Reporter {
            rows: &m,
            sink: &m,
            poster: &m,
            holds: NoHolds,
            config: config(None),
        };
        let outcome = reporter.run(date(2026, 3, 3)).await.unwrap();
        assert!(m.posted.lock().unwrap().is_empty());
        assert_eq!(outcome.posted_to, None);
        assert_eq!(outcome.digest.holds, Some(Vec::new()));
        assert_eq!(m.written.lock().unwrap().len(), 2);
    }
}
