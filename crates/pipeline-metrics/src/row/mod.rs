//! One CodePipeline event as one flat row: the schema of the Glue table.
//!
//! Every event becomes one [`Row`], whatever its level; columns that do not apply to a
//! level are null (a pipeline row has no `stage` or `action`). The field names below are
//! the column names, in this order, and never change meaning:
//!
//! | column | Glue type | from |
//! |---|---|---|
//! | `event_id` | string | envelope `id` (the deduplication key) |
//! | `event_time` | string (RFC 3339, UTC) | envelope `time` |
//! | `level` | string | `pipeline`, `stage` or `action` (the detail-type) |
//! | `account` | string | envelope `account` |
//! | `region` | string | envelope `region` |
//! | `pipeline` | string | `detail.pipeline` |
//! | `execution_id` | string | `detail.execution-id` |
//! | `attempt` | int | `detail.pipeline-execution-attempt` (null in older events) |
//! | `pipeline_version` | int | `detail.version` |
//! | `stage` | string | `detail.stage` |
//! | `action` | string | `detail.action` |
//! | `action_execution_id` | string | `detail.action-execution-id` |
//! | `state` | string | `detail.state` (`SUCCEEDED`, ..., or unknown text as sent) |
//! | `action_owner` | string | `detail.type.owner` |
//! | `action_category` | string | `detail.type.category` |
//! | `action_provider` | string | `detail.type.provider` |
//! | `action_version` | string | `detail.type.version` |
//! | `action_region` | string | `detail.region` (action events) |
//! | `start_time` | string (RFC 3339, UTC) | `detail.start-time` (pipeline execution start) |
//! | `trigger_type` | string | `detail.execution-trigger.trigger-type` |
//! | `trigger_detail` | string | `detail.execution-trigger.trigger-detail` |
//! | `commit_id` | string | see [`commit_id`] |
//! | `branch` | string | see [`branch`] |
//! | `external_execution_id` | string | `detail.execution-result.external-execution-id` |
//! | `external_execution_url` | string | `detail.execution-result.external-execution-url` |
//! | `summary` | string | `detail.execution-result.external-execution-summary` |
//! | `error_code` | string | `detail.execution-result.error-code` |
//! | `error_summary` | string | `summary`, on FAILED rows only |
//! | `source` | string | `live` (EventBridge) or `backfill` (history import) |
//! | `raw_event` | string | the original event JSON, unchanged |
//!
//! Timestamps are strings so that any JSON SerDe reads them; in Athena use
//! `from_iso8601_timestamp(event_time)`. The partition column `dt` is not in the rows: it
//! is the object's key (see [`crate::batch`]).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

mod history;

pub use history::{ActionExecutionSummary, ExecutionSummary, backfill_action, backfill_execution};

use crate::event::{self, CodePipelineEvent, EventError, ExecutionState, Level};

/// Where a row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// An EventBridge event, as it happened.
    Live,
    /// History imported from `ListPipelineExecutions` / `ListActionExecutions`.
    Backfill,
}

/// One event as one row of the Glue table (see the module docs for every column).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Envelope `id`; the same event delivered twice has the same id.
    pub event_id: String,
    /// Envelope `time` (UTC): when the state changed.
    pub event_time: Timestamp,
    /// Pipeline, stage or action.
    pub level: Level,
    /// AWS account id.
    #[serde(default)]
    pub account: String,
    /// AWS region of the pipeline.
    #[serde(default)]
    pub region: String,
    /// Pipeline name.
    pub pipeline: String,
    /// Pipeline execution id.
    pub execution_id: String,
    /// `pipeline-execution-attempt` (1, 2 after a retry, ...).
    #[serde(default)]
    pub attempt: Option<u32>,
    /// Pipeline structure version.
    #[serde(default)]
    pub pipeline_version: Option<u32>,
    /// Stage name (stage and action rows).
    #[serde(default)]
    pub stage: Option<String>,
    /// Action name (action rows).
    #[serde(default)]
    pub action: Option<String>,
    /// Action execution id (action rows, recent events).
    #[serde(default)]
    pub action_execution_id: Option<String>,
    /// New state.
    pub state: ExecutionState,
    /// Action type owner (`AWS`, `ThirdParty`, `Custom`).
    #[serde(default)]
    pub action_owner: Option<String>,
    /// Action type category (`Source`, `Build`, `Deploy`, ...).
    #[serde(default)]
    pub action_category: Option<String>,
    /// Action type provider (`CodeBuild`, ...).
    #[serde(default)]
    pub action_provider: Option<String>,
    /// Action type version, as text.
    #[serde(default)]
    pub action_version: Option<String>,
    /// Region the action ran in.
    #[serde(default)]
    pub action_region: Option<String>,
    /// When the pipeline execution started (UTC), where the event says.
    #[serde(default)]
    pub start_time: Option<Timestamp>,
    /// What started the execution (`StartPipelineExecution`, `Webhook`, ...).
    #[serde(default)]
    pub trigger_type: Option<String>,
    /// Who or what started it (an ARN).
    #[serde(default)]
    pub trigger_detail: Option<String>,
    /// The commit the execution runs, where the row can tell (see [`commit_id`]).
    #[serde(default)]
    pub commit_id: Option<String>,
    /// The branch, where the row can tell (see [`branch`]).
    #[serde(default)]
    pub branch: Option<String>,
    /// The provider's id for this run (build id, deployment id, commit id).
    #[serde(default)]
    pub external_execution_id: Option<String>,
    /// The provider's link for this run.
    #[serde(default)]
    pub external_execution_url: Option<String>,
    /// The provider's summary (commit message, error text).
    #[serde(default)]
    pub summary: Option<String>,
    /// Error code of a failure (`JobFailed`, ...).
    #[serde(default)]
    pub error_code: Option<String>,
    /// The summary of a FAILED row: what went wrong.
    #[serde(default)]
    pub error_summary: Option<String>,
    /// Live event or backfilled history.
    pub source: Source,
    /// The original event JSON, unchanged.
    #[serde(default)]
    pub raw_event: String,
}

