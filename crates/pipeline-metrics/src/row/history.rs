//! Rows from the history import (`metrics backfill`): CodePipeline's execution summaries,
//! in plain types so the SDK stays out of this crate, made into the same rows as live events.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Row, Source, commit_id};
use crate::event::{ExecutionState, Level};

/// One pipeline execution as `ListPipelineExecutions` reports it: the input of the
/// history import (`metrics backfill`), in plain types so the SDK stays out of this crate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionSummary {
    /// AWS account id.
    pub account: String,
    /// AWS region.
    pub region: String,
    /// Pipeline name.
    pub pipeline: String,
    /// `pipelineExecutionId`.
    pub execution_id: String,
    /// `status` as the API spells it (`InProgress`, `Succeeded`, `Failed`, `Stopped`,
    /// `Stopping`, `Superseded`, `Cancelled`).
    pub status: String,
    /// `startTime`.
    pub start_time: Timestamp,
    /// `lastUpdateTime`: the end, once the status is final.
    #[serde(default)]
    pub last_update_time: Option<Timestamp>,
    /// `trigger.triggerType`.
    #[serde(default)]
    pub trigger_type: Option<String>,
    /// `trigger.triggerDetail`.
    #[serde(default)]
    pub trigger_detail: Option<String>,
    /// `sourceRevisions[].revisionId` of the git source, if any.
    #[serde(default)]
    pub commit_id: Option<String>,
    /// The branch, if the importer knows it (from the source action's configuration).
    #[serde(default)]
    pub branch: Option<String>,
}

/// One action execution as `ListActionExecutions` reports it, for the history import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionExecutionSummary {
    /// AWS account id.
    pub account: String,
    /// AWS region.
    pub region: String,
    /// Pipeline name.
    pub pipeline: String,
    /// `pipelineExecutionId`.
    pub execution_id: String,
    /// `stageName`.
    pub stage: String,
    /// `actionName`.
    pub action: String,
    /// `actionExecutionId`.
    #[serde(default)]
    pub action_execution_id: Option<String>,
    /// `status` as the API spells it (`InProgress`, `Abandoned`, `Succeeded`, `Failed`).
    pub status: String,
    /// `startTime`.
    pub start_time: Timestamp,
    /// `lastUpdateTime`.
    #[serde(default)]
    pub last_update_time: Option<Timestamp>,
    /// `input.actionTypeId.owner`.
    #[serde(default)]
    pub owner: Option<String>,
    /// `input.actionTypeId.category`.
    #[serde(default)]
    pub category: Option<String>,
    /// `input.actionTypeId.provider`.
    #[serde(default)]
    pub provider: Option<String>,
    /// `input.actionTypeId.version`.
    #[serde(default)]
    pub version: Option<String>,
    /// `output.executionResult.externalExecutionId`.
    #[serde(default)]
    pub external_execution_id: Option<String>,
    /// `output.executionResult.externalExecutionUrl`.
    #[serde(default)]
    pub external_execution_url: Option<String>,
    /// `output.executionResult.externalExecutionSummary`.
    #[serde(default)]
    pub summary: Option<String>,
    /// `output.executionResult.errorDetails.code`.
    #[serde(default)]
    pub error_code: Option<String>,
}

/// Rows for one imported pipeline execution: a STARTED row at `start_time`, and, once the
/// status is past in progress, a row for that status at `last_update_time`.
///
/// Event ids are `backfill:{execution_id}:{STATE}`, so importing the same history twice
/// adds nothing after deduplication; `raw_event` is the summary as JSON.
pub fn backfill_execution(summary: &ExecutionSummary) -> Vec<Row> {
    let raw = serde_json::to_string(summary).unwrap_or_default();
    let base = |state: ExecutionState, at: Timestamp| Row {
        event_id: format!("backfill:{}:{}", summary.execution_id, state.as_str()),
        event_time: at,
        level: Level::Pipeline,
        account: summary.account.clone(),
        region: summary.region.clone(),
        pipeline: summary.pipeline.clone(),
        execution_id: summary.execution_id.clone(),
        attempt: None,
        pipeline_version: None,
        stage: None,
        action: None,
        action_execution_id: None,
        state,
        action_owner: None,
        action_category: None,
        action_provider: None,
        action_version: None,
        action_region: None,
        start_time: Some(summary.start_time),
        trigger_type: summary.trigger_type.clone(),
        trigger_detail: summary.trigger_detail.clone(),
        commit_id: summary.commit_id.clone(),
        branch: summary.branch.clone(),
        external_execution_id: None,
        external_execution_url: None,
        summary: None,
        error_code: None,
        error_summary: None,
        source: Source::Backfill,
        raw_event: raw.clone(),
    };
    let state = ExecutionState::parse(&summary.status);
    let mut rows = vec![base(ExecutionState::Started, summary.start_time)];
    if state != ExecutionState::Started {
        rows.push(base(
            state,
            summary.last_update_time.unwrap_or(summary.start_time),
        ));
    }
    rows
}

/// Rows for one imported action execution, like [`backfill_execution`]; event ids are
/// `backfill:{execution_id}:{stage}:{action}:{action_execution_id}:{STATE}`.
pub fn backfill_action(summary: &ActionExecutionSummary) -> Vec<Row> {
    let raw = serde_json::to_string(summary).unwrap_or_default();
    let base = |state: ExecutionState, at: Timestamp| {
        let failed = state == ExecutionState::Failed;
        let terminal = state.is_terminal();
        let mut row = Row {
            event_id: format!(
                "backfill:{}:{}:{}:{}:{}",
                summary.execution_id,
                summary.stage,
                summary.action,
                summary.action_execution_id.as_deref().unwrap_or(""),
                state.as_str()
            ),
            event_time: at,
            level: Level::Action,
            account: summary.account.clone(),
            region: summary.region.clone(),
            pipeline: summary.pipeline.clone(),
            execution_id: summary.execution_id.clone(),
            attempt: None,
            pipeline_version: None,
            stage: Some(summary.stage.clone()),
            action: Some(summary.action.clone()),
            action_execution_id: summary.action_execution_id.clone(),
            state,
            action_owner: summary.owner.clone(),
            action_category: summary.category.clone(),
            action_provider: summary.provider.clone(),
            action_version: summary.version.clone(),
            action_region: None,
            start_time: None,
            trigger_type: None,
            trigger_detail: None,
            commit_id: None,
            branch: None,
            external_execution_id: terminal
                .then(|| summary.external_execution_id.clone())
                .flatten(),
            external_execution_url: terminal
                .then(|| summary.external_execution_url.clone())
                .flatten(),
            summary: terminal.then(|| summary.summary.clone()).flatten(),
            error_code: failed.then(|| summary.error_code.clone()).flatten(),
            error_summary: failed.then(|| summary.summary.clone()).flatten(),
            source: Source::Backfill,
            raw_event: raw.clone(),
        };
        row.commit_id = commit_id(&row);
        row
    };
    let state = ExecutionState::parse(&summary.status);
    let mut rows = vec![base(ExecutionState::Started, summary.start_time)];
    if state != ExecutionState::Started {
        rows.push(base(
            state,
            summary.last_update_time.unwrap_or(summary.start_time),
        ));
    }
    rows
}
