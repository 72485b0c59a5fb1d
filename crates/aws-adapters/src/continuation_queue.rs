//! [`SqsContinuations`]: the [`Continuations`] port on an SQS queue, consumed by the
//! `approval-handler` itself (its event source mapping), so that work that does not fit
//! in Slack's 3 seconds finishes after the 200. Messages are the continuation's JSON.

use slack_approval::{Continuation, Continuations, QueueError};

/// The continuation queue.
#[derive(Clone, Debug)]
pub struct SqsContinuations {
    client: aws_sdk_sqs::Client,
    queue_url: String,
}

impl SqsContinuations {
    /// The queue at `queue_url`.
    pub fn new(client: aws_sdk_sqs::Client, queue_url: String) -> Self {
        Self { client, queue_url }
    }
}

impl Continuations for SqsContinuations {
    async fn enqueue(&self, continuation: &Continuation) -> Result<(), QueueError> {
        let body = serde_json::to_string(continuation).map_err(|e| QueueError(e.to_string()))?;
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                QueueError(format!(
                    "SendMessage: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(e)
                ))
            })
    }
}
