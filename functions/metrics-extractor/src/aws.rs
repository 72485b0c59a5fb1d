//! The [`ObjectWriter`] port over the S3 SDK. The client is built once per container.

use aws_sdk_s3::primitives::ByteStream;

use crate::handler::{ObjectWriter, WriteError};

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
