//! `pipeline-router metrics backfill|report` and `pipeline-router invoke metrics-extractor`.
//!
//! - `backfill`: imports history from CodePipeline (`ListPipelineExecutions`, then
//!   `ListActionExecutions`, every page) for the chosen pipelines and days, as the same
//!   rows and the same object layout the metrics-extractor function writes
//!   (`{prefix}/dt=YYYY-MM-DD/{batch_id}.json.gz`, `source = backfill`), to a local folder
//!   (default `./out/metrics`, no AWS needed to read it back) or to S3;
//! - `report`: reads rows from a folder or an S3 prefix, writes the self-contained HTML
//!   dashboard and prints the plain-text summary;
//! - [`invoke_metrics_extractor`]: the function's handler on an SQS event file, writing to
//!   a local folder.
//!
//! The module uses no `crate::` item, so it can be compiled on its own.

use std::collections::{BTreeSet, HashSet};
use std::future::Future;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use function_support::ErrorType;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use metrics_extractor::aws::S3ObjectWriter;
use metrics_extractor::config::DEFAULT_PREFIX;
use metrics_extractor::local::FolderWriter;
use metrics_extractor::{BatchOutcome, HandlerError, MetricsExtractor, ObjectWriter};
use pipeline_metrics::DoraConfig;
use pipeline_metrics::batch::{self, decode_object};
use pipeline_metrics::report::{self, Report, ReportConfig};
use pipeline_metrics::row::{self, ActionExecutionSummary, ExecutionSummary, Row};

/// The local folder rows are written to and read from by default.
pub const DEFAULT_DIR: &str = "./out/metrics";

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
        /// The local folder to write to (when no --bucket is given).
        #[arg(long, default_value = DEFAULT_DIR)]
        dir: PathBuf,
        /// Write to this S3 bucket instead of a local folder.
        #[arg(long)]
        bucket: Option<String>,
        /// Key prefix above the dt= partitions.
        #[arg(long, default_value = DEFAULT_PREFIX)]
        prefix: String,
        /// The AWS account id to put in the rows (the API does not return it).
        #[arg(long, default_value = "")]
        account: String,
    },
    /// Build the HTML dashboard and print the summary, from a folder or an S3 prefix.
    Report {
        /// The local folder to read (every *.json.gz / *.jsonl below it).
        #[arg(long, default_value = DEFAULT_DIR)]
        dir: PathBuf,
        /// Read from this S3 bucket instead of a local folder.
        #[arg(long)]
        bucket: Option<String>,
        /// Key prefix to read in the bucket.
        #[arg(long, default_value = DEFAULT_PREFIX)]
        prefix: String,
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
}

