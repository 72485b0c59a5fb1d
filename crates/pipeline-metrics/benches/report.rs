//! The metrics-reporter's work on 90 days of 50 pipelines: the three reports and the
//! digest ([`reporter::build_digest`]) and the HTML page, over a synthetic history of
//! ~10 runs per pipeline and day, each with pipeline, stage and action rows (14 rows per
//! run, 630,000 rows), without raw events as the reporter keeps them.
//!
//! ```sh
//! cargo bench -p pipeline-metrics --bench report -- --quick
//! # Peak memory of one run (history in memory, reports, digest, page):
//! REPORT_BENCH_ONCE=1 /usr/bin/time -v target/release/deps/report-<hash>
//! # The same history as gzip row objects, for `metrics digest --dir DIR`:
//! REPORT_BENCH_WRITE=DIR cargo bench -p pipeline-metrics --bench report
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up, not production code

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use jiff::civil::{Date, date};
use jiff::{Timestamp, ToSpan};
use pipeline_metrics::dashboard::{self, ReportConfig};
use pipeline_metrics::reporter::{self, Periods};
use pipeline_metrics::row::{Row, Source};
use pipeline_metrics::{DoraConfig, ExecutionState, Level, batch};

const DAYS: i64 = 90;
const PIPELINES: usize = 50;
const RUNS_PER_DAY: usize = 10;
/// The last day of the history: the day the digest covers.
const LAST_DAY: Date = date(2026, 3, 31);
/// Both periods together cover the 90 days.
const PERIOD_DAYS: u32 = 45;

fn pipeline(p: usize) -> String {
    format!("svc-{p:02}")
}

/// A cheap deterministic hash, so the history has failures and varied durations.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x
}

struct Rows {
    rows: Vec<Row>,
    next_id: u64,
}

impl Rows {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        time: Timestamp,
        level: Level,
        pipeline: &str,
        exec: &str,
        stage_action: (Option<&str>, Option<&str>),
        state: ExecutionState,
        start: Timestamp,
        commit: Option<&str>,
    ) {
        self.next_id += 1;
        let failed = state == ExecutionState::Failed && level == Level::Action;
        self.rows.push(Row {
            event_id: format!("bench-{:010}", self.next_id),
            event_time: time,
            level,
            account: "123456789012".to_owned(),
            region: "eu-west-1".to_owned(),
            pipeline: pipeline.to_owned(),
            execution_id: exec.to_owned(),
            attempt: Some(1),
            pipeline_version: Some(3),
            stage: stage_action.0.map(str::to_owned),
            action: stage_action.1.map(str::to_owned),
            action_execution_id: None,
            state,
            action_owner: stage_action.1.map(|_| "AWS".to_owned()),
            action_category: stage_action.1.map(|_| "Build".to_owned()),
            action_provider: stage_action.1.map(|_| "CodeBuild".to_owned()),
            action_version: stage_action.1.map(|_| "1".to_owned()),
            action_region: None,
            start_time: Some(start),
            trigger_type: Some("Webhook".to_owned()),
            trigger_detail: None,
            commit_id: commit.map(str::to_owned),
            branch: None,
            external_execution_id: commit.map(str::to_owned),
            external_execution_url: None,
            summary: None,
            error_code: failed.then(|| "JobFailed".to_owned()),
            error_summary: failed.then(|| "tests failed".to_owned()),
            source: Source::Live,
            raw_event: String::new(),
        });
    }
}

