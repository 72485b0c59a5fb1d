//! The function's AWS wiring, built from the environment once per container: what
//! `main.rs` runs, and what the CLI's `--aws` would run. Each request has one 2.5 s
//! budget ([`Limits::SLACK`]); the SDK and Slack clients get the longer limit of a
//! continuation, and the workflow limits every call of a request to what is left.
//!
//! `CONTINUATION_QUEUE_URL`: the SQS queue of work that continues after the 200 (the
//! function consumes it too).

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::approval_results::CodePipelineResults;
use aws_adapters::approval_store::DynamoStore;
use aws_adapters::approvals_env::{ApprovalsAws, InitError};
use aws_adapters::approvals_settings::SettingsError;
use aws_adapters::continuation_queue::SqsContinuations;
use aws_adapters::slack_http::SlackHttp;
use aws_config::timeout::TimeoutConfig;
use slack_approval::{Clicks, Limits, ResponseUrlPolicy};

use crate::ApprovalHandler;

/// Limit of each call of a continuation (no Slack deadline then); the requests' calls
/// are limited by their budget first.
pub const CONTINUATION_CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The handler with its production adapters.
pub type AwsHandler =
    ApprovalHandler<CodePipelineResults, SlackHttp, DynamoStore, SqsContinuations>;

/// Builds the handler from the process environment (see
/// [`aws_adapters::approvals_settings`]).
pub async fn from_env() -> Result<AwsHandler, InitError> {
    let sdk = aws_config::from_env()
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(CONTINUATION_CALL_TIMEOUT)
                .operation_timeout(CONTINUATION_CALL_TIMEOUT)
                .build(),
        )
        .load()
        .await;
    let aws = ApprovalsAws::from_env(sdk, CONTINUATION_CALL_TIMEOUT).await?;
    let queue_url = std::env::var("CONTINUATION_QUEUE_URL")
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or(InitError::Settings(SettingsError::Missing(
            "set CONTINUATION_QUEUE_URL (the SQS queue of work that continues after the 200)",
        )))?;
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
            later: SqsContinuations::new(aws_sdk_sqs::Client::new(&aws.sdk), queue_url),
            limits: Limits {
                continuation_call: CONTINUATION_CALL_TIMEOUT,
                ..Limits::SLACK
            },
        },
    })
}
