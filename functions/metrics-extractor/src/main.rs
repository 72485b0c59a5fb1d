//! The `metrics-extractor` Lambda entry point: configuration and the S3 client once per
//! container, then the handler for every SQS batch.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use metrics_extractor::aws::S3ObjectWriter;
use metrics_extractor::config::Config;
use metrics_extractor::{HandlerError, MetricsExtractor};

#[tokio::main]
async fn main() -> Result<(), Error> {
    function_support::logs::init();

    let config = Config::from_env()?;
    let aws = aws_config::load_from_env().await;
    tracing::info!(bucket = %config.bucket, prefix = %config.prefix, "metrics-extractor configured");
    let function = Arc::new(MetricsExtractor {
        writer: S3ObjectWriter::new(aws_sdk_s3::Client::new(&aws), config.bucket),
        prefix: config.prefix,
    });

    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let function = Arc::clone(&function);
        async move {
            let result: Result<SqsBatchResponse, HandlerError> = function
                .handle(event.payload, &event.context.request_id)
                .await;
            result
        }
    }))
    .await
}
