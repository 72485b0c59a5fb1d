//! A push, as the router sees it: which reference of which repository moved, and how.

use pipeline_schedules::jiff::Timestamp;
use serde::Serialize;

/// The git reference a push changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum Reference {
    /// A branch, by its short name (`main`, `release/1.2`).
    Branch(String),
    /// A tag, by its short name (`v1.2.0`).
    Tag(String),
}

impl Reference {
    /// The short name of the branch or tag.
    pub fn name(&self) -> &str {
        match self {
            Reference::Branch(name) | Reference::Tag(name) => name,
        }
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reference::Branch(name) => write!(f, "branch {name}"),
            Reference::Tag(name) => write!(f, "tag {name}"),
        }
    }
}

/// How the reference changed (CodeCommit's `event` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ReferenceChange {
    /// `referenceCreated`: a new branch or tag; there is no previous commit.
    ReferenceCreated,
    /// `referenceUpdated`: the reference moved from `old_commit_id` to `commit_id`.
    ReferenceUpdated,
    /// `referenceDeleted`: the reference is gone.
    ReferenceDeleted,
    /// `unreferencedMergeCommitCreated`: a merge commit no branch points at (yet).
    UnreferencedMergeCommitCreated,
}

/// One push: the facts routing needs from a CodeCommit repository state change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Push {
    /// The event id: with the pipeline name, it makes the start idempotent.
    pub event_id: String,
    /// The CodeCommit repository name.
    pub repository: String,
    /// The branch or tag that changed.
    pub reference: Reference,
    /// How it changed.
    pub change: ReferenceChange,
    /// The commit the reference points at now (the one that is evaluated and built).
    pub commit_id: String,
    /// The commit it pointed at before, for updates.
    pub old_commit_id: Option<String>,
    /// When the push happened (the event's `time`): the instant freezes are judged at,
    /// and what orders two held pushes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
    /// Who pushed (the event's `callerUserArn`), for holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pushed_by: Option<String>,
}
