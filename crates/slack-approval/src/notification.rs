//! The notification CodePipeline publishes to SNS when a manual-approval action starts.
//!
//! The SNS record's `Message` is a JSON string like this one (the shape of the sample in
//! CodePipeline's documentation; `externalEntityLink` and `customData` are optional, and
//! `expires` has no seconds):
//!
//! ```json
//! {
//!   "region": "us-east-2",
//!   "consoleLink": "https://console.aws.amazon.com/codepipeline/home?region=us-east-2#/view/MyFirstPipeline",
//!   "approval": {
//!     "pipelineName": "MyFirstPipeline",
//!     "stageName": "MyApprovalStage",
//!     "actionName": "MyApprovalAction",
//!     "token": "1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN",
//!     "expires": "2016-07-07T20:22Z",
//!     "externalEntityLink": "http://example.com",
//!     "approvalReviewLink": "https://console.aws.amazon.com/codepipeline/home?region=us-east-2#/view/MyFirstPipeline/MyApprovalStage/MyApprovalAction/approve/1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN",
//!     "customData": "Review the latest changes and approve or reject within seven days."
//!   }
//! }
//! ```
//!
//! Unknown fields are ignored; a missing required field is an error naming it, like:
//! missing field `approval.token`.

use serde_json::Value;

use crate::approval::ApprovalRef;
use crate::fields::{FieldError, Obj};
use crate::timestamp::{Timestamp, TimestampError};

/// A parsed manual-approval notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalNotification {
    /// The pipeline's region, like `us-east-2`.
    pub region: String,
    /// Link to the pipeline in the console.
    pub console_link: String,
    /// The approval itself.
    pub approval: ApprovalDetails,
}

/// The `approval` object of a notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalDetails {
    /// Pipeline name.
    pub pipeline_name: String,
    /// Stage name.
    pub stage_name: String,
    /// Approval action name.
    pub action_name: String,
    /// Token of this execution of the action, needed by `PutApprovalResult`.
    pub token: String,
    /// When the approval expires (CodePipeline gives minutes only).
    pub expires: Timestamp,
    /// The action's "URL for review", when configured.
    pub external_entity_link: Option<String>,
    /// Link to the approve / reject page in the console.
    pub approval_review_link: String,
    /// The action's comments, when configured.
    pub custom_data: Option<String>,
}

/// A notification that cannot be read. The inner error is in the message, not a
/// `source`, so that it is printed once.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    /// The message is not JSON.
    #[error("approval notification is not JSON: {0}")]
    NotJson(serde_json::Error),
    /// A field is missing, empty or of the wrong type.
    #[error("approval notification: {0}")]
    Field(FieldError),
    /// `approval.expires` is not a date-time.
    #[error("approval notification: field `approval.expires`: {0}")]
    BadExpires(TimestampError),
}

impl From<serde_json::Error> for NotificationError {
    fn from(error: serde_json::Error) -> Self {
        Self::NotJson(error)
    }
}

impl From<FieldError> for NotificationError {
    fn from(error: FieldError) -> Self {
        Self::Field(error)
    }
}

impl From<TimestampError> for NotificationError {
    fn from(error: TimestampError) -> Self {
        Self::BadExpires(error)
    }
}

/// Parses the JSON string of an SNS record's `Message`.
pub fn parse_notification(message: &str) -> Result<ApprovalNotification, NotificationError> {
    let doc: Value = serde_json::from_str(message)?;
    let root = Obj::root(&doc)?;
    let approval = Obj::child(root.object("approval")?, "approval");
    let details = ApprovalDetails {
        pipeline_name: approval.str("pipelineName")?.to_owned(),
        stage_name: approval.str("stageName")?.to_owned(),
        action_name: approval.str("actionName")?.to_owned(),
        token: approval.str("token")?.to_owned(),
        expires: Timestamp::parse(approval.str("expires")?)?,
        external_entity_link: approval.opt_str("externalEntityLink")?.map(str::to_owned),
        approval_review_link: approval.str("approvalReviewLink")?.to_owned(),
        custom_data: approval.opt_str("customData")?.map(str::to_owned),
    };
    Ok(ApprovalNotification {
        region: root.str("region")?.to_owned(),
        console_link: root.str("consoleLink")?.to_owned(),
        approval: details,
    })
}

impl ApprovalNotification {
    /// The reference the message's buttons carry, without commit information.
    pub fn approval_ref(&self) -> ApprovalRef {
        ApprovalRef {
            pipeline: self.approval.pipeline_name.clone(),
            stage: self.approval.stage_name.clone(),
            action: self.approval.action_name.clone(),
            token: self.approval.token.clone(),
            commit_id: None,
            commit_author: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{
      "region": "us-east-2",
      "consoleLink": "https://console.aws.amazon.com/codepipeline/home?region=us-east-2#/view/MyFirstPipeline",
      "approval": {
        "pipelineName": "MyFirstPipeline",
        "stageName": "MyApprovalStage",
        "actionName": "MyApprovalAction",
        "token": "1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN",
        "expires": "2016-07-07T20:22Z",
        "externalEntityLink": "http://example.com",
        "approvalReviewLink": "https://console.aws.amazon.com/codepipeline/home?region=us-east-2#/view/MyFirstPipeline/MyApprovalStage/MyApprovalAction/approve/1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN",
        "customData": "Review the latest changes and approve or reject within seven days."
      }
    }"#;

    #[test]
    fn parses_the_documented_sample() {
        let n = parse_notification(FULL).unwrap();
        assert_eq!(n.region, "us-east-2");
        assert_eq!(n.approval.pipeline_name, "MyFirstPipeline");
        assert_eq!(n.approval.token, "1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN");
        assert_eq!(n.approval.expires.to_string(), "2016-07-07T20:22:00Z");
        assert_eq!(
            n.approval.external_entity_link.as_deref(),
            Some("http://example.com")
        );
        assert!(n.approval.custom_data.is_some());
        let r = n.approval_ref();
        assert_eq!(
            r.describe(),
            "MyFirstPipeline / MyApprovalStage / MyApprovalAction"
        );
    }

    #[test]
    fn names_the_missing_field() {
        let doc = FULL.replace(r#""token": "1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN","#, "");
        let err = parse_notification(&doc).unwrap_err().to_string();
        assert_eq!(err, "approval notification: missing field `approval.token`");
        let err = parse_notification(r#"{"region":"x","consoleLink":"y"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`approval`"), "{err}");
    }
}