/// Runs a `metrics` subcommand; AWS clients come from the environment's credentials and
/// region, and only when a command needs them.
pub async fn run(command: MetricsCommand) -> Result<ExitCode> {
    match command {
        MetricsCommand::Backfill {
            pipelines,
            since,
            until,
            dir,
            bucket,
            prefix,
            account,
        } => {
            let until = until.unwrap_or_else(|| OffsetDateTime::now_utc().date());
            let aws = aws_config::load_from_env().await;
            let client = aws_sdk_codepipeline::Client::new(&aws);
            let region = client
                .config()
                .region()
                .map(|r| r.to_string())
                .unwrap_or_default();
            let history = CodePipelineHistory::new(client, account, region);
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
            println!("{}", serde_json::to_string_pretty(&summary)?);
            Ok(if summary.failed_objects.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        MetricsCommand::Report {
            dir,
            bucket,
            prefix,
            out,
            production_pipelines,
            since,
            until,
            title,
        } => {
            let rows = match bucket {
                Some(bucket) => {
                    let aws = aws_config::load_from_env().await;
                    read_rows_from_s3(&aws_sdk_s3::Client::new(&aws), &bucket, &prefix).await?
                }
                None => read_rows_from_dir(&dir)?,
            };
            // An open start is the first day with data, not the beginning of time.
            let since = since.or_else(|| {
                until.map(|last| {
                    rows.iter()
                        .map(|row| row.event_time.date())
                        .min()
                        .unwrap_or(last)
                })
            });
            let config = report_config(title, production_pipelines, since, until)?;
            let text = write_report(&rows, &config, &out)?;
            print!("{text}");
            eprintln!("dashboard written to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reads `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> std::result::Result<Date, String> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
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
            println!("{}", serde_json::to_string_pretty(&outcome.response())?);
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
            println!(
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

/// What `backfill` imports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackfillRequest {
    /// The pipelines.
    pub pipelines: Vec<String>,
    /// First day (UTC) of execution starts.
    pub since: Date,
    /// Last day (UTC, inclusive) of execution starts.
    pub until: Date,
    /// Key prefix above the `dt=` partitions.
    pub prefix: String,
}

/// What `backfill` did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct BackfillSummary {
    /// Pipeline executions imported.
    pub executions: usize,
    /// Action executions imported.
    pub actions: usize,
    /// Rows written.
    pub rows: usize,
    /// Keys written.
    pub objects: Vec<String>,
    /// Keys that could not be written, with the reason.
    pub failed_objects: Vec<(String, String)>,
}

/// One page of a listing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page<T> {
    /// The items, newest first (as CodePipeline lists them).
    pub items: Vec<T>,
    /// The token of the next page, if any.
    pub next_token: Option<String>,
}

/// Where pipeline history is read (CodePipeline through the SDK).
pub trait PipelineHistory {
    /// One page of `ListPipelineExecutions`.
    fn pipeline_executions(
        &self,
        pipeline: &str,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<Page<ExecutionSummary>>> + Send;

    /// One page of `ListActionExecutions` (every execution of the pipeline).
    fn action_executions(
        &self,
        pipeline: &str,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<Page<ActionExecutionSummary>>> + Send;
}

/// [`PipelineHistory`] over the CodePipeline SDK client.
#[derive(Clone, Debug)]
pub struct CodePipelineHistory {
    client: aws_sdk_codepipeline::Client,
    account: String,
    region: String,
}

impl CodePipelineHistory {
    /// History read with `client`; `account` and `region` go into the rows.
    pub fn new(client: aws_sdk_codepipeline::Client, account: String, region: String) -> Self {
        Self {
            client,
            account,
            region,
        }
    }
}

/// An SDK timestamp in UTC; `None` if out of range.
fn utc(t: &aws_sdk_codepipeline::primitives::DateTime) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(t.as_nanos()).ok()
}

/// Whether `text` is 7 to 64 hexadecimal characters (a git commit id).
fn looks_like_commit(text: &str) -> bool {
    (7..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl PipelineHistory for CodePipelineHistory {
    async fn pipeline_executions(
        &self,
        pipeline: &str,
        next_token: Option<String>,
    ) -> Result<Page<ExecutionSummary>> {
        let output = self
            .client
            .list_pipeline_executions()
            .pipeline_name(pipeline)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "CodePipeline ListPipelineExecutions {pipeline} failed: {}",
                    aws_sdk_codepipeline::error::DisplayErrorContext(e)
                )
            })?;
        let mut items = Vec::new();
        for s in output.pipeline_execution_summaries() {
            let (Some(id), Some(start)) = (s.pipeline_execution_id(), s.start_time().and_then(utc))
            else {
                tracing::warn!(
                    pipeline,
                    execution_id = s.pipeline_execution_id().unwrap_or(""),
                    decision = "skip_execution",
                    "execution without an id or start time skipped"
                );
                continue;
            };
            items.push(ExecutionSummary {
                account: self.account.clone(),
                region: self.region.clone(),
                pipeline: pipeline.to_owned(),
                execution_id: id.to_owned(),
                status: s
                    .status()
                    .map(|v| v.as_str().to_owned())
                    .unwrap_or_default(),
                start_time: start,
                last_update_time: s.last_update_time().and_then(utc),
                trigger_type: s
                    .trigger()
                    .and_then(|t| t.trigger_type())
                    .map(|t| t.as_str().to_owned()),
                trigger_detail: s
                    .trigger()
                    .and_then(|t| t.trigger_detail())
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned),
                commit_id: s
                    .source_revisions()
                    .iter()
                    .filter_map(|r| r.revision_id())
                    .find(|id| looks_like_commit(id))
                    .map(str::to_ascii_lowercase),
                branch: None,
            });
        }
        Ok(Page {
            items,
            next_token: output
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        })
    }

    async fn action_executions(
        &self,
        pipeline: &str,
        next_token: Option<String>,
    ) -> Result<Page<ActionExecutionSummary>> {
        let output = self
            .client
            .list_action_executions()
            .pipeline_name(pipeline)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "CodePipeline ListActionExecutions {pipeline} failed: {}",
                    aws_sdk_codepipeline::error::DisplayErrorContext(e)
                )
            })?;
        let mut items = Vec::new();
        for d in output.action_execution_details() {
            let (Some(execution_id), Some(stage), Some(action), Some(start)) = (
                d.pipeline_execution_id(),
                d.stage_name(),
                d.action_name(),
                d.start_time().and_then(utc),
            ) else {
                tracing::warn!(
                    pipeline,
                    action_execution_id = d.action_execution_id().unwrap_or(""),
                    decision = "skip_action",
                    "action execution without an execution id, stage, action or start time skipped"
                );
                continue;
            };
            let type_id = d.input().and_then(|i| i.action_type_id());
            let result = d.output().and_then(|o| o.execution_result());
            items.push(ActionExecutionSummary {
                account: self.account.clone(),
                region: self.region.clone(),
                pipeline: pipeline.to_owned(),
                execution_id: execution_id.to_owned(),
                stage: stage.to_owned(),
                action: action.to_owned(),
                action_execution_id: d.action_execution_id().map(str::to_owned),
                status: d
                    .status()
                    .map(|v| v.as_str().to_owned())
                    .unwrap_or_default(),
                start_time: start,
                last_update_time: d.last_update_time().and_then(utc),
                owner: type_id.map(|t| t.owner().as_str().to_owned()),
                category: type_id.map(|t| t.category().as_str().to_owned()),
                provider: type_id.map(|t| t.provider().to_owned()),
                version: type_id.map(|t| t.version().to_owned()),
                external_execution_id: result
                    .and_then(|r| r.external_execution_id())
                    .map(str::to_owned),
                external_execution_url: result
                    .and_then(|r| r.external_execution_url())
                    .map(str::to_owned),
                summary: result
                    .and_then(|r| r.external_execution_summary())
                    .map(str::to_owned),
                error_code: result
                    .and_then(|r| r.error_details())
                    .and_then(|e| e.code())
                    .map(str::to_owned),
            });
        }
        Ok(Page {
            items,
            next_token: output
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        })
    }
}

