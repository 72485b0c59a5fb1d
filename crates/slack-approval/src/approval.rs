//! The approval reference: what `PutApprovalResult` needs to name one pending approval,
//! carried from the Slack message's buttons back to the handler.

use serde::{Deserialize, Serialize};

/// Slack's limit on a button's `value`, in characters.
pub const MAX_BUTTON_VALUE_CHARS: usize = 2000;

/// One pending manual approval: pipeline, stage, action and token, plus what the requester
/// knew of the commit being approved.
///
/// Serialised as compact JSON with one-letter keys (`{"p":..,"s":..,"a":..,"t":..}`) so it
/// fits a button's 2000-character `value` with room to spare. Slack returns the value
/// unchanged in the signed interaction payload, so the handler can trust it once the
/// signature is verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRef {
    /// Pipeline name.
    #[serde(rename = "p")]
    pub pipeline: String,
    /// Stage name.
    #[serde(rename = "s")]
    pub stage: String,
    /// Approval action name.
    #[serde(rename = "a")]
    pub action: String,
    /// The approval token of this execution of the action.
    #[serde(rename = "t")]
    pub token: String,
    /// The commit being approved, when the requester found it.
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub commit_id: Option<String>,
    /// Slack user id of the commit's author, when the requester could map it; used to
    /// refuse self-approval.
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub commit_author: Option<String>,
}

/// A button value that is not an approval reference, or one that does not fit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalRefError {
    /// The encoded reference is longer than Slack allows.
    #[error("approval reference is {len} characters; Slack allows at most {max}")]
    TooLong {
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The value is not the JSON of an approval reference.
    #[error("approval reference is not valid: {0}")]
    Malformed(String),
    /// A required part is empty.
    #[error("approval reference has an empty {0}")]
    Empty(&'static str),
}

impl ApprovalRef {
    /// The approval store's key of this approval ([`crate::ports::approval_key`]).
    pub fn store_key(&self) -> String {
        crate::ports::approval_key(&self.pipeline, &self.stage, &self.action, &self.token)
    }

    /// The compact JSON for a button value, or [`ApprovalRefError::TooLong`] past 2000 chars.
    pub fn to_button_value(&self) -> Result<String, ApprovalRefError> {
        let value =
            serde_json::to_string(self).map_err(|e| ApprovalRefError::Malformed(e.to_string()))?;
        let len = value.chars().count();
        if len > MAX_BUTTON_VALUE_CHARS {
            return Err(ApprovalRefError::TooLong {
                len,
                max: MAX_BUTTON_VALUE_CHARS,
            });
        }
        Ok(value)
    }

    /// Reads a button value written by [`ApprovalRef::to_button_value`]. Unknown keys are
    /// ignored (messages posted by a newer release stay clickable after a rollback).
    pub fn from_button_value(value: &str) -> Result<Self, ApprovalRefError> {
        let len = value.chars().count();
        if len > MAX_BUTTON_VALUE_CHARS {
            return Err(ApprovalRefError::TooLong {
                len,
                max: MAX_BUTTON_VALUE_CHARS,
            });
        }
        let parsed: Self =
            serde_json::from_str(value).map_err(|e| ApprovalRefError::Malformed(e.to_string()))?;
        parsed.check()?;
        Ok(parsed)
    }

    /// Errors when pipeline, stage, action or token is empty.
    pub fn check(&self) -> Result<(), ApprovalRefError> {
        for (name, part) in [
            ("pipeline", &self.pipeline),
            ("stage", &self.stage),
            ("action", &self.action),
            ("token", &self.token),
        ] {
            if part.trim().is_empty() {
                return Err(ApprovalRefError::Empty(name));
            }
        }
        Ok(())
    }

    /// `pipeline / stage / action`, for messages and logs (never includes the token).
    pub fn describe(&self) -> String {
        format!("{} / {} / {}", self.pipeline, self.stage, self.action)
    }
}

/// The result of an approval, as `PutApprovalResult` spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApprovalStatus {
    /// The pipeline goes on.
    Approved,
    /// The action fails and the pipeline stops.
    Rejected,
}

impl ApprovalStatus {
    /// `"Approved"` or `"Rejected"`, the API's values.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "Approved",
            Self::Rejected => "Rejected",
        }
    }
}

impl std::fmt::Display for ApprovalStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ApprovalRef {
        ApprovalRef {
            pipeline: "web-prod".into(),
            stage: "Approve".into(),
            action: "ManualApproval".into(),
            token: "1a2b3c4d-573f-4ea7-a67e-0123456789ab".into(),
            commit_id: None,
            commit_author: None,
        }
    }

    #[test]
    fn round_trips_as_compact_json() {
        let r = sample();
        let v = r.to_button_value().unwrap();
        assert_eq!(
            v,
            r#"{"p":"web-prod","s":"Approve","a":"ManualApproval","t":"1a2b3c4d-573f-4ea7-a67e-0123456789ab"}"#
        );
        assert_eq!(ApprovalRef::from_button_value(&v).unwrap(), r);
    }

    #[test]
    fn longest_names_codepipeline_allows_still_fit() {
        // CodePipeline caps pipeline, stage and action names at 100 characters.
        let r = ApprovalRef {
            pipeline: "p".repeat(100),
            stage: "s".repeat(100),
            action: "a".repeat(100),
            token: "t".repeat(36),
            commit_id: Some("c".repeat(40)),
            commit_author: Some("U".repeat(20)),
        };
        let v = r.to_button_value().unwrap();
        assert!(v.len() < 500, "{}", v.len());
    }

    #[test]
    fn refuses_values_that_do_not_fit_or_are_not_references() {
        let mut r = sample();
        r.pipeline = "x".repeat(2000);
        assert!(matches!(
            r.to_button_value(),
            Err(ApprovalRefError::TooLong { .. })
        ));
        assert!(ApprovalRef::from_button_value(&"x".repeat(2001)).is_err());
        assert!(ApprovalRef::from_button_value("approve").is_err());
        assert!(ApprovalRef::from_button_value(r#"{"p":"a","s":"b","a":"c"}"#).is_err());
        assert_eq!(
            ApprovalRef::from_button_value(r#"{"p":"a","s":" ","a":"c","t":"d"}"#),
            Err(ApprovalRefError::Empty("stage"))
        );
        assert!(
            ApprovalRef::from_button_value(r#"{"p":"a","s":"b","a":"c","t":"d","z":1}"#).is_ok()
        );
    }
}
