//! The envelope and the `detail` of each detail-type.

use jiff::Timestamp;
use serde::Deserialize;

use super::readers::{flex_count, flex_text};
use super::state::ExecutionState;

/// The EventBridge envelope around a CodePipeline detail.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope<D> {
    /// The event `id`; delivery is at least once, so this is the deduplication key.
    pub id: String,
    /// The `detail-type`.
    pub detail_type: String,
    /// The `source` (`aws.codepipeline`); empty if missing.
    pub source: String,
    /// The AWS account id; empty if missing.
    pub account: String,
    /// When the state changed (the envelope's `time`), in UTC.
    pub time: Timestamp,
    /// The region the event was sent from; empty if missing.
    pub region: String,
    /// The resources (the pipeline ARN).
    pub resources: Vec<String>,
    /// The detail-type's own fields.
    pub detail: D,
}

/// `execution-trigger`: what started the pipeline execution.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ExecutionTrigger {
    /// `trigger-type`: `StartPipelineExecution`, `Webhook`, `CloudWatchEvent`,
    /// `PollForSourceChanges`, `CreatePipeline`, `PutActionRevision`, ...
    #[serde(default, deserialize_with = "flex_text")]
    pub trigger_type: Option<String>,
    /// `trigger-detail`: the ARN of the caller, rule or connection.
    #[serde(default, deserialize_with = "flex_text")]
    pub trigger_detail: Option<String>,
}

/// `execution-result`: what the action provider reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ExecutionResult {
    /// `external-execution-id`: the provider's id (the commit id for git sources, the
    /// build id for CodeBuild, the deployment id for CodeDeploy).
    #[serde(default, deserialize_with = "flex_text")]
    pub external_execution_id: Option<String>,
    /// `external-execution-summary`: the provider's summary (commit message, error text).
    #[serde(default, deserialize_with = "flex_text")]
    pub external_execution_summary: Option<String>,
    /// `external-execution-url`: a link to the provider's page for this run.
    #[serde(default, deserialize_with = "flex_text")]
    pub external_execution_url: Option<String>,
    /// `error-code` on failures (`JobFailed`, ...).
    #[serde(default, deserialize_with = "flex_text")]
    pub error_code: Option<String>,
}

/// `type` of an action event: the action type id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ActionType {
    /// `AWS`, `ThirdParty` or `Custom`.
    #[serde(default, deserialize_with = "flex_text")]
    pub owner: Option<String>,
    /// `Source`, `Build`, `Test`, `Deploy`, `Approval`, `Invoke`, `Compute`.
    #[serde(default, deserialize_with = "flex_text")]
    pub category: Option<String>,
    /// `CodeCommit`, `CodeBuild`, `CodeDeploy`, `Manual`, ...
    #[serde(default, deserialize_with = "flex_text")]
    pub provider: Option<String>,
    /// The action type version, sent as `"1"` or `1`; kept as text.
    #[serde(default, deserialize_with = "flex_text")]
    pub version: Option<String>,
}

/// One input or output artifact of an action event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Artifact {
    /// The artifact name.
    #[serde(default, deserialize_with = "flex_text")]
    pub name: Option<String>,
    /// Where the artifact is stored.
    #[serde(default)]
    pub s3location: Option<S3Location>,
}

/// `s3location` of an artifact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct S3Location {
    /// Bucket name.
    #[serde(default, deserialize_with = "flex_text")]
    pub bucket: Option<String>,
    /// Object key.
    #[serde(default, deserialize_with = "flex_text")]
    pub key: Option<String>,
}

/// What every detail-type says of the pipeline execution: the whole `detail` of a
/// [`PIPELINE_DETAIL_TYPE`](super::PIPELINE_DETAIL_TYPE) event, and the part of a stage's
/// or an action's that is not about the stage or action.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ExecutionDetail {
    /// Pipeline name.
    pub pipeline: String,
    /// Pipeline execution id.
    pub execution_id: String,
    /// New state (of the pipeline, stage or action the event is about).
    pub state: ExecutionState,
    /// Pipeline structure version (`version`, int, float or string).
    #[serde(default, deserialize_with = "flex_count")]
    pub version: Option<u32>,
    /// `pipeline-execution-attempt`: 1, then 2, 3 after retries (missing in older events).
    #[serde(default, deserialize_with = "flex_count")]
    pub pipeline_execution_attempt: Option<u32>,
    /// `start-time` of the pipeline execution, as sent (missing in older events).
    #[serde(default, deserialize_with = "flex_text")]
    pub start_time: Option<String>,
    /// What started the pipeline execution (missing in older events).
    #[serde(default)]
    pub execution_trigger: Option<ExecutionTrigger>,
    /// Result details: on some pipeline and stage failures, and on actions that
    /// SUCCEEDED or FAILED (what the provider reported).
    #[serde(default)]
    pub execution_result: Option<ExecutionResult>,
}

/// `detail` of a [`PIPELINE_DETAIL_TYPE`](super::PIPELINE_DETAIL_TYPE) event: the
/// execution's fields and nothing else.
pub type PipelineDetail = ExecutionDetail;

/// `detail` of a [`STAGE_DETAIL_TYPE`](super::STAGE_DETAIL_TYPE) event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StageDetail {
    /// The pipeline execution's fields (`state` is the stage's).
    #[serde(flatten)]
    pub execution: ExecutionDetail,
    /// Stage name.
    pub stage: String,
}

/// `detail` of an [`ACTION_DETAIL_TYPE`](super::ACTION_DETAIL_TYPE) event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ActionDetail {
    /// The pipeline execution's fields (`state` is the action's).
    #[serde(flatten)]
    pub execution: ExecutionDetail,
    /// Stage name.
    pub stage: String,
    /// Action name.
    pub action: String,
    /// `action-execution-id` (missing in older events).
    #[serde(default, deserialize_with = "flex_text")]
    pub action_execution_id: Option<String>,
    /// Region the action runs in (cross-region actions differ from the envelope's).
    #[serde(default, deserialize_with = "flex_text")]
    pub region: Option<String>,
    /// The action type.
    #[serde(default, rename = "type")]
    pub action_type: Option<ActionType>,
    /// Input artifacts.
    #[serde(default)]
    pub input_artifacts: Option<Vec<Artifact>>,
    /// Output artifacts.
    #[serde(default)]
    pub output_artifacts: Option<Vec<Artifact>>,
}