/// Normalizes one parsed event into a row; `raw_event` is the JSON it was parsed from.
pub fn from_event(event: &CodePipelineEvent, raw_event: &str, source: Source) -> Row {
    let (id, time, account, region, stage, action) = match event {
        CodePipelineEvent::Pipeline(e) => (&e.id, e.time, &e.account, &e.region, None, None),
        CodePipelineEvent::Stage(e) => (
            &e.id,
            e.time,
            &e.account,
            &e.region,
            Some(e.detail.stage.clone()),
            None,
        ),
        CodePipelineEvent::Action(e) => (
            &e.id,
            e.time,
            &e.account,
            &e.region,
            Some(e.detail.stage.clone()),
            Some(&e.detail),
        ),
    };
    let common = event.execution();
    let result = common.execution_result.clone().unwrap_or_default();
    let trigger = common.execution_trigger.clone().unwrap_or_default();
    let action_type = action
        .and_then(|a| a.action_type.clone())
        .unwrap_or_default();
    let failed = common.state == ExecutionState::Failed;
    let mut row = Row {
        event_id: id.clone(),
        event_time: time,
        level: event.level(),
        account: account.clone(),
        region: region.clone(),
        pipeline: common.pipeline.to_owned(),
        execution_id: common.execution_id.to_owned(),
        attempt: common.pipeline_execution_attempt,
        pipeline_version: common.version,
        stage,
        action: action.map(|a| a.action.clone()),
        action_execution_id: action.and_then(|a| a.action_execution_id.clone()),
        state: common.state.clone(),
        action_owner: action_type.owner,
        action_category: action_type.category,
        action_provider: action_type.provider,
        action_version: action_type.version,
        action_region: action.and_then(|a| a.region.clone()),
        start_time: common
            .start_time
            .as_deref()
            .and_then(event::parse_timestamp),
        trigger_type: trigger.trigger_type,
        trigger_detail: trigger.trigger_detail,
        commit_id: None,
        branch: None,
        external_execution_id: result.external_execution_id,
        external_execution_url: result.external_execution_url,
        error_summary: if failed {
            result.external_execution_summary.clone()
        } else {
            None
        },
        summary: result.external_execution_summary,
        error_code: result.error_code,
        source,
        raw_event: raw_event.to_owned(),
    };
    row.commit_id = commit_id(&row);
    row.branch = branch(&row);
    row
}

/// Parses one event and normalizes it: what the Lambda does with each SQS message body.
pub fn from_json(raw_event: &str, source: Source) -> Result<Row, EventError> {
    let event = event::parse_event(raw_event)?;
    Ok(from_event(&event, raw_event, source))
}

/// A message whose body could not be made into a row.
#[derive(Debug)]
pub struct Rejected {
    /// The message id (the SQS `messageId`), to report as a batch item failure.
    pub message_id: String,
    /// Why.
    pub error: EventError,
}

