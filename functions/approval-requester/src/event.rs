//! The two events the function receives:
//!
//! - an SNS event whose records carry CodePipeline approval notifications (the JSON string
//!   in `Sns.Message`, parsed by [`slack_approval::notification`]);
//! - an EventBridge `CodePipeline Action Execution State Change` of an `Approval`-category
//!   action, which says that an approval ended (`SUCCEEDED`, `FAILED`, `ABANDONED`,
//!   `CANCELED`) or started (`STARTED`, ignored).
//!
//! The state-change detail is read tolerantly: `version` and
//! `pipeline-execution-attempt` may be floats or strings and are not read at all.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::sns::SnsEvent;
use serde_json::Value;
pub use slack_approval::requests::ActionStateChange;

/// The detail-type of action state changes.
pub const ACTION_STATE_CHANGE: &str = "CodePipeline Action Execution State Change";

/// An event of this function.
#[derive(Clone, Debug, PartialEq)]
pub enum RequesterEvent {
    /// SNS records: each one's `Message`.
    Notifications(Vec<String>),
    /// An approval action's state changed.
    ActionStateChange(ActionStateChange),
    /// Another EventBridge event (another category or detail-type): ignored.
    Ignored {
        /// Why, for the log.
        why: String,
    },
}

/// An event that is neither.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// Not an SNS event nor an EventBridge event.
    #[error("neither an SNS event (Records) nor an EventBridge event (detail-type)")]
    Unknown,
    /// An SNS event that does not parse.
    #[error("SNS event: {0}")]
    Sns(serde_json::Error),
    /// An EventBridge event that does not parse.
    #[error("EventBridge event: {0}")]
    EventBridge(serde_json::Error),
}

/// Tells the two kinds apart and parses them.
pub fn parse_event(event: Value) -> Result<RequesterEvent, EventError> {
    if event.get("Records").is_some() {
        let sns: SnsEvent = serde_json::from_value(event).map_err(EventError::Sns)?;
        return Ok(RequesterEvent::Notifications(
            sns.records.into_iter().map(|r| r.sns.message).collect(),
        ));
    }
    let Some(detail_type) = event.get("detail-type").and_then(Value::as_str) else {
        return Err(EventError::Unknown);
    };
    if detail_type != ACTION_STATE_CHANGE {
        return Ok(RequesterEvent::Ignored {
            why: format!("detail-type {detail_type}"),
        });
    }
    let parsed: EventBridgeEvent<ActionStateChange> =
        serde_json::from_value(event).map_err(EventError::EventBridge)?;
    let mut change = parsed.detail;
    if change.action_type.category != "Approval" {
        return Ok(RequesterEvent::Ignored {
            why: format!("action category {}", change.action_type.category),
        });
    }
    change.time = parsed.time.map(|t| t.timestamp()).unwrap_or_default();
    Ok(RequesterEvent::ActionStateChange(change))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../events/approval-requester")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn reads_the_sns_sample() {
        let RequesterEvent::Notifications(messages) =
            parse_event(sample("approval-notification.json")).unwrap()
        else {
            panic!("not notifications")
        };
        assert_eq!(messages.len(), 1);
        assert!(messages[0].contains("\"pipelineName\":\"web-prod\""));
    }

    #[test]
    fn reads_the_state_change_sample() {
        let RequesterEvent::ActionStateChange(change) =
            parse_event(sample("approval-action-succeeded.json")).unwrap()
        else {
            panic!("not a state change")
        };
        assert_eq!(change.pipeline, "web-prod");
        assert_eq!(change.state, "SUCCEEDED");
        assert!(change.time > 0);
    }

    #[test]
    fn ignores_other_categories_and_refuses_garbage() {
        let mut event = sample("approval-action-succeeded.json");
        event["detail"]["type"]["category"] = "Build".into();
        assert!(matches!(
            parse_event(event).unwrap(),
            RequesterEvent::Ignored { .. }
        ));
        assert!(parse_event(serde_json::json!({"hello": 1})).is_err());
        let mut event = sample("approval-action-succeeded.json");
        event["detail"]
            .as_object_mut()
            .unwrap()
            .remove("execution-id");
        assert!(parse_event(event).is_err());
    }
}
