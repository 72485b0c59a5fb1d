//! The `approval-handler` Lambda entry point: settings, secrets, approvals file and
//! clients once per container (short timeouts: Slack wants its answer within 3 s), then
//! the handler for every request.

use std::sync::Arc;
use std::time::Duration;

use approval_handler::aws::CodePipelineResults;
use approval_handler::{ApprovalHandler, FunctionUrlResponse};
use approval_requester::config::{Settings, load_approvals_and_secrets};
use approval_requester::slack::SlackHttp;
use approval_requester::store::DynamoStore;
use aws_config::timeout::TimeoutConfig;
use function_support::{Clock, SystemClock};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use slack_approval::ResponseUrlPolicy;

/// Limit of each call (Slack, DynamoDB, CodePipeline); three in a row stay under 3 s.
const CALL_TIMEOUT: Duration = Duration::from_millis(900);

#[tokio::main]
async fn main() -> Result<(), Error> {
    function_support::logs::init();

    let settings = Settings::from_env()?;
    let aws = aws_config::from_env()
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(CALL_TIMEOUT)
                .operation_timeout(CALL_TIMEOUT)
                .build(),
        )
        .load()
        .await;
    let (config, secrets) = load_approvals_and_secrets(&settings, &aws).await?;
    let slack = SlackHttp::new(&settings.slack_api_url, secrets.bot_token, CALL_TIMEOUT)?;
    // Loopback response_urls only when the Slack API itself is a local server.
    let urls = if slack.is_local() {
        ResponseUrlPolicy::SlackOrLoopback
    } else {
        ResponseUrlPolicy::SlackOnly
    };
    tracing::info!(response_urls = ?urls, "Slack response URLs allowed");
    let handler = Arc::new(ApprovalHandler {
        config: Arc::new(config),
        secret: secrets.signing_secret,
        codepipeline: CodePipelineResults::new(aws_sdk_codepipeline::Client::new(&aws)),
        slack,
        store: DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), settings.table),
        urls,
        call_timeout: CALL_TIMEOUT,
    });

    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let handler = Arc::clone(&handler);
        async move {
            let response: FunctionUrlResponse = handler
                .handle(event.payload, SystemClock.unix_seconds())
                .await;
            Ok::<FunctionUrlResponse, Error>(response)
        }
    }))
    .await
}
