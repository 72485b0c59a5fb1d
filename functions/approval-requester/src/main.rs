//! The `approval-requester` Lambda entry point: settings, secrets, approvals file and
//! clients once per container, then the handler for every event.

use std::sync::Arc;
use std::time::Duration;

use approval_requester::config::{Settings, load_approvals};
use approval_requester::pipeline::AwsPipelineFacts;
use approval_requester::secrets::load_secrets;
use approval_requester::slack::SlackHttp;
use approval_requester::store::DynamoStore;
use approval_requester::{ApprovalRequester, HandlerError, RequesterOutput};
use lambda_runtime::{Error, LambdaEvent, service_fn};

/// Limit of each Slack call.
const SLACK_TIMEOUT: Duration = Duration::from_secs(5);
/// Limit of each CodePipeline / CodeCommit look-up for the message.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);

#[tokio::main]
async fn main() -> Result<(), Error> {
    function_logs::init();

    let settings = Settings::from_env()?;
    let aws = aws_config::load_from_env().await;
    let ssm = aws_sdk_ssm::Client::new(&aws);
    let config = load_approvals(&settings.approvals, &ssm).await?;
    let secrets = load_secrets(
        &settings.secret,
        &aws_sdk_secretsmanager::Client::new(&aws),
        &ssm,
    )
    .await?;
    tracing::info!(approvals = ?settings.approvals, secret = %settings.secret, pipelines = config.pipelines.len(), "approvals file and Slack secrets loaded");
    let function = Arc::new(ApprovalRequester {
        config: Arc::new(config),
        facts: AwsPipelineFacts::new(
            aws_sdk_codepipeline::Client::new(&aws),
            aws_sdk_codecommit::Client::new(&aws),
        ),
        slack: SlackHttp::new(&settings.slack_api_url, secrets.bot_token, SLACK_TIMEOUT)?,
        store: DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), settings.table),
        lookup_timeout: LOOKUP_TIMEOUT,
    });

    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let function = Arc::clone(&function);
        async move {
            let result: Result<RequesterOutput, HandlerError> =
                function.handle(event.payload).await;
            result
        }
    }))
    .await
}
