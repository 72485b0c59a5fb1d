//! The reporter's ports (`pipeline_metrics::reporter`) over AWS and Slack:
//! [`S3RowSource`] (the `dt=` partitions of the metrics bucket), [`S3ReportSink`] (HTML
//! pages in the same bucket), [`SlackDigestPoster`] (`chat.postMessage` through
//! [`SlackHttp`]) and [`StoreHeldPushes`] (the holds of any [`HoldStore`], such as the
//! scheduler table's).

use aws_sdk_s3::primitives::ByteStream;
use jiff::civil::Date;
use pipeline_metrics::dashboard::digest::WaitingHold;
use pipeline_metrics::ports::WriteError;
use pipeline_metrics::reporter::{
    DigestPoster, HeldPushes, HoldsError, PostError, ReadError, ReportSink, RowSource,
};
use pipeline_metrics::row::Row;
use pipeline_schedules::HoldStore;
use slack_approval::SlackApi;

use crate::slack_http::SlackHttp;

/// The content type of the HTML reports.
pub const HTML_CONTENT_TYPE: &str = "text/html; charset=utf-8";

/// Rows of the metrics bucket, one day partition at a time, without their raw events.
#[derive(Clone, Debug)]
pub struct S3RowSource {
    client: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
}

impl S3RowSource {
    /// Rows under `{prefix}/dt=.../` in `bucket`.
    pub fn new(client: aws_sdk_s3::Client, bucket: String, prefix: String) -> Self {
        Self {
            client,
            bucket,
            prefix,
        }
    }
}

impl RowSource for S3RowSource {
    async fn rows_for_days(&self, first: Date, last: Date) -> Result<Vec<Row>, ReadError> {
        crate::s3_rows::read_rows_for_days(
            &self.client,
            &self.bucket,
            &self.prefix,
            (first, last),
            false,
        )
        .await
        .map_err(|e| ReadError(e.to_string()))
    }
}

/// HTML pages written to one bucket.
#[derive(Clone, Debug)]
pub struct S3ReportSink {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3ReportSink {
    /// Pages in `bucket`.
    pub fn new(client: aws_sdk_s3::Client, bucket: String) -> Self {
        Self { client, bucket }
    }
}

impl ReportSink for S3ReportSink {
    async fn put_html(&self, key: &str, html: String) -> Result<(), WriteError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(HTML_CONTENT_TYPE)
            .cache_control("no-cache")
            .body(ByteStream::from(html.into_bytes()))
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

/// The digest posted with `chat.postMessage`.
#[derive(Clone, Debug)]
pub struct SlackDigestPoster {
    slack: SlackHttp,
}

impl SlackDigestPoster {
    /// A poster over a Slack client.
    pub fn new(slack: SlackHttp) -> Self {
        Self { slack }
    }
}

impl DigestPoster for SlackDigestPoster {
    async fn post(&self, message: &serde_json::Value) -> Result<(), PostError> {
        self.slack
            .post_message(message)
            .await
            .map(|_| ())
            .map_err(|e| PostError(e.to_string()))
    }
}

/// The holds of a hold store, as the digest shows them.
#[derive(Clone, Debug)]
pub struct StoreHeldPushes<H> {
    store: H,
}

impl<H> StoreHeldPushes<H> {
    /// The holds of `store`.
    pub fn new(store: H) -> Self {
        Self { store }
    }
}

impl<H: HoldStore + Sync> HeldPushes for StoreHeldPushes<H> {
    async fn waiting(&self) -> Result<Vec<WaitingHold>, HoldsError> {
        let holds = self
            .store
            .list()
            .await
            .map_err(|e| HoldsError(e.to_string()))?;
        Ok(holds
            .into_iter()
            .map(|h| WaitingHold {
                pipeline: h.pipeline,
                branch: h.branch,
                freeze: h.freeze,
                release_at: h.release_at,
                pushes: h.pushes,
            })
            .collect())
    }
}
