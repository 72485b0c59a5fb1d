//! The ports over the AWS SDK: the scheduler table in DynamoDB (state and holds),
//! CodeCommit (branch heads, diffs), CodePipeline (starts, executions); the rules from
//! SSM, a file or the bundle. Built once per container by [`from_env`] /
//! [`from_config`], the one wiring the Lambda and `invoke scheduler --aws` share.

use std::sync::Arc;

use aws_adapters::codecommit_repository::CodeCommitRepository;
use aws_adapters::codepipeline_runs::CodePipelineRuns;
use aws_adapters::holds_store::DynamoHoldStore;
use aws_adapters::scheduler_state::DynamoSchedulerState;
use function_support::LoadTextError;
use pipeline_routing::RoutingRules;
use pipeline_scheduler::Scheduler;

use crate::config::Config;
use crate::handler::SchedulerFunction;

/// The scheduler function over AWS.
pub type AwsScheduler = SchedulerFunction<
    DynamoSchedulerState,
    CodeCommitRepository,
    CodePipelineRuns,
    DynamoHoldStore,
>;

/// The function could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A setting is missing or invalid.
    #[error("{0}")]
    Settings(String),
    /// The rules could not be read.
    #[error(transparent)]
    Read(#[from] LoadTextError),
    /// The rules (or their schedules and freezes) are invalid.
    #[error(transparent)]
    Rules(#[from] pipeline_routing::RulesError),
}

/// The function as the Lambda runs it: settings from the process environment,
/// credentials and region from the environment's AWS configuration.
pub async fn from_env() -> Result<AwsScheduler, SetupError> {
    let config = Config::from_env().map_err(SetupError::Settings)?;
    let aws = aws_config::load_from_env().await;
    from_config(&config, &aws).await
}

/// The function with `config`'s settings over the clients of `aws`.
pub async fn from_config(
    config: &Config,
    aws: &aws_config::SdkConfig,
) -> Result<AwsScheduler, SetupError> {
    let text = config
        .rules
        .read("rules", &aws_sdk_ssm::Client::new(aws))
        .await?;
    let rules = RoutingRules::from_yaml(&text, &config.rules.origin())?;
    tracing::info!(
        source = %config.rules.origin(),
        schedules = rules.calendar().schedules().len(),
        freezes = rules.calendar().freezes().count(),
        "routing rules loaded"
    );
    let dynamodb = aws_sdk_dynamodb::Client::new(aws);
    Ok(SchedulerFunction {
        scheduler: Scheduler {
            rules: Arc::new(rules),
            state: DynamoSchedulerState::new(dynamodb.clone(), config.table.clone()),
            repository: CodeCommitRepository::new(aws_sdk_codecommit::Client::new(aws)),
            pipelines: CodePipelineRuns::new(aws_sdk_codepipeline::Client::new(aws)),
            holds: DynamoHoldStore::new(dynamodb, config.table.clone()),
        },
    })
}
