//! The `commit-filter` Lambda entry point: configuration, clients and rules once per
//! container, then the handler for every event.

use std::sync::Arc;
use std::time::SystemTime;

use commit_filter::aws::{
    CodeCommitSource, CodePipelineStarter, MaybeSns, SnsSummaryPublisher, load_rules,
};
use commit_filter::config::Config;
use commit_filter::{CommitFilter, HandlerError, HandlerOutput};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    function_logs::init();

    let config = Config::from_env()?;
    let aws = aws_config::load_from_env().await;
    let rules = load_rules(&config.rules, &aws_sdk_ssm::Client::new(&aws)).await?;
    tracing::info!(source = ?config.rules, repositories = rules.repositories.len(), "routing rules loaded");
    let function = Arc::new(CommitFilter {
        rules: Arc::new(rules),
        source: CodeCommitSource::new(aws_sdk_codecommit::Client::new(&aws), config.diff_page_size),
        starter: CodePipelineStarter::new(aws_sdk_codepipeline::Client::new(&aws)),
        publisher: match config.summary_topic_arn {
            Some(topic) => MaybeSns::Sns(SnsSummaryPublisher::new(
                aws_sdk_sns::Client::new(&aws),
                topic,
            )),
            None => MaybeSns::Off,
        },
    });

    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let function = Arc::clone(&function);
        async move {
            let time_left = event
                .context
                .deadline()
                .duration_since(SystemTime::now())
                .ok();
            let result: Result<HandlerOutput, HandlerError> =
                function.handle(event.payload, time_left).await;
            result
        }
    }))
    .await
}
