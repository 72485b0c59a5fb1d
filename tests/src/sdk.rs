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

/// Defines `pub fn $name(endpoint) -> Client` for an SDK crate, with the settings above
/// and any extra builder calls (S3 needs path-style addressing on a local endpoint).
macro_rules! client_for {
    ($name:ident, $krate:ident, $label:literal $(, $extra:ident($value:expr))*) => {
        #[doc = concat!("A ", $label, " client for `endpoint`.")]
        pub fn $name(endpoint: &str) -> $krate::Client {
            $krate::Client::from_conf(
                $krate::Config::builder()
                    .behavior_version(BehaviorVersion::latest())
                    .region(Region::new(REGION))
                    .credentials_provider(credentials())
                    .endpoint_url(endpoint)
                    .retry_config(retries())
                    $(.$extra($value))*
                    .build(),
            )
        }
    };
}

client_for!(codecommit, aws_sdk_codecommit, "CodeCommit");
client_for!(codepipeline, aws_sdk_codepipeline, "CodePipeline");
client_for!(sns, aws_sdk_sns, "SNS");
client_for!(ssm, aws_sdk_ssm, "SSM");
client_for!(s3, aws_sdk_s3, "S3", force_path_style(true));
client_for!(secretsmanager, aws_sdk_secretsmanager, "Secrets Manager");
client_for!(dynamodb, aws_sdk_dynamodb, "DynamoDB");
client_for!(sqs, aws_sdk_sqs, "SQS");
