//! The `commit-filter` Lambda entry point: configuration, clients and rules once per
//! container ([`commit_filter::aws::from_env`]), then the handler for every event.

use std::sync::Arc;

use commit_filter::{HandlerError, HandlerOutput};
use function_support::{Clock, SystemClock};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    function_support::logs::init();

    let function = Arc::new(commit_filter::aws::from_env().await?);

    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let function = Arc::clone(&function);
        async move {
            let time_left = SystemClock.until(event.context.deadline());
            let result: Result<HandlerOutput, HandlerError> =
                function.handle(event.payload, time_left).await;
            result
        }
    }))
    .await
}
