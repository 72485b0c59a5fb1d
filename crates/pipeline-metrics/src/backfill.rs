//! The backfill use case: a pipeline's history, read through the [`PipelineHistory`] port,
//! becomes the same rows and the same objects the metrics-extractor function writes
//! (`{prefix}/dt=YYYY-MM-DD/{batch_id}.json.gz`, `source = backfill`), written through the
//! [`ObjectWriter`] port.
//!
//! Per pipeline: executions are read newest first until a page ends before `since` (or
//! there is no next page), keeping those that started in the period; action executions
//! likewise, keeping those of the chosen executions. The rows of one pipeline are one
//! batch with the id `backfill-{pipeline}-{hash}`, so importing the same history again
//! overwrites the same objects.

use std::collections::HashSet;
use std::future::Future;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::batch::{self, BatchError};
use crate::ports::{HistoryError, ObjectWriter, Page, PipelineHistory};
use crate::row::{self, Row};

/// What to import.
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

/// What the import did.
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

/// Why the import stopped. A failed write does not stop it: it is listed in
/// [`BackfillSummary::failed_objects`].
#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    /// The period ends before it starts.
    #[error("--until {} is before --since {}", batch::format_day(*.until), batch::format_day(*.since))]
    EmptyPeriod {
        /// The first day asked for.
        since: Date,
        /// The last day asked for.
        until: Date,
    },
    /// A page of the history could not be read.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The rows could not be encoded.
    #[error(transparent)]
    Batch(#[from] BatchError),
}

/// Where the import reports its progress (a progress bar in the CLI). Every method does
/// nothing by default, so `()` reports nothing.
pub trait BackfillProgress {
    /// The import starts, over `pipelines` pipelines.
    fn start(&mut self, _pipelines: usize) {}
    /// A step within the current pipeline.
    fn message(&mut self, _text: &str) {}
    /// The current pipeline is done.
    fn advance(&mut self, _text: &str) {}
    /// Every pipeline is done.
    fn finish(&mut self) {}
}

impl BackfillProgress for () {}

