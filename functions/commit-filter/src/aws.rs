//! The ports over the AWS SDK: CodeCommit reads diffs, CodePipeline starts pipelines, SNS
//! carries routing summaries, SSM holds the rules, DynamoDB (`SCHEDULER_TABLE`) the holds. Clients are built once per container,
//! by [`from_env`] / [`from_config`]: the one wiring the Lambda and the CLI's
//! `invoke commit-filter --aws` share.

use std::sync::Arc;

use aws_adapters::codecommit_repository::CodeCommitRepository;
use aws_adapters::codepipeline_runs::CodePipelineRuns;
use pipeline_routing::{ChangeSource, DiffPage, DiffRequest, RoutingRules, SourceError};

use function_support::LoadTextError;

use crate::config::{Config, RulesLocation};
use crate::handler::CommitFilter;
use crate::ports::{NoHolds, SummaryPublisher};
use aws_adapters::holds_store::DynamoHoldStore;
use pipeline_schedules::jiff::Timestamp;
use pipeline_schedules::{Hold, HoldKey, HoldStore, HoldStoreError, HoldWrite, ReleaseRecord};

/// The commit-filter function over AWS: CodeCommit, CodePipeline and (when a topic is
/// configured) SNS.
pub type AwsCommitFilter =
    CommitFilter<CodeCommitSource, CodePipelineStarter, MaybeSns, MaybeHolds>;

/// Holds in the scheduler's DynamoDB table (`SCHEDULER_TABLE`), or none configured.
#[derive(Clone, Debug)]
pub enum MaybeHolds {
    /// The table.
    Dynamo(DynamoHoldStore),
    /// No table: a push under a freeze fails to be held (and is retried).
    Off,
}

impl HoldStore for MaybeHolds {
    async fn put_newest(&self, hold: Hold) -> Result<HoldWrite, HoldStoreError> {
        match self {
            MaybeHolds::Dynamo(store) => store.put_newest(hold).await,
            MaybeHolds::Off => NoHolds.put_newest(hold).await,
        }
    }
    async fn list(&self) -> Result<Vec<Hold>, HoldStoreError> {
        match self {
            MaybeHolds::Dynamo(store) => store.list().await,
            MaybeHolds::Off => NoHolds.list().await,
        }
    }
    async fn get(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        match self {
            MaybeHolds::Dynamo(store) => store.get(key).await,
            MaybeHolds::Off => NoHolds.get(key).await,
        }
    }
    async fn claim_release(
        &self,
        key: &HoldKey,
        token: &str,
        now: Timestamp,
    ) -> Result<bool, HoldStoreError> {
        match self {
            MaybeHolds::Dynamo(store) => store.claim_release(key, token, now).await,
            MaybeHolds::Off => NoHolds.claim_release(key, token, now).await,
        }
    }
    async fn mark_released(
        &self,
        key: &HoldKey,
        commit_id: &str,
        record: ReleaseRecord,
    ) -> Result<bool, HoldStoreError> {
        match self {
            MaybeHolds::Dynamo(store) => store.mark_released(key, commit_id, record).await,
            MaybeHolds::Off => NoHolds.mark_released(key, commit_id, record).await,
        }
    }
    async fn released(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        match self {
            MaybeHolds::Dynamo(store) => store.released(key).await,
            MaybeHolds::Off => NoHolds.released(key).await,
        }
    }
    async fn release_claim(&self, key: &HoldKey, token: &str) -> Result<(), HoldStoreError> {
        match self {
            MaybeHolds::Dynamo(store) => store.release_claim(key, token).await,
            MaybeHolds::Off => NoHolds.release_claim(key, token).await,
        }
    }
    async fn delete(&self, key: &HoldKey) -> Result<(), HoldStoreError> {
        match self {
            MaybeHolds::Dynamo(store) => store.delete(key).await,
            MaybeHolds::Off => NoHolds.delete(key).await,
        }
    }
}

/// The function could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A setting is missing or invalid.
    #[error("{0}")]
    Settings(String),
    /// The rules could not be loaded.
    #[error(transparent)]
    Rules(#[from] LoadRulesError),
}

