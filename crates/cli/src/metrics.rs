//! `pipeline-router metrics backfill|report|digest` and `pipeline-router invoke
//! metrics-extractor`: the commands' arguments, the progress bar and the wiring; the work
//! is elsewhere.
//!
//! - `backfill`: [`pipeline_metrics::backfill`] over CodePipeline's history
//!   ([`CodePipelineHistory`] in `aws-adapters`) for the chosen pipelines and days, to a
//!   local folder (default `./out/metrics`, no AWS needed to read it back) or to S3;
//! - `report`: reads rows from a folder or an S3 prefix, writes the self-contained HTML
//!   dashboard and prints the plain-text summary;
//! - `digest`: the daily Slack digest of a day ([`pipeline_metrics::reporter::build_digest`]
//!   over the rows of the day's two periods), printed as text or Block Kit JSON, posted to
//!   Slack with `--post` ([`run_digest`]);
//! - [`invoke_metrics_extractor`]: the function's handler on an SQS event file, writing to
//!   a local folder.
//!
//! The module uses no `crate::` item but the output macros and the local holds file.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use function_support::ErrorType;
use jiff::civil::Date;
use std::time::Duration;

use aws_adapters::metrics_reporter::{SlackDigestPoster, StoreHeldPushes};
use aws_adapters::pipeline_history::CodePipelineHistory;
use aws_adapters::slack_http::{DEFAULT_SLACK_API_URL, SlackHttp};
use aws_adapters::slack_secrets::BotToken;
use jiff::ToSpan;
use metrics_extractor::aws::S3ObjectWriter;
use metrics_extractor::config::DEFAULT_PREFIX;
use metrics_extractor::local::FolderWriter;
use metrics_extractor::{BatchOutcome, HandlerError, MetricsExtractor};
use pipeline_metrics::DoraConfig;
use pipeline_metrics::backfill::{BackfillProgress, BackfillRequest, backfill};
use pipeline_metrics::batch::{self, decode_object};
use pipeline_metrics::dashboard::{self, Report, ReportConfig};
use pipeline_metrics::reporter::{
    DigestPoster, HeldPushes, Periods, build_digest, without_raw_events,
};
use pipeline_metrics::row::Row;

/// The local folder rows are written to and read from by default.
pub const DEFAULT_DIR: &str = "./out/metrics";

/// Where metrics rows are kept: a local folder (default) or an S3 bucket, below a prefix.
#[derive(Clone, Debug, clap::Args)]
pub struct RowStore {
    /// The local folder of rows, used when no --bucket is given (read: every *.json.gz /
    /// *.jsonl below it).
    #[arg(long, default_value = DEFAULT_DIR)]
    pub dir: PathBuf,
    /// Use this S3 bucket instead of a local folder.
    #[arg(long)]
    pub bucket: Option<String>,
    /// Key prefix above the dt= partitions (in the bucket).
    #[arg(long, default_value = DEFAULT_PREFIX)]
    pub prefix: String,
}

/// `pipeline-router metrics ...`.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum MetricsCommand {
    /// Import pipeline history (ListPipelineExecutions, ListActionExecutions) as metrics
    /// rows, to a local folder (default) or to S3.
    Backfill {
        /// A pipeline to import (repeat for several).
        #[arg(long = "pipeline", required = true)]
        pipelines: Vec<String>,
        /// First day (UTC, YYYY-MM-DD) of executions to import, by start time.
        #[arg(long, value_parser = parse_date)]
        since: Date,
        /// Last day (UTC, inclusive; default today).
        #[arg(long, value_parser = parse_date)]
        until: Option<Date>,
        /// Where the rows are written.
        #[command(flatten)]
        store: RowStore,
        /// The AWS account id to put in the rows (the API does not return it).
        #[arg(long, default_value = "")]
        account: String,
    },
    /// Build the HTML dashboard and print the summary, from a folder or an S3 prefix.
    Report {
        /// Where the rows are read from.
        #[command(flatten)]
        store: RowStore,
        /// The HTML file to write.
        #[arg(long, default_value = "report.html")]
        out: PathBuf,
        /// A pipeline that deploys to production, for the DORA metrics (repeatable).
        #[arg(long = "production-pipeline")]
        production_pipelines: Vec<String>,
        /// First day (UTC, YYYY-MM-DD) of rows to use.
        #[arg(long, value_parser = parse_date)]
        since: Option<Date>,
        /// Last day (UTC, inclusive) of rows to use.
        #[arg(long, value_parser = parse_date)]
        until: Option<Date>,
        /// The page title.
        #[arg(long, default_value = "Pipeline metrics")]
        title: String,
    },
    /// Print the daily digest of a day (text, or Block Kit JSON with --json), and post it
    /// to Slack with --post.
    Digest(DigestArgs),
}

