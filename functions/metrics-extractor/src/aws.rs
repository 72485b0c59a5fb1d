//! The [`ObjectWriter`] port over the S3 SDK, and the function wired to it from the
//! environment: the one constructor Lambda's `main.rs` uses. The client is built once per
//! container.

use aws_sdk_s3::primitives::ByteStream;

use crate::MetricsExtractor;
use crate::config::Config;

use pipeline_metrics::ports::{ObjectWriter, WriteError};

/// Writes objects to one S3 bucket.
#[derive(Clone, Debug)]
pub struct S3ObjectWriter {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3ObjectWriter {
    /// A writer to `bucket` over an S3 client.
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    /// The bucket written to.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

impl ObjectWriter for S3ObjectWriter {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), WriteError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/gzip")
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                WriteError(format!(
                    "S3 PutObject s3://{}/{key} failed: {}",
                    self.bucket,
                    aws_sdk_s3::error::DisplayErrorContext(e)
                ))
            })
    }
}

impl MetricsExtractor<S3ObjectWriter> {
    /// The function as it runs in Lambda: settings from the environment ([`Config`]),
    /// the S3 client from the environment's credentials and region.
    pub async fn from_env() -> Result<Self, String> {
        let config = Config::from_env()?;
        let aws = aws_config::load_from_env().await;
        tracing::info!(bucket = %config.bucket, prefix = %config.prefix, "metrics-extractor configured");
        Ok(Self {
            writer: S3ObjectWriter::new(aws_sdk_s3::Client::new(&aws), config.bucket),
            prefix: config.prefix,
        })
    }
}
