//! Tolerant serde types for CodePipeline's EventBridge events.
//!
//! CodePipeline sends three detail-types: [`PIPELINE_DETAIL_TYPE`], [`STAGE_DETAIL_TYPE`]
//! and [`ACTION_DETAIL_TYPE`]. Real events vary more than the documentation says, so the
//! types here accept:
//!
//! - `version` and `pipeline-execution-attempt` as an integer (`4`), a float (`4.0`) or a
//!   string (`"4"`); anything else (a fraction, text, an object) becomes `None` rather than
//!   an error;
//! - `type.version` as a string or a number (kept as text);
//! - missing `execution-trigger`, `start-time`, `execution-result`,
//!   `pipeline-execution-attempt`, `action-execution-id`, artifacts (older events);
//! - states this crate does not know, kept as text in [`ExecutionState::Other`];
//! - fields it does not know, ignored.
//!
//! Only what a row cannot do without is required: the envelope's `id`, `detail-type` and
//! `time` (RFC 3339), and the detail's `pipeline`, `execution-id` and `state`, plus
//! `stage` (stage and action events) and `action` (action events).

use std::fmt;

mod readers;

use readers::{flex_count, flex_text};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `detail-type` of a pipeline execution state change.
pub const PIPELINE_DETAIL_TYPE: &str = "CodePipeline Pipeline Execution State Change";
/// `detail-type` of a stage execution state change.
pub const STAGE_DETAIL_TYPE: &str = "CodePipeline Stage Execution State Change";
/// `detail-type` of an action execution state change.
pub const ACTION_DETAIL_TYPE: &str = "CodePipeline Action Execution State Change";
/// `source` of every CodePipeline event.
pub const EVENT_SOURCE: &str = "aws.codepipeline";

/// Why an event could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The text is not JSON, or the envelope lacks `id`, `detail-type`, `time` or `detail`.
    #[error("not an EventBridge event: {0}")]
    Envelope(#[source] serde_json::Error),
    /// The `detail-type` is not one of the three CodePipeline execution state changes.
    #[error("event {id}: unsupported detail-type {detail_type:?}")]
    UnsupportedDetailType {
        /// The event's `id`.
        id: String,
        /// The `detail-type` found.
        detail_type: String,
    },
    /// The `detail` lacks a required field or has one of the wrong type.
    #[error("event {id}: bad {detail_type:?} detail: {source}")]
    Detail {
        /// The event's `id`.
        id: String,
        /// The event's `detail-type`.
        detail_type: String,
        /// What serde found wrong.
        #[source]
        source: serde_json::Error,
    },
    /// The envelope's `time` is not an RFC 3339 timestamp.
    #[error("event {id}: time {time:?} is not an RFC 3339 timestamp")]
    Time {
        /// The event's `id`.
        id: String,
        /// The `time` found.
        time: String,
    },
}

/// Which of the three detail-types an event (and so a row) is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A whole pipeline execution.
    Pipeline,
    /// One stage of a pipeline execution.
    Stage,
    /// One action of a stage.
    Action,
}

