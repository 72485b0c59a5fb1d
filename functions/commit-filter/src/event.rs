//! The EventBridge `CodeCommit Repository State Change` event.

use serde::Deserialize;

use pipeline_routing::{Push, Reference, ReferenceChange};
use pipeline_schedules::jiff::Timestamp;

/// The `detail` of a `CodeCommit Repository State Change` event.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeCommitDetail {
    /// `referenceCreated`, `referenceUpdated`, `referenceDeleted` or
    /// `unreferencedMergeCommitCreated`.
    pub event: String,
    /// The repository name.
    pub repository_name: String,
    /// `branch` or `tag` (absent on unreferenced merge commits).
    #[serde(default)]
    pub reference_type: Option<String>,
    /// The short reference name (`main`).
    #[serde(default)]
    pub reference_name: Option<String>,
    /// The commit the reference points at now.
    #[serde(default)]
    pub commit_id: Option<String>,
    /// The commit it pointed at before (absent on `referenceCreated`).
    #[serde(default)]
    pub old_commit_id: Option<String>,
    /// Who pushed (an IAM user or assumed-role ARN).
    #[serde(default)]
    pub caller_user_arn: Option<String>,
}

/// The envelope fields this function needs.
#[derive(Clone, Debug, Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "detail-type")]
    detail_type: String,
    source: String,
    /// When the push happened (RFC 3339); freezes are judged at this instant.
    #[serde(default)]
    time: Option<String>,
    detail: CodeCommitDetail,
}

/// Why an event is not a push this function can route.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// Not JSON of the expected shape.
    #[error("not a CodeCommit Repository State Change event: {0}")]
    Shape(#[from] serde_json::Error),
    /// Another kind of event.
    #[error(
        "unexpected event `{detail_type}` from `{source_name}`: this function takes `CodeCommit Repository State Change` from `aws.codecommit`"
    )]
    WrongKind {
        /// The event's detail-type.
        detail_type: String,
        /// The event's source.
        source_name: String,
    },
    /// An `event` value CodeCommit does not send.
    #[error("unknown CodeCommit event kind `{0}`")]
    UnknownChange(String),
    /// A reference type other than branch or tag.
    #[error("unknown reference type `{0}` (expected `branch` or `tag`)")]
    UnknownReferenceType(String),
    /// A required field is missing or empty.
    #[error("the event has no `{0}`")]
    Missing(&'static str),
    /// The event's `time` is not an RFC 3339 instant.
    #[error("the event's `time` `{0}` is not an RFC 3339 time")]
    BadTime(String),
}