/// `pipeline-router metrics digest`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct DigestArgs {
    /// Where the rows are read from (with --bucket, only the dt= partitions needed).
    #[command(flatten)]
    pub store: RowStore,
    /// The day (UTC, YYYY-MM-DD) the digest covers; default yesterday.
    #[arg(long, value_parser = parse_date)]
    pub day: Option<Date>,
    /// A pipeline that deploys to production, for the DORA tiles (repeatable).
    #[arg(long = "production-pipeline")]
    pub production_pipelines: Vec<String>,
    /// Days in a period: the DORA tiles cover the period ending on the day, the change
    /// compares with the period before.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub period_days: u32,
    /// The title.
    #[arg(long, default_value = "Pipeline metrics")]
    pub title: String,
    /// The dashboard link in the digest.
    #[arg(long)]
    pub dashboard_url: Option<String>,
    /// A holds file (as `holds list --file` reads) for the pushes waiting on freezes.
    #[arg(long)]
    pub holds: Option<PathBuf>,
    /// Print the Block Kit JSON (`{"text": ..., "blocks": [...]}`) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Post the digest to Slack (chat.postMessage to --channel).
    #[arg(long, requires = "channel")]
    pub post: bool,
    /// The Slack channel to post to.
    #[arg(long)]
    pub channel: Option<String>,
    /// The bot token (xoxb-...), from SLACK_BOT_TOKEN.
    #[arg(long, env = "SLACK_BOT_TOKEN", hide = true, hide_env_values = true)]
    pub slack_token: Option<String>,
    /// The Slack Web API base URL (a local Slack for tests).
    #[arg(long, env = "SLACK_API_URL", default_value = DEFAULT_SLACK_API_URL, hide = true)]
    pub slack_api_url: String,
}

