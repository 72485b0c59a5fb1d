//! The function's AWS wiring, built from the environment once per container: what
//! `main.rs` runs, and what the CLI's `--aws` would run. Each request has one 2.5 s
//! budget ([`Limits::SLACK`]); the SDK and Slack clients get the longer limit of a
//! continuation, and the workflow limits every call of a request to what is left.
//!
//! `CONTINUATION_QUEUE_URL`: the SQS queue of work that continues after the 200 (the
//! function consumes it too).
//!
//! `SCHEDULER_TABLE` (optional): the scheduler's DynamoDB table, where held pushes are;
//! "Release now" releases them from it and starts the pipeline with CodePipeline. Without
//! it, a "Release now" click is told that releasing is not configured, and nothing changes.

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::approval_results::CodePipelineResults;
use aws_adapters::approval_store::DynamoStore;
use aws_adapters::approvals_env::{ApprovalsAws, InitError};
use aws_adapters::approvals_settings::SettingsError;
use aws_adapters::codepipeline_runs::CodePipelineRuns;
use aws_adapters::continuation_queue::SqsContinuations;
use aws_adapters::hold_releases::StoreAndStart;
use aws_adapters::holds_store::DynamoHoldStore;
use aws_adapters::slack_http::SlackHttp;
use aws_config::timeout::TimeoutConfig;
use pipeline_schedules::HoldKey;
use slack_approval::{
    Clicks, HoldReleased, HoldReleases, Limits, ReleaseClicks, ReleaseFailed, ResponseUrlPolicy,
};

use crate::{ApprovalHandler, FunctionHandler};

/// Limit of each call of a continuation (no Slack deadline then); the requests' calls
/// are limited by their budget first.
pub const CONTINUATION_CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The release of held pushes from the scheduler table, when `SCHEDULER_TABLE` is set.
pub struct SchedulerReleases(Option<StoreAndStart<DynamoHoldStore, CodePipelineRuns>>);

impl HoldReleases for SchedulerReleases {
    async fn release(
        &self,
        key: &HoldKey,
        claim_token: &str,
    ) -> Result<HoldReleased, ReleaseFailed> {
        match &self.0 {
            Some(releases) => releases.release(key, claim_token).await,
            None => Err(ReleaseFailed(
                "SCHEDULER_TABLE is not set: this handler cannot release holds".to_owned(),
            )),
        }
    }
}

/// The handler with its production adapters.
pub type AwsHandler = FunctionHandler<
    CodePipelineResults,
    SlackHttp,
    DynamoStore,
    SqsContinuations,
    SchedulerReleases,
>;

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
    let limits = Limits {
        continuation_call: CONTINUATION_CALL_TIMEOUT,
        ..Limits::SLACK
    };
    let config = Arc::new(aws.config);
    let sqs = aws_sdk_sqs::Client::new(&aws.sdk);
    let codepipeline = aws_sdk_codepipeline::Client::new(&aws.sdk);
    let scheduler_table = std::env::var("SCHEDULER_TABLE")
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    tracing::info!(scheduler_table = ?scheduler_table, "held pushes' table");
    let releases = SchedulerReleases(scheduler_table.map(|table| {
        StoreAndStart::new(
            DynamoHoldStore::new(aws_sdk_dynamodb::Client::new(&aws.sdk), table),
            CodePipelineRuns::new(codepipeline.clone()),
        )
    }));
    Ok(FunctionHandler {
        releases: ReleaseClicks {
            config: Arc::clone(&config),
            secret: aws.signing_secret.clone(),
            slack: aws.slack.clone(),
            releases,
            urls,
            later: SqsContinuations::new(sqs.clone(), queue_url.clone()),
            limits,
        },
        approvals: ApprovalHandler {
            clicks: Clicks {
                config,
                secret: aws.signing_secret,
                codepipeline: CodePipelineResults::new(codepipeline),
                slack: aws.slack,
                store: aws.store,
                urls,
                later: SqsContinuations::new(sqs, queue_url),
                limits,
            },
        },
    })
}
