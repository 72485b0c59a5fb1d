//! The `approval-handler` Lambda entry point: the AWS wiring once per container, then
//! the handler for every event: a Slack request through the Function URL, or a batch of
//! continuations from the queue.

use std::time::{SystemTime, UNIX_EPOCH};

use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    function_support::logs::init();

    // Built once, lives as long as the container.
    let handler = &*Box::leak(Box::new(approval_handler::aws::from_env().await?));
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default();
            Ok::<serde_json::Value, Error>(handler.handle_event(event.payload, now).await)
        },
    ))
    .await
}