impl Level {
    /// The level's column value: `pipeline`, `stage` or `action`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Pipeline => "pipeline",
            Level::Stage => "stage",
            Level::Action => "action",
        }
    }

    /// The level of a `detail-type`, if it is one of the three.
    pub fn from_detail_type(detail_type: &str) -> Option<Level> {
        match detail_type {
            PIPELINE_DETAIL_TYPE => Some(Level::Pipeline),
            STAGE_DETAIL_TYPE => Some(Level::Stage),
            ACTION_DETAIL_TYPE => Some(Level::Action),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `state` of a pipeline, stage or action execution.
///
/// Pipelines and stages report STARTED, SUCCEEDED, RESUMED, FAILED, CANCELED, STOPPING,
/// STOPPED and SUPERSEDED; actions also ABANDONED. Matching is case-insensitive and the
/// API's spellings (`Cancelled`, `InProgress`) are accepted, so backfilled history maps
/// onto the same states. Anything else is kept verbatim in [`ExecutionState::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExecutionState {
    /// STARTED (the API's `InProgress`).
    Started,
    /// SUCCEEDED.
    Succeeded,
    /// RESUMED: a failed execution retried.
    Resumed,
    /// FAILED.
    Failed,
    /// CANCELED (the API spells it `Cancelled`).
    Canceled,
    /// STOPPING: a stop was requested.
    Stopping,
    /// STOPPED.
    Stopped,
    /// SUPERSEDED: a newer execution overtook this one.
    Superseded,
    /// ABANDONED: an action left behind by a stop-and-abandon (actions only).
    Abandoned,
    /// A state this crate does not know, as sent.
    Other(String),
}

impl ExecutionState {
    /// Reads a state; never fails (unknown text becomes [`ExecutionState::Other`]).
    pub fn parse(text: &str) -> ExecutionState {
        let known = [
            ("STARTED", ExecutionState::Started),
            ("INPROGRESS", ExecutionState::Started),
            ("IN_PROGRESS", ExecutionState::Started),
            ("SUCCEEDED", ExecutionState::Succeeded),
            ("RESUMED", ExecutionState::Resumed),
            ("FAILED", ExecutionState::Failed),
            ("CANCELED", ExecutionState::Canceled),
            ("CANCELLED", ExecutionState::Canceled),
            ("STOPPING", ExecutionState::Stopping),
            ("STOPPED", ExecutionState::Stopped),
            ("SUPERSEDED", ExecutionState::Superseded),
            ("ABANDONED", ExecutionState::Abandoned),
        ];
        let trimmed = text.trim();
        known
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(trimmed))
            .map(|(_, state)| state)
            .unwrap_or_else(|| ExecutionState::Other(text.to_owned()))
    }

    /// The state as CodePipeline events spell it (`SUCCEEDED`, ...), or the unknown text.
    pub fn as_str(&self) -> &str {
        match self {
            ExecutionState::Started => "STARTED",
            ExecutionState::Succeeded => "SUCCEEDED",
            ExecutionState::Resumed => "RESUMED",
            ExecutionState::Failed => "FAILED",
            ExecutionState::Canceled => "CANCELED",
            ExecutionState::Stopping => "STOPPING",
            ExecutionState::Stopped => "STOPPED",
            ExecutionState::Superseded => "SUPERSEDED",
            ExecutionState::Abandoned => "ABANDONED",
            ExecutionState::Other(text) => text,
        }
    }

    /// Whether the state ends an execution: SUCCEEDED, FAILED, CANCELED, STOPPED,
    /// SUPERSEDED or ABANDONED. Unknown states are not terminal.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ExecutionState::Succeeded
                | ExecutionState::Failed
                | ExecutionState::Canceled
                | ExecutionState::Stopped
                | ExecutionState::Superseded
                | ExecutionState::Abandoned
        )
    }
}

impl fmt::Display for ExecutionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ExecutionState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ExecutionState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StateVisitor;
        impl Visitor<'_> for StateVisitor {
            type Value = ExecutionState;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an execution state string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ExecutionState::parse(v))
            }
        }
        deserializer.deserialize_str(StateVisitor)
    }
}

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
    pub time: OffsetDateTime,
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

/// `detail` of a [`PIPELINE_DETAIL_TYPE`] event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PipelineDetail {
    /// Pipeline name.
    pub pipeline: String,
    /// Pipeline execution id.
    pub execution_id: String,
    /// New state.
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
    /// What started the execution (missing in older events).
    #[serde(default)]
    pub execution_trigger: Option<ExecutionTrigger>,
    /// Result details, on some failures.
    #[serde(default)]
    pub execution_result: Option<ExecutionResult>,
}

