//! Metrics rows read back from S3: every row object under a prefix (every page of
//! `ListObjectsV2`, then `GetObject`), for the CLI's `metrics report --bucket`.

use aws_sdk_s3::error::DisplayErrorContext;

use pipeline_metrics::batch::{self, BatchError};
use pipeline_metrics::row::Row;

/// Why rows could not be read from the bucket.
#[derive(Debug, thiserror::Error)]
pub enum S3RowsError {
    /// A call to S3 failed; the text names the call and the key or prefix.
    #[error("{0}")]
    Call(String),
    /// An object is not gzip JSON lines of rows.
    #[error("s3://{bucket}/{key}: {source}")]
    Decode {
        /// The bucket.
        bucket: String,
        /// The object key.
        key: String,
        /// What was wrong.
        #[source]
        source: BatchError,
    },
}

/// Reads every row object (see [`batch::holds_rows`]) under `prefix` in `bucket`, in key
/// order.
pub async fn read_rows(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<Row>, S3RowsError> {
    let prefix = prefix.trim_matches('/');
    let list_prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let output = client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(&list_prefix)
            .set_continuation_token(token)
            .send()
            .await
            .map_err(|e| {
                S3RowsError::Call(format!(
                    "S3 ListObjectsV2 s3://{bucket}/{list_prefix} failed: {}",
                    DisplayErrorContext(e)
                ))
            })?;
        keys.extend(
            output
                .contents()
                .iter()
                .filter_map(|o| o.key())
                .filter(|k| batch::holds_rows(k))
                .map(str::to_owned),
        );
        token = output
            .next_continuation_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    keys.sort();
    let mut rows = Vec::new();
    for key in keys {
        let object = client
            .get_object()
            .bucket(bucket)
            .key(&key)
            .send()
            .await
            .map_err(|e| {
                S3RowsError::Call(format!(
                    "S3 GetObject s3://{bucket}/{key} failed: {}",
                    DisplayErrorContext(e)
                ))
            })?;
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| S3RowsError::Call(format!("cannot read s3://{bucket}/{key}: {e}")))?
            .into_bytes();
        rows.extend(
            batch::decode_object(&bytes).map_err(|source| S3RowsError::Decode {
                bucket: bucket.to_owned(),
                key: key.clone(),
                source,
            })?,
        );
    }
    Ok(rows)
}
