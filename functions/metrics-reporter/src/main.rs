//! The `metrics-reporter` Lambda entry point: settings, clients and the Slack token once
//! per container ([`metrics_reporter::aws::from_env`]), then the handler for every run.

use std::sync::Arc;

use jiff::Timestamp;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use metrics_reporter::HandlerError;

#[tokio::main]
async fn main() -> Result<(), Error> {
    function_support::logs::init();

    let function = Arc::new(metrics_reporter::aws::from_env().await?);

    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let function = Arc::clone(&function);
        async move {
            let result: Result<_, HandlerError> =
                function.handle(event.payload, Timestamp::now()).await;
            result
        }
    }))
    .await
}