/// `detail` of a [`STAGE_DETAIL_TYPE`] event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct StageDetail {
    /// Pipeline name.
    pub pipeline: String,
    /// Pipeline execution id.
    pub execution_id: String,
    /// Stage name.
    pub stage: String,
    /// New state of the stage.
    pub state: ExecutionState,
    /// Pipeline structure version.
    #[serde(default, deserialize_with = "flex_count")]
    pub version: Option<u32>,
    /// `pipeline-execution-attempt`.
    #[serde(default, deserialize_with = "flex_count")]
    pub pipeline_execution_attempt: Option<u32>,
    /// `start-time` of the pipeline execution, as sent.
    #[serde(default, deserialize_with = "flex_text")]
    pub start_time: Option<String>,
    /// What started the pipeline execution.
    #[serde(default)]
    pub execution_trigger: Option<ExecutionTrigger>,
    /// Result details, on some failures.
    #[serde(default)]
    pub execution_result: Option<ExecutionResult>,
}

/// `detail` of an [`ACTION_DETAIL_TYPE`] event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ActionDetail {
    /// Pipeline name.
    pub pipeline: String,
    /// Pipeline execution id.
    pub execution_id: String,
    /// Stage name.
    pub stage: String,
    /// Action name.
    pub action: String,
    /// New state of the action.
    pub state: ExecutionState,
    /// `action-execution-id` (missing in older events).
    #[serde(default, deserialize_with = "flex_text")]
    pub action_execution_id: Option<String>,
    /// Region the action runs in (cross-region actions differ from the envelope's).
    #[serde(default, deserialize_with = "flex_text")]
    pub region: Option<String>,
    /// The action type.
    #[serde(default, rename = "type")]
    pub action_type: Option<ActionType>,
    /// Pipeline structure version.
    #[serde(default, deserialize_with = "flex_count")]
    pub version: Option<u32>,
    /// `pipeline-execution-attempt`.
    #[serde(default, deserialize_with = "flex_count")]
    pub pipeline_execution_attempt: Option<u32>,
    /// `start-time` of the pipeline execution, as sent.
    #[serde(default, deserialize_with = "flex_text")]
    pub start_time: Option<String>,
    /// What started the pipeline execution.
    #[serde(default)]
    pub execution_trigger: Option<ExecutionTrigger>,
    /// What the provider reported (on SUCCEEDED and FAILED).
    #[serde(default)]
    pub execution_result: Option<ExecutionResult>,
    /// Input artifacts.
    #[serde(default)]
    pub input_artifacts: Option<Vec<Artifact>>,
    /// Output artifacts.
    #[serde(default)]
    pub output_artifacts: Option<Vec<Artifact>>,
}

/// One parsed CodePipeline event, by detail-type.
#[derive(Debug, Clone, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "one event lives briefly on the stack; boxing would cost an allocation per action event"
)]
pub enum CodePipelineEvent {
    /// A pipeline execution state change.
    Pipeline(Envelope<PipelineDetail>),
    /// A stage execution state change.
    Stage(Envelope<StageDetail>),
    /// An action execution state change.
    Action(Envelope<ActionDetail>),
}

/// The envelope fields shared by every detail-type, as read before the detail.
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    id: String,
    #[serde(rename = "detail-type")]
    detail_type: String,
    #[serde(default, deserialize_with = "flex_text")]
    source: Option<String>,
    #[serde(default, deserialize_with = "flex_text")]
    account: Option<String>,
    time: String,
    #[serde(default, deserialize_with = "flex_text")]
    region: Option<String>,
    #[serde(default)]
    resources: Option<Vec<String>>,
    #[serde(borrow)]
    detail: &'a RawValue,
}

/// Parses one EventBridge event (the JSON text of an SQS message body, or a file).
pub fn parse_event(json: &str) -> Result<CodePipelineEvent, EventError> {
    let raw: RawEnvelope<'_> = serde_json::from_str(json).map_err(EventError::Envelope)?;
    let Some(level) = Level::from_detail_type(&raw.detail_type) else {
        return Err(EventError::UnsupportedDetailType {
            id: raw.id,
            detail_type: raw.detail_type,
        });
    };
    let Some(time) = parse_timestamp(&raw.time) else {
        return Err(EventError::Time {
            id: raw.id,
            time: raw.time,
        });
    };
    let detail_json = raw.detail.get();
    Ok(match level {
        Level::Pipeline => CodePipelineEvent::Pipeline(wrap(raw, time, detail_json)?),
        Level::Stage => CodePipelineEvent::Stage(wrap(raw, time, detail_json)?),
        Level::Action => CodePipelineEvent::Action(wrap(raw, time, detail_json)?),
    })
}

