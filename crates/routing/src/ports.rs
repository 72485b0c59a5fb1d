//! The two things routing needs from the outside world, as traits: reading what a push
//! changed ([`ChangeSource`]) and starting a pipeline ([`PipelineStarter`]).

use std::future::Future;

/// One page of a diff request.
#[derive(Clone, Copy, Debug)]
pub struct DiffRequest<'a> {
    /// The repository.
    pub repository: &'a str,
    /// The commit to compare from; `None` compares with the empty tree (a root commit).
    pub before: Option<&'a str>,
    /// The commit to compare to.
    pub after: &'a str,
    /// The token of the page to read; `None` for the first page.
    pub page_token: Option<&'a str>,
}

/// One page of changed paths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiffPage {
    /// Every path the page's differences touch: the before path and the after path of
    /// each difference (deletes and renames count), in the order given.
    pub paths: Vec<String>,
    /// The token of the next page, if there is one.
    pub next_page_token: Option<String>,
}

/// A failure to read from the repository, after the client's own retries.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SourceError {
    /// What failed, for the logs.
    pub message: String,
}

impl SourceError {
    /// A source error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// Reads a repository's history: CodeCommit in Lambda, a local git repository in the CLI.
pub trait ChangeSource {
    /// The repository's default branch, if it has one.
    fn default_branch(
        &self,
        repository: &str,
    ) -> impl Future<Output = Result<Option<String>, SourceError>> + Send;

    /// The merge base of `commit` and the head of `branch`; `None` when they have none
    /// (or the branch does not exist), so that the first parent is used instead.
    fn merge_base(
        &self,
        repository: &str,
        commit: &str,
        branch: &str,
    ) -> impl Future<Output = Result<Option<String>, SourceError>> + Send;

    /// The first parent of `commit`; `None` for a root commit.
    fn first_parent(
        &self,
        repository: &str,
        commit: &str,
    ) -> impl Future<Output = Result<Option<String>, SourceError>> + Send;

    /// One page of the paths changed between two commits.
    fn changed_paths(
        &self,
        request: DiffRequest<'_>,
    ) -> impl Future<Output = Result<DiffPage, SourceError>> + Send;
}

/// What to start: a pipeline, idempotently, optionally at a given commit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StartRequest {
    /// The pipeline name.
    pub pipeline: String,
    /// The idempotency token (`clientRequestToken`): the same push never starts twice.
    pub client_request_token: String,
    /// The source action and commit to start at (`sourceRevisions` `COMMIT_ID`).
    pub source_revision: Option<SourceRevision>,
}

/// A `sourceRevisions` entry: start this source action at this commit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SourceRevision {
    /// The pipeline's source action name.
    pub action_name: String,
    /// The commit id.
    pub commit_id: String,
}

/// Starts pipelines: CodePipeline in Lambda, a recorder in the CLI.
pub trait PipelineStarter {
    /// Starts the pipeline and returns the execution id.
    fn start(
        &self,
        request: &StartRequest,
    ) -> impl Future<Output = Result<String, SourceError>> + Send;
}
