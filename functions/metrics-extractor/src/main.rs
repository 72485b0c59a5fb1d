//! The `metrics-extractor` Lambda entry point: the function and its S3 client once per
//! container, then the handler for every SQS batch.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use metrics_extractor::{HandlerError, MetricsExtractor};

#[tokio::main]
async fn main() -> Result<(), Error> {
    function_support::logs::init();

    let function = Arc::new(MetricsExtractor::from_env().await?);

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