/// Runs a `metrics` subcommand; AWS clients come from the environment's credentials and
/// region, and only when a command needs them.
pub async fn run(command: MetricsCommand) -> Result<ExitCode> {
    match command {
        MetricsCommand::Backfill {
            pipelines,
            since,
            until,
            store:
                RowStore {
                    dir,
                    bucket,
                    prefix,
                },
            account,
        } => {
            let until = until.unwrap_or_else(pipeline_metrics::utc::today);
            let aws = aws_config::load_from_env().await;
            let history = CodePipelineHistory::in_client_region(
                aws_sdk_codepipeline::Client::new(&aws),
                account,
            );
            let request = BackfillRequest {
                pipelines,
                since,
                until,
                prefix,
            };
            let mut progress = Progress::stderr();
            let summary = match bucket {
                Some(bucket) => {
                    let writer = S3ObjectWriter::new(aws_sdk_s3::Client::new(&aws), bucket);
                    backfill(&request, &history, &writer, &mut progress).await?
                }
                None => {
                    let writer = FolderWriter::new(&dir);
                    backfill(&request, &history, &writer, &mut progress).await?
                }
            };
            crate::outln!("{}", serde_json::to_string_pretty(&summary)?);
            Ok(if summary.failed_objects.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        MetricsCommand::Report {
            store:
                RowStore {
                    dir,
                    bucket,
                    prefix,
                },
            out,
            production_pipelines,
            since,
            until,
            title,
        } => {
            let rows = match bucket {
                Some(bucket) => {
                    let aws = aws_config::load_from_env().await;
                    aws_adapters::s3_rows::read_rows(
                        &aws_sdk_s3::Client::new(&aws),
                        &bucket,
                        &prefix,
                    )
                    .await?
                }
                None => read_rows_from_dir(&dir)?,
            };
            // An open start is the first day with data, not the beginning of time.
            let since = since.or_else(|| {
                until.map(|last| {
                    rows.iter()
                        .map(|row| pipeline_metrics::utc::day(row.event_time))
                        .min()
                        .unwrap_or(last)
                })
            });
            let config = report_config(title, production_pipelines, since, until)?;
            let text = write_report(&rows, &config, &out)?;
            crate::out!("{text}");
            eprintln!("dashboard written to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        MetricsCommand::Digest(args) => run_digest(args).await,
    }
}

/// `metrics digest`: reads the rows of the day's two periods, prints the digest, and
/// posts it with `--post`.
pub async fn run_digest(args: DigestArgs) -> Result<ExitCode> {
    let day = args
        .day
        .unwrap_or_else(|| pipeline_metrics::utc::today().saturating_sub(1.day()));
    let periods = Periods::ending(day, args.period_days);
    let (first, last) = periods.days_to_read();
    let rows = match &args.store.bucket {
        Some(bucket) => {
            let aws = aws_config::load_from_env().await;
            aws_adapters::s3_rows::read_rows_for_days(
                &aws_sdk_s3::Client::new(&aws),
                bucket,
                &args.store.prefix,
                (first, last),
                false,
            )
            .await?
        }
        None => without_raw_events(read_rows_from_dir(&args.store.dir)?),
    };
    let holds = match &args.holds {
        Some(path) => Some(
            StoreHeldPushes::new(crate::holds_file::FileHoldStore::new(path))
                .waiting()
                .await
                .with_context(|| format!("cannot read the holds in {}", path.display()))?,
        ),
        None => None,
    };
    let report = ReportConfig {
        title: args.title,
        dora: DoraConfig {
            production_pipelines: args.production_pipelines.into_iter().collect(),
            period: None,
        },
        ..ReportConfig::default()
    };
    let built = build_digest(
        rows,
        &periods,
        &report,
        holds.as_deref(),
        args.dashboard_url.as_deref(),
    );
    if args.json {
        crate::outln!("{}", serde_json::to_string_pretty(&built.digest.to_json())?);
    } else {
        crate::out!("{}", built.digest.render_text());
    }
    if args.post {
        let channel = args.channel.as_deref().context("--post needs --channel")?;
        slack_poster(args.slack_token.as_deref(), &args.slack_api_url)?
            .post(&built.digest.message(channel))
            .await?;
        eprintln!("digest posted to {channel}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The poster of `--post` (`metrics digest`, `invoke metrics-reporter`): the bot token
/// from `SLACK_BOT_TOKEN`, the Web API at `api_url`.
pub fn slack_poster(token: Option<&str>, api_url: &str) -> Result<SlackDigestPoster> {
    let token = token
        .and_then(BotToken::new)
        .context("--post needs the bot token in SLACK_BOT_TOKEN")?;
    let slack = SlackHttp::new(api_url, token, Duration::from_secs(10))?;
    Ok(SlackDigestPoster::new(slack))
}

/// Reads `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> std::result::Result<Date, String> {
    Date::strptime("%Y-%m-%d", text.trim())
        .map_err(|e| format!("`{text}` is not a YYYY-MM-DD date: {e}"))
}

// ---------------------------------------------------------------------------------------
// invoke metrics-extractor
// ---------------------------------------------------------------------------------------

/// Runs the metrics-extractor handler on an SQS event, writing objects under `out_dir`
/// (as the bucket would hold them, below the default prefix).
pub async fn invoke_metrics_extractor(
    event: serde_json::Value,
    out_dir: &Path,
) -> std::result::Result<BatchOutcome, HandlerError> {
    let function = MetricsExtractor {
        writer: FolderWriter::new(out_dir),
        prefix: DEFAULT_PREFIX.to_owned(),
    };
    function.handle_json(event, "local-invoke").await
}

/// `pipeline-router invoke metrics-extractor --event FILE`: runs the handler, prints its
/// response (`batchItemFailures`) as JSON on stdout and the objects written on stderr.
pub async fn invoke_command(event: &Path, out_dir: &Path) -> Result<ExitCode> {
    let text = std::fs::read_to_string(event)
        .with_context(|| format!("cannot read the event file {}", event.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", event.display()))?;
    match invoke_metrics_extractor(json, out_dir).await {
        Ok(outcome) => {
            crate::outln!("{}", serde_json::to_string_pretty(&outcome.response())?);
            for object in &outcome.written {
                eprintln!(
                    "wrote {} ({} rows)",
                    out_dir.join(&object.key).display(),
                    object.rows
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            crate::outln!(
                "{}",
                serde_json::json!({"errorType": error.error_type(), "errorMessage": error.to_string()})
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

// ---------------------------------------------------------------------------------------
// backfill
// ---------------------------------------------------------------------------------------

/// A progress bar on stderr: redrawn in place on a terminal, one line per step otherwise
/// (CI logs), silent when hidden.
#[derive(Debug)]
pub struct Progress {
    total: usize,
    done: usize,
    terminal: bool,
    visible: bool,
}

impl Progress {
    /// A bar on stderr.
    pub fn stderr() -> Self {
        Self {
            total: 0,
            done: 0,
            terminal: std::io::stderr().is_terminal(),
            visible: true,
        }
    }

    /// A bar that draws nothing (tests).
    pub fn hidden() -> Self {
        Self {
            total: 0,
            done: 0,
            terminal: false,
            visible: false,
        }
    }

    fn draw(&self, text: &str, end_line: bool) {
        if !self.visible {
            return;
        }
        const WIDTH: usize = 24;
        let filled = (self.done * WIDTH).checked_div(self.total).unwrap_or(WIDTH);
        let bar = format!("{}{}", "#".repeat(filled), "-".repeat(WIDTH - filled));
        let line = format!("[{bar}] {}/{} pipelines  {text}", self.done, self.total);
        let mut err = std::io::stderr().lock();
        let _ = if self.terminal {
            write!(err, "\r\x1b[2K{line}{}", if end_line { "\n" } else { "" })
        } else if end_line {
            writeln!(err, "{line}")
        } else {
            Ok(())
        };
        let _ = err.flush();
    }
}

impl BackfillProgress for Progress {
    fn start(&mut self, pipelines: usize) {
        self.total = pipelines;
        self.done = 0;
    }

    fn message(&mut self, text: &str) {
        self.draw(text, false);
    }

    fn advance(&mut self, text: &str) {
        self.done += 1;
        self.draw(text, !self.terminal);
    }

    fn finish(&mut self) {
        if self.terminal {
            self.draw("done", true);
        }
    }
}

// ---------------------------------------------------------------------------------------
// report
// ---------------------------------------------------------------------------------------

/// Reads every row object below a folder (recursively, in path order).
pub fn read_rows_from_dir(dir: &Path) -> Result<Vec<Row>> {
    if !dir.is_dir() {
        bail!(
            "{} is not a folder of metrics rows: run `pipeline-router metrics backfill` or pass --dir/--bucket",
            dir.display()
        );
    }
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)
            .with_context(|| format!("cannot read {}", folder.display()))?
        {
            let path = entry
                .with_context(|| format!("cannot read {}", folder.display()))?
                .path();
            if path.is_dir() {
                folders.push(path);
            } else if batch::holds_rows(&path.to_string_lossy()) {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut rows = Vec::new();
    for file in files {
        let bytes =
            std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        rows.extend(decode_object(&bytes).with_context(|| format!("{}", file.display()))?);
    }
    Ok(rows)
}

/// The report settings from the command line.
pub fn report_config(
    title: String,
    production_pipelines: Vec<String>,
    since: Option<Date>,
    until: Option<Date>,
) -> Result<ReportConfig> {
    let period = match (since, until) {
        (None, None) => None,
        (Some(first), Some(last)) if last < first => {
            bail!("--until is before --since")
        }
        (first, last) => Some((
            first.unwrap_or(Date::MIN),
            last.unwrap_or_else(pipeline_metrics::utc::today),
        )),
    };
    Ok(ReportConfig {
        title,
        dora: DoraConfig {
            production_pipelines: production_pipelines.into_iter().collect::<BTreeSet<_>>(),
            period: None,
        },
        period,
        ..ReportConfig::default()
    })
}

/// Builds the report, writes the HTML to `out` and returns the plain-text summary.
pub fn write_report(rows: &[Row], config: &ReportConfig, out: &Path) -> Result<String> {
    let report = Report::build(rows, config);
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(out, dashboard::render_html(&report))
        .with_context(|| format!("cannot write {}", out.display()))?;
    tracing::info!(out = %out.display(), rows = report.rows, executions = report.executions.len(), decision = "report_written", "dashboard written");
    Ok(dashboard::render_text(&report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_periods() {
        assert_eq!(
            parse_date("2026-03-14").map(|d| d.to_string()),
            Ok("2026-03-14".to_owned())
        );
        assert!(parse_date("14/03/2026").is_err());
        let since = parse_date("2026-03-02").ok();
        let until = parse_date("2026-03-01").ok();
        assert!(report_config("t".into(), vec![], since, until).is_err());
        let config = report_config("t".into(), vec!["p".into()], since, since).unwrap();
        assert_eq!(config.period, since.zip(since));
        assert!(config.dora.production_pipelines.contains("p"));
    }
}
