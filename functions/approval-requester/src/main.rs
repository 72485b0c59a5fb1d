//! The `approval-requester` Lambda entry point: the AWS wiring once per container, then
//! the handler for every event.

use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    function_support::logs::init();

    // Built once, lives as long as the container.
    let function = &*Box::leak(Box::new(approval_requester::aws::from_env().await?));
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            function.handle(event.payload).await
        },
    ))
    .await
}