/// Rows from a batch of `(message id, body)` pairs: every body that parses becomes a row,
/// every other one is returned with its error, so one bad message never loses the rest
/// (the Lambda reports the rejected ids as `batchItemFailures`).
pub fn from_messages<'a>(
    messages: impl IntoIterator<Item = (&'a str, &'a str)>,
    source: Source,
) -> (Vec<Row>, Vec<Rejected>) {
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    for (message_id, body) in messages {
        match from_json(body, source) {
            Ok(row) => rows.push(row),
            Err(error) => rejected.push(Rejected {
                message_id: message_id.to_owned(),
                error,
            }),
        }
    }
    (rows, rejected)
}

/// Source providers whose `external-execution-id` is not a commit (object versions, image
/// digests).
const NON_GIT_SOURCES: [&str; 2] = ["S3", "ECR"];

/// The commit id a row can tell, if any.
///
/// CodePipeline events carry the commit only in the `execution-result` of a **Source**
/// action: for git providers (CodeCommit, CodeStarSourceConnection, GitHub, ...) its
/// `external-execution-id` is the commit id. So: an action row of category `Source`,
/// provider not `S3` or `ECR`, whose external id is 7 to 64 hexadecimal characters.
/// Pipeline and stage rows have none; [`executions`](fn@crate::metrics::executions)
/// joins the execution's source action rows to find its commit.
pub fn commit_id(row: &Row) -> Option<String> {
    let is_source = row
        .action_category
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case("Source"));
    let git_provider = !row
        .action_provider
        .as_deref()
        .is_some_and(|p| NON_GIT_SOURCES.iter().any(|s| s.eq_ignore_ascii_case(p)));
    let id = row.external_execution_id.as_deref()?;
    (row.level == Level::Action && is_source && git_provider && looks_like_commit(id))
        .then(|| id.to_ascii_lowercase())
}

