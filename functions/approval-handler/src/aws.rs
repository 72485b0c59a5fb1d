//! The function's AWS wiring, built from the environment once per container: what
//! `main.rs` runs, and what the CLI's `--aws` would run. Short timeouts: Slack wants its
//! answer within 3 s.

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::approval_results::CodePipelineResults;
use aws_adapters::approval_store::DynamoStore;
use aws_adapters::approvals_env::{ApprovalsAws, InitError};
use aws_adapters::slack_http::SlackHttp;
use aws_config::timeout::TimeoutConfig;
use slack_approval::{Clicks, ResponseUrlPolicy};

use crate::ApprovalHandler;

/// Limit of each call (Slack, DynamoDB, CodePipeline); three in a row stay under 3 s.
pub const CALL_TIMEOUT: Duration = Duration::from_millis(900);

/// The handler with its production adapters.
pub type AwsHandler = ApprovalHandler<CodePipelineResults, SlackHttp, DynamoStore>;

/// Builds the handler from the process environment (see
/// [`aws_adapters::approvals_settings`]).
pub async fn from_env() -> Result<AwsHandler, InitError> {
    let sdk = aws_config::from_env()
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(CALL_TIMEOUT)
                .operation_timeout(CALL_TIMEOUT)
                .build(),
        )
        .load()
        .await;
    let aws = ApprovalsAws::from_env(sdk, CALL_TIMEOUT).await?;
    // Loopback response_urls only when the Slack API itself is a local server.
    let urls = if aws.slack.is_local() {
        ResponseUrlPolicy::SlackOrLoopback
    } else {
        ResponseUrlPolicy::SlackOnly
    };
    tracing::info!(response_urls = ?urls, "response_url policy");
    Ok(ApprovalHandler {
        clicks: Clicks {
            config: Arc::new(aws.config),
            secret: aws.signing_secret,
            codepipeline: CodePipelineResults::new(aws_sdk_codepipeline::Client::new(&aws.sdk)),
            slack: aws.slack,
            store: aws.store,
            urls,
            call_timeout: CALL_TIMEOUT,
        },
    })
}
