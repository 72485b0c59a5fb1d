//! The level (detail-type) and the `state` of an execution, as events and the API spell
//! them.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::{ACTION_DETAIL_TYPE, PIPELINE_DETAIL_TYPE, STAGE_DETAIL_TYPE};

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
