//! The function's AWS wiring, built from the environment once per container: what
//! `main.rs` runs, and what the CLI's `--aws` would run.

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::approval_store::DynamoStore;
use aws_adapters::approvals_env::{ApprovalsAws, InitError};
use aws_adapters::pipeline_facts::AwsPipelineFacts;
use aws_adapters::slack_http::SlackHttp;
use slack_approval::Requests;

use crate::ApprovalRequester;

/// Limit of each Slack call.
pub const SLACK_TIMEOUT: Duration = Duration::from_secs(5);
/// Limit of each CodePipeline / CodeCommit look-up for the message.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);

/// The requester with its production adapters.
pub type AwsRequester = ApprovalRequester<AwsPipelineFacts, SlackHttp, DynamoStore>;

/// Builds the requester from the process environment (see
/// [`aws_adapters::approvals_settings`]).
pub async fn from_env() -> Result<AwsRequester, InitError> {
    let sdk = aws_config::load_from_env().await;
    let aws = ApprovalsAws::from_env(sdk, SLACK_TIMEOUT).await?;
    Ok(ApprovalRequester {
        requests: Requests {
            config: Arc::new(aws.config),
            facts: AwsPipelineFacts::new(
                aws_sdk_codepipeline::Client::new(&aws.sdk),
                aws_sdk_codecommit::Client::new(&aws.sdk),
            ),
            slack: aws.slack,
            store: aws.store,
            lookup_timeout: LOOKUP_TIMEOUT,
        },
    })
}
