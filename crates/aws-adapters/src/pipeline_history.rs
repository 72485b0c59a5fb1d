//! [`PipelineHistory`] over the CodePipeline SDK: `ListPipelineExecutions` and
//! `ListActionExecutions`, one page per call, as the plain summaries of
//! `pipeline_metrics::row` (the backfill's input).

use aws_sdk_codepipeline::error::DisplayErrorContext;
use aws_sdk_codepipeline::primitives::DateTime;
use jiff::Timestamp;

use pipeline_metrics::ports::{HistoryError, Page, PipelineHistory};
use pipeline_metrics::row::{ActionExecutionSummary, ExecutionSummary};

/// Reads pipeline history with a CodePipeline client.
#[derive(Clone, Debug)]
pub struct CodePipelineHistory {
    client: aws_sdk_codepipeline::Client,
    account: String,
    region: String,
}

impl CodePipelineHistory {
    /// History read with `client`; `account` and `region` go into the rows (the API
    /// returns neither).
    pub fn new(client: aws_sdk_codepipeline::Client, account: String, region: String) -> Self {
        Self {
            client,
            account,
            region,
        }
    }

    /// History read with `client`, in the client's region.
    pub fn in_client_region(client: aws_sdk_codepipeline::Client, account: String) -> Self {
        let region = client
            .config()
            .region()
            .map(|r| r.to_string())
            .unwrap_or_default();
        Self::new(client, account, region)
    }
}

/// An SDK timestamp in UTC; `None` if out of range.
fn utc(t: &DateTime) -> Option<Timestamp> {
    Timestamp::from_nanosecond(t.as_nanos()).ok()
}

/// Whether `text` is 7 to 64 hexadecimal characters (a git commit id).
fn looks_like_commit(text: &str) -> bool {
    (7..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A page of `items` and the listing's next token (an empty token is the last page).
fn page<T>(items: Vec<T>, next_token: Option<&str>) -> Page<T> {
    Page {
        items,
        next_token: next_token.filter(|t| !t.is_empty()).map(str::to_owned),
    }
}

/// The error of a failed call, naming the operation and the pipeline.
fn call_failed(
    operation: &str,
    pipeline: &str,
    error: impl std::error::Error + 'static,
) -> HistoryError {
    HistoryError(format!(
        "CodePipeline {operation} {pipeline} failed: {}",
        DisplayErrorContext(error)
    ))
}

impl PipelineHistory for CodePipelineHistory {
    async fn pipeline_executions(
        &self,
        pipeline: &str,
        next_token: Option<String>,
    ) -> Result<Page<ExecutionSummary>, HistoryError> {
        let output = self
            .client
            .list_pipeline_executions()
            .pipeline_name(pipeline)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| call_failed("ListPipelineExecutions", pipeline, e))?;
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
            let trigger = s.trigger();
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
                trigger_type: trigger
                    .and_then(|t| t.trigger_type())
                    .map(|t| t.as_str().to_owned()),
                trigger_detail: trigger
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
        Ok(page(items, output.next_token()))
    }

    async fn action_executions(
        &self,
        pipeline: &str,
        next_token: Option<String>,
    ) -> Result<Page<ActionExecutionSummary>, HistoryError> {
        let output = self
            .client
            .list_action_executions()
            .pipeline_name(pipeline)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| call_failed("ListActionExecutions", pipeline, e))?;
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
        Ok(page(items, output.next_token()))
    }
}
