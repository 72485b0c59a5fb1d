//! Metrics rows read back from S3: every row object under a prefix ([`read_rows`], for
//! the CLI's `metrics report --bucket`), or only the `dt=` partitions of a range of days
//! ([`read_rows_for_days`], for the reporter and `metrics digest --bucket`). Both list with
//! every page of `ListObjectsV2`, then `GetObject` each row object in key order.

use aws_sdk_s3::error::DisplayErrorContext;
use jiff::ToSpan;
use jiff::civil::Date;

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
    let keys = list_row_keys(client, bucket, &list_prefix).await?;
    read_objects(client, bucket, &keys, |rows| rows).await
}

/// Reads the row objects of the partitions `{prefix}/dt=YYYY-MM-DD/` from `first` to
/// `last` (inclusive), one listing per day: objects outside those partitions are never
/// listed nor read. With `keep_raw_events` false every row's `raw_event` is emptied as its
/// object is decoded (the metrics never read it; it is most of a row's memory).
pub async fn read_rows_for_days(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    (first, last): (Date, Date),
    keep_raw_events: bool,
) -> Result<Vec<Row>, S3RowsError> {
    let prefix = prefix.trim_matches('/');
    let mut keys = Vec::new();
    let mut day = first;
    while day <= last {
        let dt = batch::format_day(day);
        let list_prefix = if prefix.is_empty() {
            format!("dt={dt}/")
        } else {
            format!("{prefix}/dt={dt}/")
        };
        keys.extend(list_row_keys(client, bucket, &list_prefix).await?);
        match day.checked_add(1.day()) {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    read_objects(client, bucket, &keys, |rows| {
        if keep_raw_events {
            rows
        } else {
            pipeline_metrics::reporter::without_raw_events(rows)
        }
    })
    .await
}

/// The row object keys under `list_prefix`, sorted.
async fn list_row_keys(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    list_prefix: &str,
) -> Result<Vec<String>, S3RowsError> {
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let output = client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(list_prefix)
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
    Ok(keys)
}

/// Reads and decodes the objects, passing each object's rows through `keep`.
async fn read_objects(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    keys: &[String],
    keep: impl Fn(Vec<Row>) -> Vec<Row>,
) -> Result<Vec<Row>, S3RowsError> {
    let mut rows = Vec::new();
    for key in keys {
        let object = client
            .get_object()
            .bucket(bucket)
            .key(key)
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
        let decoded = batch::decode_object(&bytes).map_err(|source| S3RowsError::Decode {
            bucket: bucket.to_owned(),
            key: key.clone(),
            source,
        })?;
        rows.extend(keep(decoded));
    }
    Ok(rows)
}
