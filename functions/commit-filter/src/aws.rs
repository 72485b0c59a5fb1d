//! The ports over the AWS SDK: CodeCommit reads diffs, CodePipeline starts pipelines, SNS
//! carries routing summaries, SSM holds the rules. Clients are built once per container.

use aws_sdk_codecommit::error::DisplayErrorContext;
use aws_sdk_codecommit::operation::get_merge_options::GetMergeOptionsError;
use aws_sdk_codecommit::types::ConflictDetailLevelTypeEnum;
use aws_sdk_codepipeline::types::{SourceRevisionOverride, SourceRevisionType};

use pipeline_routing::{
    ChangeSource, DiffPage, DiffRequest, PipelineStarter, RoutingRules, SourceError, StartRequest,
};

use crate::config::{BUNDLED_RULES, RulesLocation};
use crate::handler::SummaryPublisher;

/// Reads diffs from CodeCommit.
#[derive(Clone, Debug)]
pub struct CodeCommitSource {
    client: aws_sdk_codecommit::Client,
    page_size: Option<i32>,
}

impl CodeCommitSource {
    /// A source over a CodeCommit client; `page_size` is `GetDifferences` `MaxResults`.
    pub fn new(client: aws_sdk_codecommit::Client, page_size: Option<i32>) -> Self {
        Self { client, page_size }
    }
}

fn source_error(operation: &str, error: impl std::error::Error) -> SourceError {
    SourceError::new(format!(
        "CodeCommit {operation} failed: {}",
        DisplayErrorContext(error)
    ))
}

impl ChangeSource for CodeCommitSource {
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

/// Starts pipelines in CodePipeline.
#[derive(Clone, Debug)]
pub struct CodePipelineStarter {
    client: aws_sdk_codepipeline::Client,
}

impl CodePipelineStarter {
    /// A starter over a CodePipeline client.
    pub fn new(client: aws_sdk_codepipeline::Client) -> Self {
        Self { client }
    }
}

impl PipelineStarter for CodePipelineStarter {
    async fn start(&self, request: &StartRequest) -> Result<String, SourceError> {
        let mut call = self
            .client
            .start_pipeline_execution()
            .name(&request.pipeline)
            .client_request_token(&request.client_request_token);
        if let Some(revision) = &request.source_revision {
            let override_ = SourceRevisionOverride::builder()
                .action_name(&revision.action_name)
                .revision_type(SourceRevisionType::CommitId)
                .revision_value(&revision.commit_id)
                .build()
                .map_err(|e| SourceError::new(format!("invalid source revision: {e}")))?;
            call = call.source_revisions(override_);
        }
        let output = call.send().await.map_err(|e| {
            SourceError::new(format!(
                "CodePipeline StartPipelineExecution failed: {}",
                aws_sdk_codepipeline::error::DisplayErrorContext(e)
            ))
        })?;
        Ok(output
            .pipeline_execution_id()
            .unwrap_or_default()
            .to_owned())
    }
}

/// Publishes routing summaries to an SNS topic.
#[derive(Clone, Debug)]
pub struct SnsSummaryPublisher {
    client: aws_sdk_sns::Client,
    topic_arn: String,
}

impl SnsSummaryPublisher {
    /// A publisher to `topic_arn`.
    pub fn new(client: aws_sdk_sns::Client, topic_arn: String) -> Self {
        Self { client, topic_arn }
    }
}

/// SNS subjects: at most 100 printable ASCII characters, no line breaks.
fn sns_subject(subject: &str) -> String {
    subject
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(100)
        .collect()
}

impl SummaryPublisher for SnsSummaryPublisher {
    async fn publish(&self, subject: &str, message: &str) -> Result<(), String> {
        self.client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(sns_subject(subject))
            .message(message)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                format!(
                    "SNS Publish failed: {}",
                    aws_sdk_sns::error::DisplayErrorContext(e)
                )
            })
    }
}

/// Either publisher: SNS when a topic is configured, nothing otherwise.
#[derive(Clone, Debug)]
pub enum MaybeSns {
    /// Publish to SNS.
    Sns(SnsSummaryPublisher),
    /// No topic configured.
    Off,
}

impl SummaryPublisher for MaybeSns {
    async fn publish(&self, subject: &str, message: &str) -> Result<(), String> {
        match self {
            MaybeSns::Sns(sns) => sns.publish(subject, message).await,
            MaybeSns::Off => Ok(()),
        }
    }
}

/// Why the rules could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadRulesError {
    /// The SSM parameter could not be read.
    #[error("cannot read the rules from SSM parameter `{name}`: {message}")]
    Ssm {
        /// The parameter.
        name: String,
        /// Why.
        message: String,
    },
    /// The rules are invalid.
    #[error(transparent)]
    Rules(#[from] pipeline_routing::RulesError),
}

/// Loads the routing rules from where the configuration says.
pub async fn load_rules(
    location: &RulesLocation,
    ssm: &aws_sdk_ssm::Client,
) -> Result<RoutingRules, LoadRulesError> {
    match location {
        RulesLocation::Bundled => Ok(RoutingRules::from_yaml(
            BUNDLED_RULES,
            "routing-rules.yaml (bundled)",
        )?),
        RulesLocation::File(path) => Ok(RoutingRules::from_path(path)?),
        RulesLocation::SsmParameter(name) => {
            let output = ssm
                .get_parameter()
                .name(name)
                .with_decryption(true)
                .send()
                .await
                .map_err(|e| LoadRulesError::Ssm {
                    name: name.clone(),
                    message: aws_sdk_ssm::error::DisplayErrorContext(e).to_string(),
                })?;
            let text =
                output
                    .parameter()
                    .and_then(|p| p.value())
                    .ok_or_else(|| LoadRulesError::Ssm {
                        name: name.clone(),
                        message: "the parameter has no value".to_owned(),
                    })?;
            Ok(RoutingRules::from_yaml(text, &format!("ssm:{name}"))?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_fit_sns() {
        let subject = sns_subject(&format!("repo main@abc: started {}\nx", "p, ".repeat(60)));
        assert!(subject.len() <= 100);
        assert!(!subject.contains('\n'));
    }
}
