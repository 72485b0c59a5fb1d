//! SDK clients pointed at a local endpoint, with test credentials and retries that back
//! off in milliseconds instead of seconds (the retry logic itself is the SDK's own).

use std::time::Duration;

use aws_sdk_codecommit::config::{BehaviorVersion, Credentials, Region, retry::RetryConfig};

fn retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

fn credentials() -> Credentials {
    Credentials::new("testing", "testing", None, None, "integration-tests")
}

const REGION: &str = "us-east-1";

/// A CodeCommit client for `endpoint`.
pub fn codecommit(endpoint: &str) -> aws_sdk_codecommit::Client {
    aws_sdk_codecommit::Client::from_conf(
        aws_sdk_codecommit::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .endpoint_url(endpoint)
            .retry_config(retries())
            .build(),
    )
}

/// A CodePipeline client for `endpoint`.
pub fn codepipeline(endpoint: &str) -> aws_sdk_codepipeline::Client {
    aws_sdk_codepipeline::Client::from_conf(
        aws_sdk_codepipeline::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .endpoint_url(endpoint)
            .retry_config(retries())
            .build(),
    )
}

/// An SNS client for `endpoint`.
pub fn sns(endpoint: &str) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::from_conf(
        aws_sdk_sns::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .endpoint_url(endpoint)
            .retry_config(retries())
            .build(),
    )
}

/// An SSM client for `endpoint`.
pub fn ssm(endpoint: &str) -> aws_sdk_ssm::Client {
    aws_sdk_ssm::Client::from_conf(
        aws_sdk_ssm::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .endpoint_url(endpoint)
            .retry_config(retries())
            .build(),
    )
}

/// A S3 client for `endpoint`.
pub fn s3(endpoint: &str) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .endpoint_url(endpoint)
            .retry_config(retries())
            .force_path_style(true)
            .build(),
    )
}

/// A Secrets Manager client for `endpoint`.
pub fn secretsmanager(endpoint: &str) -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::from_conf(
        aws_sdk_secretsmanager::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .endpoint_url(endpoint)
            .retry_config(retries())
            .build(),
    )
}

/// A DynamoDB client for `endpoint`.
pub fn dynamodb(endpoint: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .endpoint_url(endpoint)
            .retry_config(retries())
            .build(),
    )
}