/// 90 days × 50 pipelines × 10 runs: Source, Build and Deploy stages with one action
/// each; one run in ten fails (in Build or Deploy).
fn history() -> Vec<Row> {
    let mut out = Rows {
        rows: Vec::with_capacity(DAYS as usize * PIPELINES * RUNS_PER_DAY * 14),
        next_id: 0,
    };
    let first = LAST_DAY.checked_sub((DAYS - 1).days()).unwrap();
    for d in 0..DAYS {
        let day = first.checked_add(d.days()).unwrap();
        let midnight = day
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp();
        for p in 0..PIPELINES {
            let name = pipeline(p);
            for r in 0..RUNS_PER_DAY {
                let h = mix((d as u64) << 32 | (p as u64) << 16 | r as u64);
                let exec = format!("{:08x}-{d:03}-{p:02}-{r}", h as u32);
                let commit = format!("{h:016x}{:024x}", h >> 7);
                let start = midnight + (3600 + r as i64 * 4800 + p as i64 * 7).seconds();
                let step = (120 + (h % 600) as i64).seconds();
                let fails_at = match h % 20 {
                    0 => Some("Build"),
                    1 => Some("Deploy"),
                    _ => None,
                };
                out.push(
                    start,
                    Level::Pipeline,
                    &name,
                    &exec,
                    (None, None),
                    ExecutionState::Started,
                    start,
                    None,
                );
                let mut t = start;
                let mut outcome = ExecutionState::Succeeded;
                for (stage, action) in [
                    ("Source", "Source"),
                    ("Build", "UnitTests"),
                    ("Deploy", "Ship"),
                ] {
                    let commit = (stage == "Source").then_some(commit.as_str());
                    out.push(
                        t,
                        Level::Stage,
                        &name,
                        &exec,
                        (Some(stage), None),
                        ExecutionState::Started,
                        start,
                        None,
                    );
                    out.push(
                        t,
                        Level::Action,
                        &name,
                        &exec,
                        (Some(stage), Some(action)),
                        ExecutionState::Started,
                        start,
                        None,
                    );
                    t += step;
                    let state = if fails_at == Some(stage) {
                        ExecutionState::Failed
                    } else {
                        ExecutionState::Succeeded
                    };
                    out.push(
                        t,
                        Level::Action,
                        &name,
                        &exec,
                        (Some(stage), Some(action)),
                        state.clone(),
                        start,
                        commit,
                    );
                    out.push(
                        t,
                        Level::Stage,
                        &name,
                        &exec,
                        (Some(stage), None),
                        state.clone(),
                        start,
                        None,
                    );
                    if state == ExecutionState::Failed {
                        outcome = state;
                        break;
                    }
                }
                out.push(
                    t + 5.seconds(),
                    Level::Pipeline,
                    &name,
                    &exec,
                    (None, None),
                    outcome,
                    start,
                    None,
                );
            }
        }
    }
    out.rows
}

fn config() -> ReportConfig {
    ReportConfig {
        dora: DoraConfig {
            production_pipelines: (0..PIPELINES).step_by(10).map(pipeline).collect(),
            period: None,
        },
        ..ReportConfig::default()
    }
}

fn run_once(rows: Vec<Row>) -> (usize, usize, usize) {
    let periods = Periods::ending(LAST_DAY, PERIOD_DAYS);
    let built = reporter::build_digest(rows, &periods, &config(), Some(&[]), None);
    let html = dashboard::render_html(&built.report);
    let blocks = built.digest.blocks();
    (built.report.executions.len(), html.len(), blocks.len())
}

fn bench_report(c: &mut Criterion) {
    let rows = history();
    let count = rows.len();
    eprintln!("synthetic history: {count} rows");
    let mut group = c.benchmark_group("reporter");
    group.throughput(Throughput::Elements(count as u64));
    group.sample_size(10);
    group.bench_function("digest_and_page_90d_x_50_pipelines", |b| {
        b.iter_batched(
            || rows.clone(),
            |rows| black_box(run_once(rows)),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn main() {
    if let Ok(dir) = std::env::var("REPORT_BENCH_WRITE") {
        let rows = history();
        for object in batch::encode_batch("pipeline-events", "synthetic", &rows).unwrap() {
            let path = std::path::Path::new(&dir).join(&object.key);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &object.bytes).unwrap();
        }
        eprintln!("{} rows written under {dir}", rows.len());
        return;
    }
    if std::env::var_os("REPORT_BENCH_ONCE").is_some() {
        let started = Instant::now();
        let rows = history();
        let count = rows.len();
        let generated = started.elapsed();
        let (executions, html, blocks) = run_once(rows);
        eprintln!(
            "{count} rows ({} bytes each before their strings) generated in {generated:?}; reports, digest and page in {:?}: {executions} executions, {html} bytes of HTML, {blocks} blocks",
            std::mem::size_of::<Row>(),
            started.elapsed() - generated
        );
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    bench_report(&mut criterion);
    criterion.final_summary();
}