/// Parses the detail as `D` and puts it in its envelope.
fn wrap<'a, D: Deserialize<'a>>(
    raw: RawEnvelope<'_>,
    time: OffsetDateTime,
    detail_json: &'a str,
) -> Result<Envelope<D>, EventError> {
    let detail = match serde_json::from_str(detail_json) {
        Ok(detail) => detail,
        Err(source) => {
            return Err(EventError::Detail {
                id: raw.id,
                detail_type: raw.detail_type,
                source,
            });
        }
    };
    Ok(Envelope {
        id: raw.id,
        detail_type: raw.detail_type,
        source: raw.source.unwrap_or_default(),
        account: raw.account.unwrap_or_default(),
        time,
        region: raw.region.unwrap_or_default(),
        resources: raw.resources.unwrap_or_default(),
        detail,
    })
}

impl CodePipelineEvent {
    /// The level (detail-type) of the event.
    pub fn level(&self) -> Level {
        match self {
            CodePipelineEvent::Pipeline(_) => Level::Pipeline,
            CodePipelineEvent::Stage(_) => Level::Stage,
            CodePipelineEvent::Action(_) => Level::Action,
        }
    }

    /// The event `id`.
    pub fn id(&self) -> &str {
        match self {
            CodePipelineEvent::Pipeline(e) => &e.id,
            CodePipelineEvent::Stage(e) => &e.id,
            CodePipelineEvent::Action(e) => &e.id,
        }
    }

    /// The event `time` (UTC).
    pub fn time(&self) -> OffsetDateTime {
        match self {
            CodePipelineEvent::Pipeline(e) => e.time,
            CodePipelineEvent::Stage(e) => e.time,
            CodePipelineEvent::Action(e) => e.time,
        }
    }

    /// The pipeline name.
    pub fn pipeline(&self) -> &str {
        match self {
            CodePipelineEvent::Pipeline(e) => &e.detail.pipeline,
            CodePipelineEvent::Stage(e) => &e.detail.pipeline,
            CodePipelineEvent::Action(e) => &e.detail.pipeline,
        }
    }

    /// The pipeline execution id.
    pub fn execution_id(&self) -> &str {
        match self {
            CodePipelineEvent::Pipeline(e) => &e.detail.execution_id,
            CodePipelineEvent::Stage(e) => &e.detail.execution_id,
            CodePipelineEvent::Action(e) => &e.detail.execution_id,
        }
    }

    /// The new state.
    pub fn state(&self) -> &ExecutionState {
        match self {
            CodePipelineEvent::Pipeline(e) => &e.detail.state,
            CodePipelineEvent::Stage(e) => &e.detail.state,
            CodePipelineEvent::Action(e) => &e.detail.state,
        }
    }
}

