//! The `scheduler` Lambda entry point: configuration, clients and rules once per
//! container ([`scheduler::aws::from_env`]), then the handler for every tick.

use std::sync::Arc;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use pipeline_schedules::jiff::Timestamp;
use scheduler::HandlerError;
use scheduler::handler::SchedulerFunction;

#[tokio::main]
async fn main() -> Result<(), Error> {
    function_support::logs::init();

    let function = Arc::new(scheduler::aws::from_env().await?);

    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let function = Arc::clone(&function);
        async move {
            let result: Result<_, HandlerError> =
                SchedulerFunction::handle(&function, event.payload, Timestamp::now()).await;
            result
        }
    }))
    .await
}
