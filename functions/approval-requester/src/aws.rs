//! The function's AWS wiring, built from the environment once per container: what
//! `main.rs` runs, and what the CLI's `--aws` would run.
//!
//! `SCHEDULER_TABLE` (optional): the scheduler's DynamoDB table, read to show a held
//! push's hold as stored (its newest commit, pushes folded). Without it, or when the read
//! fails, the announcement shows the push the routing summary tells of.

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::approval_store::DynamoStore;
use aws_adapters::approvals_env::{ApprovalsAws, InitError};
use aws_adapters::holds_store::DynamoHoldStore;
use aws_adapters::pipeline_facts::AwsPipelineFacts;
use aws_adapters::slack_http::SlackHttp;
use pipeline_schedules::jiff::Timestamp;
use pipeline_schedules::{Hold, HoldKey, HoldStore, HoldStoreError, HoldWrite, ReleaseRecord};
use slack_approval::Requests;
use slack_approval::held::Announcements;

use crate::{ApprovalRequester, RequesterFunction};

/// Limit of each Slack call.
pub const SLACK_TIMEOUT: Duration = Duration::from_secs(5);
/// Limit of each CodePipeline / CodeCommit look-up for the message.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);

/// The held pushes in the scheduler table, when `SCHEDULER_TABLE` is set; read only.
pub struct SchedulerHolds(Option<DynamoHoldStore>);

fn read_only() -> HoldStoreError {
    HoldStoreError::Unavailable {
        message: "the approval-requester only reads holds".to_owned(),
    }
}

impl HoldStore for SchedulerHolds {
    async fn put_newest(&self, _hold: Hold) -> Result<HoldWrite, HoldStoreError> {
        Err(read_only())
    }

    async fn list(&self) -> Result<Vec<Hold>, HoldStoreError> {
        Err(read_only())
    }

    async fn get(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        match &self.0 {
            Some(store) => store.get(key).await,
            None => Err(HoldStoreError::Unavailable {
                message: "SCHEDULER_TABLE is not set".to_owned(),
            }),
        }
    }

    async fn claim_release(
        &self,
        _key: &HoldKey,
        _token: &str,
        _now: Timestamp,
    ) -> Result<bool, HoldStoreError> {
        Err(read_only())
    }

    async fn mark_released(
        &self,
        _key: &HoldKey,
        _commit_id: &str,
        _record: ReleaseRecord,
    ) -> Result<bool, HoldStoreError> {
        Err(read_only())
    }

    async fn released(&self, _key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        Err(read_only())
    }

    async fn release_claim(&self, _key: &HoldKey, _token: &str) -> Result<(), HoldStoreError> {
        Err(read_only())
    }

    async fn delete(&self, _key: &HoldKey) -> Result<(), HoldStoreError> {
        Err(read_only())
    }
}

/// The requester with its production adapters.
pub type AwsRequester = RequesterFunction<AwsPipelineFacts, SlackHttp, DynamoStore, SchedulerHolds>;

/// Builds the requester from the process environment (see
/// [`aws_adapters::approvals_settings`]).
pub async fn from_env() -> Result<AwsRequester, InitError> {
    let sdk = aws_config::load_from_env().await;
    let aws = ApprovalsAws::from_env(sdk, SLACK_TIMEOUT).await?;
    let config = Arc::new(aws.config);
    let scheduler_table = std::env::var("SCHEDULER_TABLE")
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    let holds = SchedulerHolds(
        scheduler_table
            .map(|table| DynamoHoldStore::new(aws_sdk_dynamodb::Client::new(&aws.sdk), table)),
    );
    Ok(RequesterFunction {
        announcements: Announcements {
            config: Arc::clone(&config),
            slack: aws.slack.clone(),
            holds,
        },
        approvals: ApprovalRequester {
            requests: Requests {
                config,
                facts: AwsPipelineFacts::new(
                    aws_sdk_codepipeline::Client::new(&aws.sdk),
                    aws_sdk_codecommit::Client::new(&aws.sdk),
                ),
                slack: aws.slack,
                store: aws.store,
                lookup_timeout: LOOKUP_TIMEOUT,
            },
        },
    })
}