/// Imports the history of each pipeline and writes its rows (one object per day, batch id
/// `backfill-{pipeline}-{hash}`, so importing the same history again overwrites the same
/// objects).
///
/// Executions are read newest first until a page ends before `since`; action executions
/// likewise, keeping those of the chosen executions.
pub async fn backfill<H, W>(
    request: &BackfillRequest,
    history: &H,
    writer: &W,
    progress: &mut Progress,
) -> Result<BackfillSummary>
where
    H: PipelineHistory + Sync,
    W: ObjectWriter + Sync,
{
    if request.until < request.since {
        bail!(
            "--until {} is before --since {}",
            batch::format_day(request.until),
            batch::format_day(request.since)
        );
    }
    let in_period = |t: OffsetDateTime| (request.since..=request.until).contains(&t.date());
    let mut summary = BackfillSummary::default();
    progress.start(request.pipelines.len());
    for pipeline in &request.pipelines {
        progress.message(&format!("{pipeline}: listing executions"));
        let mut executions = Vec::new();
        let mut token = None;
        loop {
            let page = history.pipeline_executions(pipeline, token).await?;
            let older = page
                .items
                .iter()
                .all(|e| e.start_time.date() < request.since);
            executions.extend(page.items.into_iter().filter(|e| in_period(e.start_time)));
            token = page.next_token;
            if token.is_none() || older {
                break;
            }
        }
        let chosen: HashSet<&str> = executions.iter().map(|e| e.execution_id.as_str()).collect();
        let mut actions = Vec::new();
        if !chosen.is_empty() {
            progress.message(&format!(
                "{pipeline}: {} executions, listing actions",
                executions.len()
            ));
            let mut token = None;
            loop {
                let page = history.action_executions(pipeline, token).await?;
                let older = page
                    .items
                    .iter()
                    .all(|a| a.start_time.date() < request.since);
                actions.extend(
                    page.items
                        .into_iter()
                        .filter(|a| chosen.contains(a.execution_id.as_str())),
                );
                token = page.next_token;
                if token.is_none() || older {
                    break;
                }
            }
        }
        let rows: Vec<Row> = executions
            .iter()
            .flat_map(row::backfill_execution)
            .chain(actions.iter().flat_map(row::backfill_action))
            .collect();
        tracing::info!(pipeline = %pipeline, executions = executions.len(), actions = actions.len(), rows = rows.len(), decision = "import", "pipeline history read");
        summary.executions += executions.len();
        summary.actions += actions.len();
        summary.rows += rows.len();
        let batch_id = batch::batch_id(&format!("backfill-{pipeline}"), &rows);
        let objects = batch::encode_batch(&request.prefix, &batch_id, &rows)?;
        let total = objects.len();
        for (index, (key, bytes)) in objects.into_iter().enumerate() {
            progress.message(&format!("{pipeline}: writing {}/{total}", index + 1));
            match writer.put(&key, bytes).await {
                Ok(()) => summary.objects.push(key),
                Err(error) => {
                    tracing::error!(key = %key, error = %error, decision = "write_failed", "object not written");
                    summary.failed_objects.push((key, error.to_string()));
                }
            }
        }
        progress.advance(&format!(
            "{pipeline}: {} executions, {} actions, {total} objects",
            executions.len(),
            actions.len()
        ));
    }
    progress.finish();
    Ok(summary)
}

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

    fn start(&mut self, total: usize) {
        self.total = total;
        self.done = 0;
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

/// Whether a file or key holds rows: `*.json.gz`, `*.jsonl`, `*.jsonl.gz`.
fn is_rows_object(name: &str) -> bool {
    [".json.gz", ".jsonl", ".jsonl.gz"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

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
            } else if is_rows_object(&path.to_string_lossy()) {
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

/// Reads every row object under `prefix` in an S3 bucket (every page of the listing).
pub async fn read_rows_from_s3(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<Row>> {
    let prefix = prefix.trim_matches('/');
    let list_prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let output = client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(&list_prefix)
            .set_continuation_token(token)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "S3 ListObjectsV2 s3://{bucket}/{list_prefix} failed: {}",
                    aws_sdk_s3::error::DisplayErrorContext(e)
                )
            })?;
        keys.extend(
            output
                .contents()
                .iter()
                .filter_map(|o| o.key())
                .filter(|k| is_rows_object(k))
                .map(str::to_owned),
        );
        token = output
            .next_continuation_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    keys.sort();
    let mut rows = Vec::new();
    for key in keys {
        let object = client
            .get_object()
            .bucket(bucket)
            .key(&key)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "S3 GetObject s3://{bucket}/{key} failed: {}",
                    aws_sdk_s3::error::DisplayErrorContext(e)
                )
            })?;
        let bytes = object
            .body
            .collect()
            .await
            .with_context(|| format!("cannot read s3://{bucket}/{key}"))?
            .into_bytes();
        rows.extend(decode_object(&bytes).with_context(|| format!("s3://{bucket}/{key}"))?);
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
            last.unwrap_or_else(|| OffsetDateTime::now_utc().date()),
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
    std::fs::write(out, report::render_html(&report))
        .with_context(|| format!("cannot write {}", out.display()))?;
    tracing::info!(out = %out.display(), rows = report.rows, executions = report.executions.len(), decision = "report_written", "dashboard written");
    Ok(report::render_text(&report))
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

    #[test]
    fn row_objects_are_recognised() {
        assert!(is_rows_object("p/dt=2026-03-14/b.json.gz"));
        assert!(is_rows_object("rows.jsonl"));
        assert!(!is_rows_object("report.html"));
        assert!(!is_rows_object("p/dt=2026-03-14/"));
    }
}
