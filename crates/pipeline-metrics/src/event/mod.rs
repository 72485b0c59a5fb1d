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

mod detail;
mod readers;
mod state;
#[cfg(test)]
mod tests;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

pub use crate::utc::parse_timestamp;
pub use detail::{
    ActionDetail, ActionType, Artifact, Envelope, ExecutionDetail, ExecutionResult,
    ExecutionTrigger, PipelineDetail, S3Location, StageDetail,
};
use readers::flex_text;
pub use state::{ExecutionState, Level};

/// `detail-type` of a pipeline execution state change.
pub const PIPELINE_DETAIL_TYPE: &str = "CodePipeline Pipeline Execution State Change";
/// `detail-type` of a stage execution state change.
pub const STAGE_DETAIL_TYPE: &str = "CodePipeline Stage Execution State Change";
/// `detail-type` of an action execution state change.
pub const ACTION_DETAIL_TYPE: &str = "CodePipeline Action Execution State Change";
/// `source` of every CodePipeline event.
pub const EVENT_SOURCE: &str = "aws.codepipeline";

/// Why an event could not be read. serde's errors are in the messages, not `source`s, so
/// that they are printed once.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The text is not JSON, or the envelope lacks `id`, `detail-type`, `time` or `detail`.
    #[error("not an EventBridge event: {0}")]
    Envelope(serde_json::Error),
    /// The `detail-type` is not one of the three CodePipeline execution state changes.
    #[error("event {id}: unsupported detail-type {detail_type:?}")]
    UnsupportedDetailType {
        /// The event's `id`.
        id: String,
        /// The `detail-type` found.
        detail_type: String,
    },
    /// The `detail` lacks a required field or has one of the wrong type.
    #[error("event {id}: bad {detail_type:?} detail: {error}")]
    Detail {
        /// The event's `id`.
        id: String,
        /// The event's `detail-type`.
        detail_type: String,
        /// What serde found wrong.
        error: serde_json::Error,
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
    time: Timestamp,
    detail_json: &'a str,
) -> Result<Envelope<D>, EventError> {
    let detail = match serde_json::from_str(detail_json) {
        Ok(detail) => detail,
        Err(error) => {
            return Err(EventError::Detail {
                id: raw.id,
                detail_type: raw.detail_type,
                error,
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
    pub fn time(&self) -> Timestamp {
        match self {
            CodePipelineEvent::Pipeline(e) => e.time,
            CodePipelineEvent::Stage(e) => e.time,
            CodePipelineEvent::Action(e) => e.time,
        }
    }

    /// The pipeline execution's fields, whatever the level.
    pub fn execution(&self) -> &ExecutionDetail {
        match self {
            CodePipelineEvent::Pipeline(e) => &e.detail,
            CodePipelineEvent::Stage(e) => &e.detail.execution,
            CodePipelineEvent::Action(e) => &e.detail.execution,
        }
    }

    /// The pipeline name.
    pub fn pipeline(&self) -> &str {
        &self.execution().pipeline
    }

    /// The pipeline execution id.
    pub fn execution_id(&self) -> &str {
        &self.execution().execution_id
    }

    /// The new state.
    pub fn state(&self) -> &ExecutionState {
        &self.execution().state
    }
}