/// Whether `text` is 7 to 64 hexadecimal characters (an abbreviated or full SHA-1/SHA-256).
fn looks_like_commit(text: &str) -> bool {
    (7..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The branch a row can tell, if any.
///
/// CodePipeline events do not name the branch; some carry a git ref in text. The first
/// `refs/heads/<branch>` found in `trigger_detail`, then `summary`, then
/// `external_execution_url`, is the branch (up to a quote, whitespace, `?`, `#` or `&`).
/// Backfilled rows take the branch from the import instead.
pub fn branch(row: &Row) -> Option<String> {
    const REF: &str = "refs/heads/";
    [
        row.trigger_detail.as_deref(),
        row.summary.as_deref(),
        row.external_execution_url.as_deref(),
    ]
    .into_iter()
    .flatten()
    .find_map(|text| {
        let start = text.find(REF)? + REF.len();
        let rest = &text[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '?' | '#' | '&' | '\\'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        (!name.is_empty()).then(|| name.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::fixtures::ts;

    fn row(json: &str) -> Row {
        from_json(json, Source::Live).unwrap()
    }

    #[test]
    fn pipeline_row() {
        let r = row(fixtures::PIPELINE_STARTED);
        assert_eq!(r.event_id, "0d9b0d6e-2f43-4c67-9b9a-1c6e5f3a0001");
        assert_eq!(r.event_time, ts("2026-03-14T09:58:02Z"));
        assert_eq!(r.level, Level::Pipeline);
        assert_eq!(r.account, "123456789012");
        assert_eq!(r.region, "eu-west-1");
        assert_eq!(r.pipeline, "web-app-prod");
        assert_eq!(r.execution_id, "3f1c2b7e-5a0d-4e8f-9c61-2d7b8a4e1001");
        assert_eq!(r.attempt, Some(1));
        assert_eq!(r.pipeline_version, Some(4));
        assert_eq!(r.stage, None);
        assert_eq!(r.action, None);
        assert_eq!(r.state, ExecutionState::Started);
        assert_eq!(r.start_time, Some(ts("2026-03-14T09:58:01.412Z")));
        assert_eq!(r.trigger_type.as_deref(), Some("StartPipelineExecution"));
        assert_eq!(
            r.trigger_detail.as_deref(),
            Some("arn:aws:sts::123456789012:assumed-role/commit-filter-role/commit-filter")
        );
        assert_eq!(r.commit_id, None);
        assert_eq!(r.branch, None);
        assert_eq!(r.error_code, None);
        assert_eq!(r.source, Source::Live);
        assert_eq!(r.raw_event, fixtures::PIPELINE_STARTED);
    }

    #[test]
    fn failed_pipeline_row_has_error() {
        let r = row(fixtures::PIPELINE_FAILED);
        assert_eq!(r.state, ExecutionState::Failed);
        assert_eq!(r.error_code.as_deref(), Some("JobFailed"));
        assert_eq!(r.error_summary, r.summary);
        assert!(r.error_summary.unwrap().starts_with("Build terminated"));
        assert_eq!(r.trigger_type.as_deref(), Some("Webhook"));
    }

    #[test]
    fn stage_row() {
        let r = row(fixtures::STAGE_FAILED);
        assert_eq!(r.level, Level::Stage);
        assert_eq!(r.stage.as_deref(), Some("Build"));
        assert_eq!(r.action, None);
        assert_eq!(r.state, ExecutionState::Failed);
        assert_eq!(r.attempt, Some(1));
        assert_eq!(r.action_provider, None);
    }

    #[test]
    fn action_row() {
        let r = row(fixtures::ACTION_FAILED);
        assert_eq!(r.level, Level::Action);
        assert_eq!(r.stage.as_deref(), Some("Build"));
        assert_eq!(r.action.as_deref(), Some("UnitTests"));
        assert_eq!(
            r.action_execution_id.as_deref(),
            Some("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b0204")
        );
        assert_eq!(r.action_owner.as_deref(), Some("AWS"));
        assert_eq!(r.action_category.as_deref(), Some("Build"));
        assert_eq!(r.action_provider.as_deref(), Some("CodeBuild"));
        assert_eq!(r.action_version.as_deref(), Some("1"));
        assert_eq!(r.action_region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            r.external_execution_id.as_deref(),
            Some("web-app-build:0f4e6a3c-8d1b-4a92-b7e5-3c2d1e0f9a8b")
        );
        assert_eq!(r.error_code.as_deref(), Some("JobFailed"));
        assert!(r.error_summary.is_some());
        // A build id is not a commit.
        assert_eq!(r.commit_id, None);
    }

    #[test]
    fn source_action_rows_carry_the_commit() {
        let r = row(fixtures::ACTION_SUCCEEDED_SOURCE);
        assert_eq!(
            r.commit_id.as_deref(),
            Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b")
        );
        assert_eq!(r.summary.as_deref(), Some("Fix checkout rounding (#412)"));
        assert_eq!(r.error_summary, None);
        let r = row(fixtures::ACTION_SUCCEEDED_CONNECTION_SOURCE);
        assert_eq!(
            r.commit_id.as_deref(),
            Some("2c26b46b68ffc68ff99b453c1d30413413422d70")
        );
    }

    #[test]
    fn s3_source_is_not_a_commit() {
        let json = fixtures::ACTION_SUCCEEDED_SOURCE.replace("\"CodeCommit\"", "\"S3\"");
        assert_eq!(row(&json).commit_id, None);
    }

    #[test]
    fn branch_from_a_git_ref() {
        let json = fixtures::PIPELINE_STARTED.replace(
            "arn:aws:sts::123456789012:assumed-role/commit-filter-role/commit-filter",
            "refs/heads/release/2026-03",
        );
        assert_eq!(row(&json).branch.as_deref(), Some("release/2026-03"));
        let json = fixtures::ACTION_SUCCEEDED_SOURCE
            .replace("?region=eu-west-1", "?ref=refs/heads/main&region=eu-west-1");
        assert_eq!(row(&json).branch.as_deref(), Some("main"));
    }

    #[test]
    fn legacy_rows_have_nulls() {
        let r = row(fixtures::PIPELINE_STARTED_LEGACY);
        assert_eq!(r.attempt, None);
        assert_eq!(r.start_time, None);
        assert_eq!(r.trigger_type, None);
        assert_eq!(r.pipeline_version, Some(1));
        let r = row(fixtures::ACTION_STARTED_LEGACY);
        assert_eq!(r.action_version.as_deref(), Some("1"));
        assert_eq!(r.action_execution_id, None);
    }

    #[test]
    fn unknown_state_and_abandoned_rows() {
        assert_eq!(
            row(fixtures::PIPELINE_UNKNOWN_STATE).state.as_str(),
            "QUEUED"
        );
        assert_eq!(
            row(fixtures::ACTION_ABANDONED).state,
            ExecutionState::Abandoned
        );
    }

    #[test]
    fn json_columns_are_stable_snake_case() {
        let value = serde_json::to_value(row(fixtures::ACTION_FAILED)).unwrap();
        let columns: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = vec![
            "event_id",
            "event_time",
            "level",
            "account",
            "region",
            "pipeline",
            "execution_id",
            "attempt",
            "pipeline_version",
            "stage",
            "action",
            "action_execution_id",
            "state",
            "action_owner",
            "action_category",
            "action_provider",
            "action_version",
            "action_region",
            "start_time",
            "trigger_type",
            "trigger_detail",
            "commit_id",
            "branch",
            "external_execution_id",
            "external_execution_url",
            "summary",
            "error_code",
            "error_summary",
            "source",
            "raw_event",
        ];
        // serde_json's map is sorted by key unless preserve_order is on: compare as sets.
        let mut columns_sorted = columns.clone();
        columns_sorted.sort_unstable();
        expected.sort_unstable();
        assert_eq!(columns_sorted, expected);
        assert_eq!(value["event_time"], "2026-03-14T23:59:56Z");
        assert_eq!(value["level"], "action");
        assert_eq!(value["state"], "FAILED");
        assert_eq!(value["source"], "live");
        assert_eq!(value["start_time"], "2026-03-14T23:51:20.007Z");
        assert!(value["branch"].is_null());
    }

    #[test]
    fn rows_round_trip_through_json() {
        for (name, json) in fixtures::ALL {
            let r = row(json);
            let text = serde_json::to_string(&r).unwrap();
            assert!(!text.contains('\n'), "{name}: a row is one line");
            let back: Row = serde_json::from_str(&text).unwrap();
            assert_eq!(back, r, "{name}");
        }
    }

    #[test]
    fn sqs_samples_hold_what_they_say() {
        let bodies = fixtures::sqs_bodies(fixtures::SQS_BATCH);
        assert_eq!(bodies.len(), 3);
        for body in &bodies {
            let r = from_json(body, Source::Live).unwrap();
            assert_eq!(r.raw_event, *body);
        }
        let bodies = fixtures::sqs_bodies(fixtures::SQS_BATCH_WITH_BAD_RECORDS);
        let ids = ["m1", "m2", "m3", "m4", "m5"];
        let (rows, rejected) = from_messages(
            ids.iter().copied().zip(bodies.iter().map(String::as_str)),
            Source::Live,
        );
        assert_eq!(rows.len(), 3);
        let rejected_ids: Vec<&str> = rejected.iter().map(|r| r.message_id.as_str()).collect();
        assert_eq!(rejected_ids, ["m2", "m3"]);
        assert!(matches!(
            rejected[0].error,
            EventError::UnsupportedDetailType { .. }
        ));
        assert!(matches!(rejected[1].error, EventError::Envelope(_)));
    }

    #[test]
    fn backfilled_execution_rows() {
        let summary = ExecutionSummary {
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            pipeline: "web-app-prod".into(),
            execution_id: "exec-1".into(),
            status: "Succeeded".into(),
            start_time: ts("2026-01-02T10:00:00Z"),
            last_update_time: Some(ts("2026-01-02T10:12:00Z")),
            trigger_type: Some("Webhook".into()),
            trigger_detail: None,
            commit_id: Some("abc1234".into()),
            branch: Some("main".into()),
        };
        let rows = backfill_execution(&summary);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].event_id, "backfill:exec-1:STARTED");
        assert_eq!(rows[0].event_time, ts("2026-01-02T10:00:00Z"));
        assert_eq!(rows[1].event_id, "backfill:exec-1:SUCCEEDED");
        assert_eq!(rows[1].event_time, ts("2026-01-02T10:12:00Z"));
        assert!(rows.iter().all(|r| r.source == Source::Backfill));
        assert_eq!(rows[1].branch.as_deref(), Some("main"));
        let in_progress = ExecutionSummary {
            status: "InProgress".into(),
            ..summary
        };
        assert_eq!(backfill_execution(&in_progress).len(), 1);
    }

    #[test]
    fn backfilled_action_rows() {
        let summary = ActionExecutionSummary {
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            pipeline: "web-app-prod".into(),
            execution_id: "exec-1".into(),
            stage: "Source".into(),
            action: "Source".into(),
            action_execution_id: Some("ae-1".into()),
            status: "Succeeded".into(),
            start_time: ts("2026-01-02T10:00:00Z"),
            last_update_time: Some(ts("2026-01-02T10:00:09Z")),
            owner: Some("AWS".into()),
            category: Some("Source".into()),
            provider: Some("CodeCommit".into()),
            version: Some("1".into()),
            external_execution_id: Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b".into()),
            external_execution_url: None,
            summary: Some("msg".into()),
            error_code: None,
        };
        let rows = backfill_action(&summary);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].state, ExecutionState::Succeeded);
        assert_eq!(
            rows[1].event_id,
            "backfill:exec-1:Source:Source:ae-1:SUCCEEDED"
        );
        assert_eq!(
            rows[1].commit_id.as_deref(),
            Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b")
        );
        assert_eq!(rows[0].commit_id, None);
    }
}