/// The function as the Lambda runs it: settings from the process environment (see
/// [`Config`]), credentials and region from the environment's AWS configuration.
pub async fn from_env() -> Result<AwsCommitFilter, SetupError> {
    let config = Config::from_env().map_err(SetupError::Settings)?;
    let aws = aws_config::load_from_env().await;
    Ok(from_config(&config, &aws).await?)
}

/// The function with `config`'s settings over the clients of `aws`: the rules loaded from
/// where `config` says, the diff page size and the summary topic applied.
pub async fn from_config(
    config: &Config,
    aws: &aws_config::SdkConfig,
) -> Result<AwsCommitFilter, LoadRulesError> {
    let rules = load_rules(&config.rules, &aws_sdk_ssm::Client::new(aws)).await?;
    tracing::info!(source = ?config.rules, repositories = rules.repositories.len(), "routing rules loaded");
    Ok(CommitFilter {
        rules: Arc::new(rules),
        source: CodeCommitSource::new(aws_sdk_codecommit::Client::new(aws), config.diff_page_size),
        starter: CodePipelineStarter::new(aws_sdk_codepipeline::Client::new(aws)),
        publisher: match &config.summary_topic_arn {
            Some(topic) => MaybeSns::Sns(SnsSummaryPublisher::new(
                aws_sdk_sns::Client::new(aws),
                topic.clone(),
            )),
            None => MaybeSns::Off,
        },
        holds: match &config.scheduler_table {
            Some(table) => MaybeHolds::Dynamo(DynamoHoldStore::new(
                aws_sdk_dynamodb::Client::new(aws),
                table.clone(),
            )),
            None => MaybeHolds::Off,
        },
    })
}

/// Reads diffs from CodeCommit: the adapter the scheduler uses too
/// ([`CodeCommitRepository`]), with the function's diff page size.
#[derive(Clone, Debug)]
pub struct CodeCommitSource(CodeCommitRepository);

impl CodeCommitSource {
    /// A source over a CodeCommit client; `page_size` is `GetDifferences` `MaxResults`.
    pub fn new(client: aws_sdk_codecommit::Client, page_size: Option<i32>) -> Self {
        Self(CodeCommitRepository::new(client).with_page_size(page_size))
    }

    /// The `GetDifferences` `MaxResults` it asks for, if any.
    pub fn page_size(&self) -> Option<i32> {
        self.0.page_size()
    }
}

impl ChangeSource for CodeCommitSource {
    async fn default_branch(&self, repository: &str) -> Result<Option<String>, SourceError> {
        self.0.default_branch(repository).await
    }

    async fn merge_base(
        &self,
        repository: &str,
        commit: &str,
        branch: &str,
    ) -> Result<Option<String>, SourceError> {
        self.0.merge_base(repository, commit, branch).await
    }

    async fn first_parent(
        &self,
        repository: &str,
        commit: &str,
    ) -> Result<Option<String>, SourceError> {
        self.0.first_parent(repository, commit).await
    }

    async fn changed_paths(&self, request: DiffRequest<'_>) -> Result<DiffPage, SourceError> {
        self.0.changed_paths(request).await
    }
}

/// Starts pipelines in CodePipeline: the adapter the scheduler and the CLI use too.
pub type CodePipelineStarter = CodePipelineRuns;

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

    /// The topic it publishes to.
    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
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
    /// The SSM parameter or the file could not be read.
    #[error(transparent)]
    Read(#[from] LoadTextError),
    /// The rules are invalid.
    #[error(transparent)]
    Rules(#[from] pipeline_routing::RulesError),
}

/// Loads the routing rules from where the configuration says.
pub async fn load_rules(
    location: &RulesLocation,
    ssm: &aws_sdk_ssm::Client,
) -> Result<RoutingRules, LoadRulesError> {
    let text = location.read("rules", ssm).await?;
    Ok(RoutingRules::from_yaml(&text, &location.origin())?)
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