/// Parses an EventBridge event into a push.
pub fn parse_push(event: serde_json::Value) -> Result<Push, EventError> {
    let envelope: Envelope = serde_json::from_value(event)?;
    if envelope.source != "aws.codecommit"
        || envelope.detail_type != "CodeCommit Repository State Change"
    {
        return Err(EventError::WrongKind {
            detail_type: envelope.detail_type,
            source_name: envelope.source,
        });
    }
    let detail = envelope.detail;
    if envelope.id.is_empty() {
        return Err(EventError::Missing("id"));
    }
    if detail.repository_name.is_empty() {
        return Err(EventError::Missing("detail.repositoryName"));
    }
    let change = match detail.event.as_str() {
        "referenceCreated" => ReferenceChange::ReferenceCreated,
        "referenceUpdated" => ReferenceChange::ReferenceUpdated,
        "referenceDeleted" => ReferenceChange::ReferenceDeleted,
        "unreferencedMergeCommitCreated" => ReferenceChange::UnreferencedMergeCommitCreated,
        other => return Err(EventError::UnknownChange(other.to_owned())),
    };
    let reference_name = detail.reference_name.unwrap_or_default();
    let reference = match detail.reference_type.as_deref() {
        Some("branch") => Reference::Branch(reference_name.clone()),
        Some("tag") => Reference::Tag(reference_name.clone()),
        // Unreferenced merge commits have no reference; nothing is routed for them.
        None if change == ReferenceChange::UnreferencedMergeCommitCreated => {
            Reference::Branch(reference_name.clone())
        }
        None => return Err(EventError::Missing("detail.referenceType")),
        Some(other) => return Err(EventError::UnknownReferenceType(other.to_owned())),
    };
    if reference_name.is_empty() && change != ReferenceChange::UnreferencedMergeCommitCreated {
        return Err(EventError::Missing("detail.referenceName"));
    }
    let commit_id = detail.commit_id.unwrap_or_default();
    if commit_id.is_empty()
        && matches!(
            change,
            ReferenceChange::ReferenceCreated | ReferenceChange::ReferenceUpdated
        )
    {
        return Err(EventError::Missing("detail.commitId"));
    }
    let old_commit_id = detail.old_commit_id.filter(|c| !c.is_empty());
    let time = match envelope.time.filter(|t| !t.trim().is_empty()) {
        None => None,
        Some(text) => Some(
            text.trim()
                .parse::<Timestamp>()
                .map_err(|_| EventError::BadTime(text.clone()))?,
        ),
    };
    Ok(Push {
        event_id: envelope.id,
        repository: detail.repository_name,
        reference,
        change,
        commit_id,
        old_commit_id,
        time,
        pushed_by: detail.caller_user_arn.filter(|c| !c.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(detail: serde_json::Value) -> serde_json::Value {
        json!({
            "version": "0",
            "id": "01234567-0123-0123-0123-012345678901",
            "detail-type": "CodeCommit Repository State Change",
            "source": "aws.codecommit",
            "account": "123456789012",
            "time": "2026-11-30T10:00:00Z",
            "region": "eu-west-1",
            "resources": ["arn:aws:codecommit:eu-west-1:123456789012:monorepo"],
            "detail": detail
        })
    }

    /// A valid branch update of `r` to `c`, with `field` set to the value (or removed).
    fn update_with((field, value): (&str, Option<serde_json::Value>)) -> serde_json::Value {
        let mut detail = json!({"event": "referenceUpdated", "repositoryName": "r", "referenceType": "branch", "referenceName": "m", "commitId": "c"});
        if let Some(detail) = detail.as_object_mut() {
            match value {
                Some(value) => detail.insert(field.to_owned(), value),
                None => detail.remove(field),
            };
        }
        event(detail)
    }

    #[test]
    fn parses_an_update() {
        let push = parse_push(event(json!({
            "event": "referenceUpdated",
            "repositoryName": "monorepo",
            "repositoryId": "abc",
            "referenceType": "branch",
            "referenceName": "main",
            "referenceFullName": "refs/heads/main",
            "commitId": "bbb",
            "oldCommitId": "aaa",
            "callerUserArn": "arn:aws:iam::123456789012:user/dev"
        })))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(push.reference, Reference::Branch("main".into()));
        assert_eq!(push.change, ReferenceChange::ReferenceUpdated);
        assert_eq!(push.old_commit_id.as_deref(), Some("aaa"));
        assert_eq!(push.event_id, "01234567-0123-0123-0123-012345678901");
    }

    #[test]
    fn rejects_bad_events_with_a_clear_reason() {
        let cases = [
            (json!({}), "not a CodeCommit"),
            (json!("just a string"), "not a CodeCommit"),
            (
                {
                    let mut e = event(json!({"event": "referenceUpdated", "repositoryName": "r"}));
                    e["detail-type"] = json!("CodePipeline Pipeline Execution State Change");
                    e
                },
                "unexpected event `CodePipeline Pipeline Execution State Change`",
            ),
            (
                update_with(("event", Some(json!("referenceRenamed")))),
                "unknown CodeCommit event kind `referenceRenamed`",
            ),
            (
                update_with(("referenceType", Some(json!("note")))),
                "unknown reference type `note`",
            ),
            (update_with(("commitId", None)), "no `detail.commitId`"),
            (
                update_with(("repositoryName", Some(json!("")))),
                "no `detail.repositoryName`",
            ),
            (
                update_with(("referenceName", None)),
                "no `detail.referenceName`",
            ),
            (
                event(json!({"event": 7, "repositoryName": "r"})),
                "not a CodeCommit",
            ),
        ];
        for (input, expected) in cases {
            let error = parse_push(input.clone())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(error.contains(expected), "{input}: {error}");
        }
    }

    #[test]
    fn deleted_references_need_no_commit() {
        let push = parse_push(event(json!({
            "event": "referenceDeleted",
            "repositoryName": "monorepo",
            "referenceType": "branch",
            "referenceName": "feature/x",
            "oldCommitId": "aaa"
        })))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(push.change, ReferenceChange::ReferenceDeleted);
        assert_eq!(push.commit_id, "");
    }
}