/// Imports the history of each pipeline of `request` and writes its rows (see the module
/// docs).
pub async fn backfill<H, W, P>(
    request: &BackfillRequest,
    history: &H,
    writer: &W,
    progress: &mut P,
) -> Result<BackfillSummary, BackfillError>
where
    H: PipelineHistory + Sync,
    W: ObjectWriter + Sync,
    P: BackfillProgress,
{
    if request.until < request.since {
        return Err(BackfillError::EmptyPeriod {
            since: request.since,
            until: request.until,
        });
    }
    let in_period = |t: Timestamp| (request.since..=request.until).contains(&crate::utc::day(t));
    let mut summary = BackfillSummary::default();
    progress.start(request.pipelines.len());
    for pipeline in &request.pipelines {
        progress.message(&format!("{pipeline}: listing executions"));
        let executions = read_back_to(
            request.since,
            |token| history.pipeline_executions(pipeline, token),
            |e| e.start_time,
            |e| in_period(e.start_time),
        )
        .await?;
        let chosen: HashSet<&str> = executions.iter().map(|e| e.execution_id.as_str()).collect();
        let actions = if chosen.is_empty() {
            Vec::new()
        } else {
            progress.message(&format!(
                "{pipeline}: {} executions, listing actions",
                executions.len()
            ));
            read_back_to(
                request.since,
                |token| history.action_executions(pipeline, token),
                |a| a.start_time,
                |a| chosen.contains(a.execution_id.as_str()),
            )
            .await?
        };
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
        for (index, object) in objects.into_iter().enumerate() {
            progress.message(&format!("{pipeline}: writing {}/{total}", index + 1));
            match writer.put(&object.key, object.bytes).await {
                Ok(()) => summary.objects.push(object.key),
                Err(error) => {
                    tracing::error!(key = %object.key, error = %error, decision = "write_failed", "object not written");
                    summary.failed_objects.push((object.key, error.to_string()));
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

/// Reads pages newest first, keeping the items `keep` accepts, until the last page or a
/// page whose items all started before `since` (an empty page included).
async fn read_back_to<T, F, Fut>(
    since: Date,
    mut read_page: F,
    start_time: impl Fn(&T) -> Timestamp,
    keep: impl Fn(&T) -> bool,
) -> Result<Vec<T>, HistoryError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, HistoryError>>,
{
    let mut kept = Vec::new();
    let mut token = None;
    loop {
        let page = read_page(token).await?;
        let older = page
            .items
            .iter()
            .all(|item| crate::utc::day(start_time(item)) < since);
        kept.extend(page.items.into_iter().filter(|item| keep(item)));
        token = page.next_token;
        if token.is_none() || older {
            return Ok(kept);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use crate::fixtures::ts;
    use jiff::civil::date;

    use super::*;
    use crate::batch::decode_object;
    use crate::ports::WriteError;
    use crate::row::{ActionExecutionSummary, ExecutionSummary};

    /// Pages of executions and actions by token (`None` = first page); records the calls.
    #[derive(Default)]
    struct PagedHistory {
        executions: BTreeMap<Option<String>, Page<ExecutionSummary>>,
        actions: BTreeMap<Option<String>, Page<ActionExecutionSummary>>,
        calls: Mutex<Vec<String>>,
    }

    impl PipelineHistory for PagedHistory {
        async fn pipeline_executions(
            &self,
            pipeline: &str,
            next_token: Option<String>,
        ) -> Result<Page<ExecutionSummary>, HistoryError> {
            self.calls
                .lock()
                .unwrap()
                .push(format!("executions {pipeline} {next_token:?}"));
            Ok(self
                .executions
                .get(&next_token)
                .cloned()
                .unwrap_or_default())
        }

        async fn action_executions(
            &self,
            pipeline: &str,
            next_token: Option<String>,
        ) -> Result<Page<ActionExecutionSummary>, HistoryError> {
            self.calls
                .lock()
                .unwrap()
                .push(format!("actions {pipeline} {next_token:?}"));
            Ok(self.actions.get(&next_token).cloned().unwrap_or_default())
        }
    }

    /// Keeps objects in memory; refuses keys containing `refuse`.
    #[derive(Default)]
    struct Memory {
        objects: Mutex<BTreeMap<String, Vec<u8>>>,
        refuse: Option<&'static str>,
    }

    impl ObjectWriter for Memory {
        async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), WriteError> {
            if self.refuse.is_some_and(|r| key.contains(r)) {
                return Err(WriteError(format!("refused {key}")));
            }
            self.objects.lock().unwrap().insert(key.to_owned(), bytes);
            Ok(())
        }
    }

    fn execution(id: &str, start: Timestamp) -> ExecutionSummary {
        ExecutionSummary {
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            pipeline: "web".into(),
            execution_id: id.into(),
            status: "Succeeded".into(),
            start_time: start,
            last_update_time: Some(start + jiff::SignedDuration::from_mins(5)),
            trigger_type: None,
            trigger_detail: None,
            commit_id: None,
            branch: None,
        }
    }

    fn action(execution_id: &str, start: Timestamp) -> ActionExecutionSummary {
        ActionExecutionSummary {
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            pipeline: "web".into(),
            execution_id: execution_id.into(),
            stage: "Build".into(),
            action: "Build".into(),
            action_execution_id: Some(format!("a-{execution_id}")),
            status: "Succeeded".into(),
            start_time: start,
            last_update_time: Some(start + jiff::SignedDuration::from_mins(1)),
            owner: None,
            category: None,
            provider: None,
            version: None,
            external_execution_id: None,
            external_execution_url: None,
            summary: None,
            error_code: None,
        }
    }

    /// Page 1: x3 (03-12), x2 (03-10); page 2: x1 (02-20, before `since`); page 3 is never
    /// read. Actions likewise, one per execution.
    fn history() -> PagedHistory {
        let (t3, t2, t1) = (
            ts("2026-03-12T10:00:00Z"),
            ts("2026-03-10T10:00:00Z"),
            ts("2026-02-20T10:00:00Z"),
        );
        fn page<T>(items: Vec<T>, next: &str) -> Page<T> {
            Page {
                items,
                next_token: Some(next.to_owned()),
            }
        }
        let mut h = PagedHistory::default();
        h.executions.insert(
            None,
            page(vec![execution("x3", t3), execution("x2", t2)], "e2"),
        );
        h.executions
            .insert(Some("e2".into()), page(vec![execution("x1", t1)], "e3"));
        h.actions
            .insert(None, page(vec![action("x3", t3), action("x2", t2)], "a2"));
        h.actions
            .insert(Some("a2".into()), page(vec![action("x1", t1)], "a3"));
        h
    }

    fn request() -> BackfillRequest {
        BackfillRequest {
            pipelines: vec!["web".into()],
            since: date(2026, 3, 1),
            until: date(2026, 3, 31),
            prefix: "events".into(),
        }
    }

    #[tokio::test]
    async fn pages_are_read_back_to_the_first_one_older_than_the_period() {
        let history = history();
        let writer = Memory::default();
        let summary = backfill(&request(), &history, &writer, &mut ())
            .await
            .unwrap();
        assert_eq!((summary.executions, summary.actions), (2, 2));
        // Each execution and each action: a STARTED row and a SUCCEEDED row.
        assert_eq!(summary.rows, 8);
        assert_eq!(
            *history.calls.lock().unwrap(),
            [
                "executions web None",
                "executions web Some(\"e2\")",
                "actions web None",
                "actions web Some(\"a2\")",
            ]
        );
        let objects = writer.objects.lock().unwrap();
        let keys: Vec<&String> = objects.keys().collect();
        assert_eq!(keys.len(), 2, "one object per day: {keys:?}");
        assert!(
            keys.iter()
                .all(|k| k.starts_with("events/dt=2026-03-1") && k.contains("/backfill-web-"))
        );
        let rows: usize = objects
            .values()
            .map(|b| decode_object(b).unwrap().len())
            .sum();
        assert_eq!(rows, 8);
        assert_eq!(summary.objects.len(), 2);
    }

    #[tokio::test]
    async fn a_failed_write_is_listed_and_the_rest_is_written() {
        let writer = Memory {
            refuse: Some("dt=2026-03-10"),
            ..Memory::default()
        };
        let summary = backfill(&request(), &history(), &writer, &mut ())
            .await
            .unwrap();
        assert_eq!(summary.objects.len(), 1);
        assert_eq!(summary.failed_objects.len(), 1);
        assert!(summary.failed_objects[0].1.contains("refused"));
    }

    #[tokio::test]
    async fn an_empty_period_is_an_error() {
        let request = BackfillRequest {
            until: date(2026, 2, 1),
            ..request()
        };
        let error = backfill(&request, &history(), &Memory::default(), &mut ())
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "--until 2026-02-01 is before --since 2026-03-01"
        );
    }
}
