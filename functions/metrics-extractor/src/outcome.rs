//! What one invocation did: the objects written and the records to retry, and the
//! response Lambda gets (`batchItemFailures`).

use std::collections::BTreeSet;

use aws_lambda_events::event::sqs::SqsBatchResponse;
use function_support::ErrorType;
use serde::Serialize;

use crate::handler::HandlerError;

/// One object written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenObject {
    /// The object key.
    pub key: String,
    /// Rows in it (after deduplication within the batch).
    pub rows: usize,
    /// Compressed size.
    pub bytes: usize,
}

/// Why a record is reported as a batch item failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The body is not a CodePipeline execution event; retrying will not help, so the
    /// record reaches the DLQ after `maxReceiveCount`.
    Unparsable,
    /// The object holding its row could not be encoded or written; a retry may succeed.
    WriteFailed,
}

/// One record reported as a batch item failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordFailure {
    /// The SQS `messageId`.
    pub message_id: String,
    /// What kind of failure.
    pub kind: FailureKind,
    /// Why, for people.
    pub reason: String,
}

/// What one invocation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchOutcome {
    /// Records received.
    pub records: usize,
    /// Records parsed into rows.
    pub rows: usize,
    /// The batch id in the object keys.
    pub batch_id: Option<String>,
    /// Objects written.
    pub written: Vec<WrittenObject>,
    /// Records to retry, in record order.
    pub failures: Vec<RecordFailure>,
}

impl BatchOutcome {
    /// The response for Lambda: the failed records' message ids as `batchItemFailures`.
    pub fn response(&self) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        response.set_failures(self.failures.iter().map(|f| f.message_id.clone()));
        response
    }

    /// The message id and kind of each failed record, in record order.
    pub fn failed(&self) -> Vec<(&str, FailureKind)> {
        self.failures
            .iter()
            .map(|f| (f.message_id.as_str(), f.kind))
            .collect()
    }
}

/// The records to retry, gathered before it is known whether each can be named.
#[derive(Debug, Default)]
pub(crate) struct Failures(Vec<(Option<String>, FailureKind, String)>);

impl Failures {
    /// The record with `message_id` is to be retried, for `reason`.
    pub(crate) fn add(&mut self, message_id: Option<String>, kind: FailureKind, reason: String) {
        self.0.push((message_id, kind, reason));
    }

    /// One failure per message id, in the order added (a record is never reported twice);
    /// an error when a record without a message id is among them.
    pub(crate) fn named(self) -> Result<Vec<RecordFailure>, HandlerError> {
        let unnamed: Vec<&String> = self
            .0
            .iter()
            .filter(|(id, _, _)| id.is_none())
            .map(|(_, _, reason)| reason)
            .collect();
        if let Some(first) = unnamed.first() {
            let error = HandlerError::UnidentifiedRecordFailed {
                count: unnamed.len(),
                reason: (*first).clone(),
            };
            tracing::error!(error = %error, decision = "retry_batch", error_type = error.error_type(), "the whole batch is retried");
            return Err(error);
        }
        let mut seen = BTreeSet::new();
        Ok(self
            .0
            .into_iter()
            .filter_map(|(id, kind, reason)| {
                let message_id = id?;
                seen.insert(message_id.clone()).then_some(RecordFailure {
                    message_id,
                    kind,
                    reason,
                })
            })
            .collect())
    }
}
