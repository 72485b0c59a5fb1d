//! [`CodeCommitRepository`]: CodeCommit behind the scheduler's [`BranchHeads`]
//! (`GetBranch`) and routing's [`ChangeSource`] (`GetDifferences` and friends), so that
//! `only_if_paths_changed` reads the commits since the last run through the same routing
//! engine as a push. The commit-filter function reads a push's diffs through it too.

use aws_sdk_codecommit::error::DisplayErrorContext;
use aws_sdk_codecommit::operation::get_branch::GetBranchError;
use aws_sdk_codecommit::operation::get_merge_options::GetMergeOptionsError;
use aws_sdk_codecommit::types::ConflictDetailLevelTypeEnum;
use pipeline_routing::{ChangeSource, DiffPage, DiffRequest, SourceError};
use pipeline_scheduler::BranchHeads;

/// A CodeCommit client as the scheduler's repository.
#[derive(Clone, Debug)]
pub struct CodeCommitRepository {
    client: aws_sdk_codecommit::Client,
    page_size: Option<i32>,
}

impl CodeCommitRepository {
    /// Over a CodeCommit client, with CodeCommit's own `GetDifferences` page size.
    pub fn new(client: aws_sdk_codecommit::Client) -> Self {
        Self {
            client,
            page_size: None,
        }
    }

    /// The same, asking for `page_size` (`GetDifferences` `MaxResults`) when it is set.
    pub fn with_page_size(self, page_size: Option<i32>) -> Self {
        Self { page_size, ..self }
    }

    /// The `GetDifferences` `MaxResults` it asks for, if any.
    pub fn page_size(&self) -> Option<i32> {
        self.page_size
    }
}

fn source_error(operation: &str, error: impl std::error::Error) -> SourceError {
    SourceError::new(format!(
        "CodeCommit {operation} failed: {}",
        DisplayErrorContext(error)
    ))
}

impl BranchHeads for CodeCommitRepository {
    async fn branch_head(
        &self,
        repository: &str,
        branch: &str,
    ) -> Result<Option<String>, SourceError> {
        let result = self
            .client
            .get_branch()
            .repository_name(repository)
            .branch_name(branch)
            .send()
            .await;
        match result {
            Ok(output) => Ok(output
                .branch()
                .and_then(|b| b.commit_id())
                .map(str::to_owned)),
            Err(error)
                if matches!(
                    error.as_service_error(),
                    Some(GetBranchError::BranchDoesNotExistException(_))
                ) =>
            {
                Ok(None)
            }
            Err(error) => Err(source_error("GetBranch", error)),
        }
    }
}

impl ChangeSource for CodeCommitRepository {
    async fn default_branch(&self, repository: &str) -> Result<Option<String>, SourceError> {
        let output = self
            .client
            .get_repository()
            .repository_name(repository)
            .send()
            .await
            .map_err(|e| source_error("GetRepository", e))?;
        Ok(output
            .repository_metadata()
            .and_then(|m| m.default_branch())
            .map(str::to_owned))
    }

    async fn merge_base(
        &self,
        repository: &str,
        commit: &str,
        branch: &str,
    ) -> Result<Option<String>, SourceError> {
        let result = self
            .client
            .get_merge_options()
            .repository_name(repository)
            .source_commit_specifier(commit)
            .destination_commit_specifier(branch)
            .conflict_detail_level(ConflictDetailLevelTypeEnum::FileLevel)
            .send()
            .await;
        match result {
            Ok(output) => Ok(Some(output.base_commit_id().to_owned()).filter(|c| !c.is_empty())),
            Err(error) => match error.as_service_error() {
                // No usable merge base: the caller falls back to the first parent.
                Some(
                    GetMergeOptionsError::CommitDoesNotExistException(_)
                    | GetMergeOptionsError::InvalidCommitException(_)
                    | GetMergeOptionsError::TipsDivergenceExceededException(_)
                    | GetMergeOptionsError::MaximumFileContentToLoadExceededException(_)
                    | GetMergeOptionsError::MaximumItemsToCompareExceededException(_),
                ) => {
                    tracing::info!(repository, commit, branch, error = %DisplayErrorContext(&error), "no merge base with the default branch; using the first parent");
                    Ok(None)
                }
                _ => Err(source_error("GetMergeOptions", error)),
            },
        }
    }

    async fn first_parent(
        &self,
        repository: &str,
        commit: &str,
    ) -> Result<Option<String>, SourceError> {
        let output = self
            .client
            .get_commit()
            .repository_name(repository)
            .commit_id(commit)
            .send()
            .await
            .map_err(|e| source_error("GetCommit", e))?;
        Ok(output.commit().and_then(|c| c.parents().first()).cloned())
    }

    async fn changed_paths(&self, request: DiffRequest<'_>) -> Result<DiffPage, SourceError> {
        let output = self
            .client
            .get_differences()
            .repository_name(request.repository)
            .set_before_commit_specifier(request.before.map(str::to_owned))
            .after_commit_specifier(request.after)
            .set_next_token(request.page_token.map(str::to_owned))
            .set_max_results(self.page_size)
            .send()
            .await
            .map_err(|e| source_error("GetDifferences", e))?;
        let mut paths = Vec::new();
        for difference in output.differences() {
            let before = difference.before_blob().and_then(|b| b.path());
            let after = difference.after_blob().and_then(|b| b.path());
            if let Some(path) = before {
                paths.push(path.to_owned());
            }
            if let Some(path) = after.filter(|a| Some(*a) != before) {
                paths.push(path.to_owned());
            }
        }
        Ok(DiffPage {
            paths,
            next_page_token: output
                .next_token()
                .map(str::to_owned)
                .filter(|t| !t.is_empty()),
        })
    }
}