/// Parses an RFC 3339 timestamp (`2026-03-14T09:58:01Z`, `...01.412Z`, `...+02:00`) into
/// UTC; `None` if it is not one.
pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .map(|t| t.to_offset(time::UtcOffset::UTC))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn pipeline(json: &str) -> Envelope<PipelineDetail> {
        match parse_event(json).unwrap() {
            CodePipelineEvent::Pipeline(e) => e,
            other => panic!("expected a pipeline event, got {other:?}"),
        }
    }

    fn stage(json: &str) -> Envelope<StageDetail> {
        match parse_event(json).unwrap() {
            CodePipelineEvent::Stage(e) => e,
            other => panic!("expected a stage event, got {other:?}"),
        }
    }

    fn action(json: &str) -> Envelope<ActionDetail> {
        match parse_event(json).unwrap() {
            CodePipelineEvent::Action(e) => e,
            other => panic!("expected an action event, got {other:?}"),
        }
    }

    /// The pipeline-started fixture with its detail's `field` replaced by `value` (JSON).
    fn started_with(field: &str, value: &str) -> String {
        let mut event: serde_json::Value =
            serde_json::from_str(fixtures::PIPELINE_STARTED).unwrap();
        event["detail"][field] = serde_json::from_str(value).unwrap();
        event.to_string()
    }

    #[test]
    fn every_fixture_parses() {
        for (name, json) in fixtures::ALL {
            let event = parse_event(json).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!event.id().is_empty(), "{name}");
        }
    }

    #[test]
    fn pipeline_started_has_every_field() {
        let e = pipeline(fixtures::PIPELINE_STARTED);
        assert_eq!(e.id, "0d9b0d6e-2f43-4c67-9b9a-1c6e5f3a0001");
        assert_eq!(e.detail_type, PIPELINE_DETAIL_TYPE);
        assert_eq!(e.source, EVENT_SOURCE);
        assert_eq!(e.account, "123456789012");
        assert_eq!(e.region, "eu-west-1");
        assert_eq!(e.time, time::macros::datetime!(2026-03-14 09:58:02 UTC));
        assert_eq!(
            e.resources,
            ["arn:aws:codepipeline:eu-west-1:123456789012:web-app-prod"]
        );
        let d = e.detail;
        assert_eq!(d.pipeline, "web-app-prod");
        assert_eq!(d.execution_id, "3f1c2b7e-5a0d-4e8f-9c61-2d7b8a4e1001");
        assert_eq!(d.state, ExecutionState::Started);
        assert_eq!(d.version, Some(4));
        assert_eq!(d.pipeline_execution_attempt, Some(1));
        assert_eq!(d.start_time.as_deref(), Some("2026-03-14T09:58:01.412Z"));
        let trigger = d.execution_trigger.unwrap();
        assert_eq!(
            trigger.trigger_type.as_deref(),
            Some("StartPipelineExecution")
        );
        assert!(trigger.trigger_detail.unwrap().contains("commit-filter"));
        assert_eq!(d.execution_result, None);
    }

    #[test]
    fn every_pipeline_state_parses() {
        let states = [
            ("STARTED", ExecutionState::Started),
            ("SUCCEEDED", ExecutionState::Succeeded),
            ("RESUMED", ExecutionState::Resumed),
            ("FAILED", ExecutionState::Failed),
            ("CANCELED", ExecutionState::Canceled),
            ("STOPPING", ExecutionState::Stopping),
            ("STOPPED", ExecutionState::Stopped),
            ("SUPERSEDED", ExecutionState::Superseded),
        ];
        for (text, state) in states {
            let e = pipeline(&started_with("state", &format!("{text:?}")));
            assert_eq!(e.detail.state, state);
            assert_eq!(e.detail.state.as_str(), text);
        }
        // The fixtures for the common states say the same.
        assert_eq!(
            pipeline(fixtures::PIPELINE_SUCCEEDED).detail.state,
            ExecutionState::Succeeded
        );
        assert_eq!(
            pipeline(fixtures::PIPELINE_FAILED).detail.state,
            ExecutionState::Failed
        );
        assert_eq!(
            pipeline(fixtures::PIPELINE_RESUMED).detail.state,
            ExecutionState::Resumed
        );
        assert_eq!(
            pipeline(fixtures::PIPELINE_SUPERSEDED).detail.state,
            ExecutionState::Superseded
        );
        assert_eq!(
            pipeline(fixtures::PIPELINE_STOPPED).detail.state,
            ExecutionState::Stopped
        );
    }

    #[test]
    fn state_spellings_and_unknown_states() {
        assert_eq!(ExecutionState::parse("Cancelled"), ExecutionState::Canceled);
        assert_eq!(ExecutionState::parse("InProgress"), ExecutionState::Started);
        assert_eq!(
            ExecutionState::parse("succeeded"),
            ExecutionState::Succeeded
        );
        let e = pipeline(fixtures::PIPELINE_UNKNOWN_STATE);
        assert_eq!(e.detail.state, ExecutionState::Other("QUEUED".into()));
        assert_eq!(e.detail.state.as_str(), "QUEUED");
        assert!(!e.detail.state.is_terminal());
    }

    #[test]
    fn terminal_states() {
        let terminal = [
            "SUCCEEDED",
            "FAILED",
            "CANCELED",
            "STOPPED",
            "SUPERSEDED",
            "ABANDONED",
        ];
        let running = ["STARTED", "RESUMED", "STOPPING"];
        for s in terminal {
            assert!(ExecutionState::parse(s).is_terminal(), "{s}");
        }
        for s in running {
            assert!(!ExecutionState::parse(s).is_terminal(), "{s}");
        }
    }

    #[test]
    fn version_and_attempt_as_int_float_or_string() {
        for (json, expected) in [
            ("4", Some(4)),
            ("4.0", Some(4)),
            ("\"4\"", Some(4)),
            ("\" 4 \"", Some(4)),
            ("\"4.0\"", Some(4)),
            ("null", None),
            ("4.5", None),
            ("-1", None),
            ("\"latest\"", None),
            ("{\"n\": 4}", None),
            ("[4]", None),
            ("true", None),
        ] {
            let e = pipeline(&started_with("version", json));
            assert_eq!(e.detail.version, expected, "version {json}");
            let e = pipeline(&started_with("pipeline-execution-attempt", json));
            assert_eq!(
                e.detail.pipeline_execution_attempt, expected,
                "attempt {json}"
            );
        }
        let e = pipeline(fixtures::PIPELINE_STARTED_VERSION_STRING);
        assert_eq!(e.detail.version, Some(7));
        assert_eq!(e.detail.pipeline_execution_attempt, Some(1));
    }

    #[test]
    fn legacy_pipeline_event_without_optional_fields() {
        let e = pipeline(fixtures::PIPELINE_STARTED_LEGACY);
        assert_eq!(e.detail.version, Some(1));
        assert_eq!(e.detail.pipeline_execution_attempt, None);
        assert_eq!(e.detail.start_time, None);
        assert_eq!(e.detail.execution_trigger, None);
        assert_eq!(e.detail.execution_result, None);
    }

    #[test]
    fn pipeline_failed_has_execution_result() {
        let r = pipeline(fixtures::PIPELINE_FAILED)
            .detail
            .execution_result
            .unwrap();
        assert_eq!(r.error_code.as_deref(), Some("JobFailed"));
        assert!(
            r.external_execution_summary
                .unwrap()
                .contains("COMMAND_EXECUTION_ERROR")
        );
    }

    #[test]
    fn stage_events() {
        let e = stage(fixtures::STAGE_STARTED);
        assert_eq!(e.detail.stage, "Source");
        assert_eq!(e.detail.state, ExecutionState::Started);
        assert_eq!(e.detail.execution_trigger, None);
        let e = stage(fixtures::STAGE_SUCCEEDED);
        assert_eq!(e.detail.state, ExecutionState::Succeeded);
        assert!(e.detail.execution_trigger.is_some());
        let e = stage(fixtures::STAGE_FAILED);
        assert_eq!(e.detail.stage, "Build");
        assert_eq!(e.detail.state, ExecutionState::Failed);
        assert_eq!(e.detail.version, Some(4));
        assert_eq!(e.detail.pipeline_execution_attempt, Some(1));
    }

    #[test]
    fn action_events() {
        let e = action(fixtures::ACTION_STARTED);
        assert_eq!(e.detail.stage, "Deploy");
        assert_eq!(e.detail.action, "DeployToProd");
        let t = e.detail.action_type.unwrap();
        assert_eq!(t.owner.as_deref(), Some("AWS"));
        assert_eq!(t.category.as_deref(), Some("Deploy"));
        assert_eq!(t.provider.as_deref(), Some("CodeDeploy"));
        assert_eq!(t.version.as_deref(), Some("1"));
        assert_eq!(e.detail.input_artifacts.unwrap().len(), 1);

        let e = action(fixtures::ACTION_SUCCEEDED_SOURCE);
        let r = e.detail.execution_result.unwrap();
        assert_eq!(
            r.external_execution_id.as_deref(),
            Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b")
        );
        let out = e.detail.output_artifacts.unwrap();
        assert_eq!(out[0].name.as_deref(), Some("SourceArtifact"));
        assert_eq!(
            out[0].s3location.as_ref().unwrap().bucket.as_deref(),
            Some("codepipeline-eu-west-1-123456789012")
        );

        let e = action(fixtures::ACTION_FAILED);
        assert_eq!(e.detail.state, ExecutionState::Failed);
        assert_eq!(
            e.detail.execution_result.unwrap().error_code.as_deref(),
            Some("JobFailed")
        );
        assert_eq!(e.detail.output_artifacts, Some(vec![]));
    }

    #[test]
    fn action_abandoned() {
        let e = action(fixtures::ACTION_ABANDONED);
        assert_eq!(e.detail.state, ExecutionState::Abandoned);
        assert_eq!(e.detail.state.as_str(), "ABANDONED");
        assert!(e.detail.state.is_terminal());
    }

    #[test]
    fn legacy_action_with_integer_type_version() {
        let e = action(fixtures::ACTION_STARTED_LEGACY);
        assert_eq!(e.detail.action_type.unwrap().version.as_deref(), Some("1"));
        assert_eq!(e.detail.action_execution_id, None);
        assert_eq!(e.detail.pipeline_execution_attempt, None);
        assert_eq!(e.detail.version, Some(1));
        assert_eq!(e.detail.start_time, None);
    }

    #[test]
    fn type_version_as_float_or_null() {
        let mut event: serde_json::Value = serde_json::from_str(fixtures::ACTION_STARTED).unwrap();
        event["detail"]["type"]["version"] = serde_json::json!(2.0);
        let e = action(&event.to_string());
        assert_eq!(e.detail.action_type.unwrap().version.as_deref(), Some("2"));
        event["detail"]["type"]["version"] = serde_json::Value::Null;
        let e = action(&event.to_string());
        assert_eq!(e.detail.action_type.unwrap().version, None);
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let json = started_with("some-future-field", r#"{"nested": [1, 2, 3]}"#);
        assert_eq!(pipeline(&json).detail.state, ExecutionState::Started);
    }

    #[test]
    fn errors_name_what_is_wrong() {
        assert!(matches!(
            parse_event("not json"),
            Err(EventError::Envelope(_))
        ));
        let other = fixtures::PIPELINE_STARTED
            .replace(PIPELINE_DETAIL_TYPE, "CodeCommit Repository State Change");
        match parse_event(&other) {
            Err(EventError::UnsupportedDetailType { id, detail_type }) => {
                assert_eq!(id, "0d9b0d6e-2f43-4c67-9b9a-1c6e5f3a0001");
                assert_eq!(detail_type, "CodeCommit Repository State Change");
            }
            other => panic!("{other:?}"),
        }
        let mut event: serde_json::Value =
            serde_json::from_str(fixtures::PIPELINE_STARTED).unwrap();
        event["detail"]
            .as_object_mut()
            .unwrap()
            .remove("execution-id");
        let err = parse_event(&event.to_string()).unwrap_err();
        assert!(matches!(err, EventError::Detail { .. }), "{err:?}");
        assert!(err.to_string().contains("execution-id"), "{err}");
        let bad_time = fixtures::PIPELINE_STARTED.replace("2026-03-14T09:58:02Z", "yesterday");
        assert!(matches!(
            parse_event(&bad_time),
            Err(EventError::Time { .. })
        ));
    }

    #[test]
    fn action_event_without_action_name_is_an_error() {
        let mut event: serde_json::Value = serde_json::from_str(fixtures::ACTION_STARTED).unwrap();
        event["detail"].as_object_mut().unwrap().remove("action");
        assert!(matches!(
            parse_event(&event.to_string()),
            Err(EventError::Detail { .. })
        ));
    }

    #[test]
    fn timestamps_with_offsets_become_utc() {
        let t = parse_timestamp("2026-03-15T01:30:00+02:00").unwrap();
        assert_eq!(t, time::macros::datetime!(2026-03-14 23:30:00 UTC));
        assert_eq!(t.offset(), time::UtcOffset::UTC);
        assert_eq!(parse_timestamp("2026-03-14"), None);
    }
}
