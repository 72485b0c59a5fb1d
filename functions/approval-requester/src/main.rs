//! The `approval-requester` Lambda entry point: settings, secrets, approvals file and
//! clients once per container, then the handler for every event.

use std::sync::Arc;
use std::time::Duration;

use approval_requester::config::{Settings, load_approvals_and_secrets};
use approval_requester::pipeline::AwsPipelineFacts;
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
    function_support::logs::init();

    let settings = Settings::from_env()?;
    let aws = aws_config::load_from_env().await;
    let (config, secrets) = load_approvals_and_secrets(&settings, &aws).await?;
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
