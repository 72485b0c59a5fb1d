//! In-memory adapters of the [`ports`](crate::ports): for the CLI's local runs and for
//! tests. Nothing is sent anywhere: Slack calls and approval results are recorded, the
//! approval messages are kept in memory, and no pipeline facts are found.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::approval::{ApprovalRef, ApprovalStatus};
use crate::continuation::{Continuation, Continuations, QueueError};
use crate::ports::{
    ApprovalMessage, ApprovalResults, ApprovalStore, Author, Claim, ClaimRequest, FactsError,
    PipelineFacts, PostedMessage, PutResultError, Revision, SlackApi, SlackError, StoreError,
    chat_update_body,
};

/// One recorded Slack call.
#[derive(Clone, Debug, PartialEq)]
pub struct SlackCall {
    /// The Web API method, or `response_url <url>`.
    pub call: String,
    /// The JSON body, or the form arguments as a JSON object.
    pub body: Value,
}

/// Records every call and answers like Slack would: `chat.postMessage` gets a channel and
/// a `ts`, `users.lookupByEmail` and `usergroups.users.list` get the answers configured.
#[derive(Debug, Default)]
pub struct RecordingSlack {
    calls: Mutex<Vec<SlackCall>>,
    /// `users.lookupByEmail` answers: (email, user id).
    pub users_by_email: Vec<(String, String)>,
    /// `usergroups.users.list` answers: (group id, member ids).
    pub group_members: Vec<(String, Vec<String>)>,
}

impl RecordingSlack {
    /// A recorder whose directory knows these users' emails and these groups' members.
    pub fn with_directory(
        users_by_email: Vec<(String, String)>,
        group_members: Vec<(String, Vec<String>)>,
    ) -> Self {
        Self {
            users_by_email,
            group_members,
            ..Self::default()
        }
    }

    /// The calls recorded so far, oldest first.
    pub fn calls(&self) -> Vec<SlackCall> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn record(&self, call: impl Into<String>, body: Value) -> usize {
        match self.calls.lock() {
            Ok(mut calls) => {
                calls.push(SlackCall {
                    call: call.into(),
                    body,
                });
                calls.len()
            }
            Err(_) => 0,
        }
    }
}

impl SlackApi for RecordingSlack {
    async fn post_message(&self, body: &Value) -> Result<PostedMessage, SlackError> {
        let n = self.record("chat.postMessage", body.clone());
        match body.get("channel").and_then(Value::as_str) {
            Some(channel) => Ok(PostedMessage {
                channel: channel.to_owned(),
                ts: format!("1700000000.{n:06}"),
            }),
            None => Err(SlackError::Api {
                call: "chat.postMessage".to_owned(),
                status: 200,
                error: "channel_not_found".to_owned(),
            }),
        }
    }

    async fn update_message(&self, at: &PostedMessage, update: &Value) -> Result<(), SlackError> {
        self.record("chat.update", chat_update_body(at, update));
        Ok(())
    }

    async fn open_view(&self, body: &Value) -> Result<(), SlackError> {
        self.record("views.open", body.clone());
        Ok(())
    }

    async fn user_id_by_email(&self, email: &str) -> Result<Option<String>, SlackError> {
        self.record("users.lookupByEmail", json!({"email": email}));
        Ok(self
            .users_by_email
            .iter()
            .find(|(e, _)| e == email)
            .map(|(_, id)| id.clone()))
    }

    async fn group_members(&self, group: &str) -> Result<Vec<String>, SlackError> {
        self.record("usergroups.users.list", json!({"usergroup": group}));
        Ok(self
            .group_members
            .iter()
            .find(|(g, _)| g == group)
            .map(|(_, users)| users.clone())
            .unwrap_or_default())
    }

    async fn respond(&self, response_url: &str, body: &Value) -> Result<(), SlackError> {
        self.record(format!("response_url {response_url}"), body.clone());
        Ok(())
    }
}

/// An item in memory: the message, who claimed it, the state it was closed with.
type MemoryItem = (ApprovalMessage, Option<String>, Option<String>);

/// The approval store in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    items: Mutex<HashMap<String, MemoryItem>>,
}

impl MemoryStore {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut HashMap<String, MemoryItem>) -> T,
    ) -> Result<T, StoreError> {
        self.items
            .lock()
            .map(|mut items| f(&mut items))
            .map_err(|_| StoreError {
                operation: "lock",
                message: "memory store poisoned".to_owned(),
            })
    }

    /// Whether the approval with key `key` was decided from Slack, and by whom.
    pub fn decided_by(&self, key: &str) -> Option<String> {
        self.with(|items| items.get(key).and_then(|(_, by, _)| by.clone()))
            .ok()
            .flatten()
    }
}

impl ApprovalStore for MemoryStore {
    async fn save(&self, message: &ApprovalMessage) -> Result<(), StoreError> {
        self.with(|items| {
            items.insert(message.key.clone(), (message.clone(), None, None));
        })
    }

    async fn get(&self, key: &str) -> Result<Option<ApprovalMessage>, StoreError> {
        self.with(|items| items.get(key).map(|(m, _, _)| m.clone()))
    }

    async fn claim(&self, request: &ClaimRequest<'_>) -> Result<Claim, StoreError> {
        self.with(|items| {
            let entry = items.entry(request.key.to_owned()).or_insert_with(|| {
                let message = ApprovalMessage {
                    key: request.key.to_owned(),
                    execution_key: None,
                    pipeline: String::new(),
                    stage: String::new(),
                    action: String::new(),
                    channel: String::new(),
                    ts: String::new(),
                    blocks: Vec::new(),
                    author_email: None,
                    expires_at: request.expires_at,
                };
                (message, None, None)
            });
            if entry.1.is_some() || entry.2.is_some() {
                Claim::AlreadyOver
            } else {
                entry.1 = Some(request.user_id.to_owned());
                Claim::Claimed
            }
        })
    }

    async fn release(&self, key: &str, user_id: &str) -> Result<(), StoreError> {
        self.with(|items| {
            if let Some(entry) = items.get_mut(key)
                && entry.1.as_deref() == Some(user_id)
            {
                entry.1 = None;
            }
        })
    }

    async fn by_execution(&self, execution_key: &str) -> Result<Vec<ApprovalMessage>, StoreError> {
        self.with(|items| {
            items
                .values()
                .filter(|(m, _, _)| m.execution_key.as_deref() == Some(execution_key))
                .map(|(m, _, _)| m.clone())
                .collect()
        })
    }

    async fn close(&self, key: &str, state: &str, _at: i64) -> Result<bool, StoreError> {
        self.with(|items| match items.get_mut(key) {
            Some(entry) if entry.1.is_none() && entry.2.as_deref().is_none_or(|s| s == state) => {
                entry.2 = Some(state.to_owned());
                true
            }
            _ => false,
        })
    }
}

/// One recorded `PutApprovalResult`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedResult {
    /// The approval (its token too: local runs only, never logged).
    pub approval: ApprovalRef,
    /// The decision.
    pub status: ApprovalStatus,
    /// The summary.
    pub summary: String,
}

/// Records decisions instead of sending them; answers with `answer` (success by default).
#[derive(Debug, Default)]
pub struct RecordingResults {
    recorded: Mutex<Vec<RecordedResult>>,
    /// The error to answer with, if any.
    pub answer: Option<PutResultError>,
}

impl RecordingResults {
    /// A recorder that answers every call with `answer` (`None`: success).
    pub fn answering(answer: Option<PutResultError>) -> Self {
        Self {
            answer,
            ..Self::default()
        }
    }

    /// The decisions recorded so far.
    pub fn recorded(&self) -> Vec<RecordedResult> {
        self.recorded.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl ApprovalResults for RecordingResults {
    async fn put_result(
        &self,
        approval: &ApprovalRef,
        status: ApprovalStatus,
        summary: &str,
    ) -> Result<(), PutResultError> {
        if let Ok(mut recorded) = self.recorded.lock() {
            recorded.push(RecordedResult {
                approval: approval.clone(),
                status,
                summary: summary.to_owned(),
            });
        }
        match &self.answer {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }
}

/// Keeps continuations in memory instead of queueing them (a test then feeds them to
/// [`crate::Clicks::resume`], as the queue would).
#[derive(Debug, Default)]
pub struct MemoryQueue {
    queued: Mutex<Vec<Continuation>>,
}

impl MemoryQueue {
    /// Takes the continuations queued so far, oldest first.
    pub fn take(&self) -> Vec<Continuation> {
        self.queued
            .lock()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default()
    }
}

impl Continuations for MemoryQueue {
    async fn enqueue(&self, continuation: &Continuation) -> Result<(), QueueError> {
        self.queued
            .lock()
            .map(|mut q| q.push(continuation.clone()))
            .map_err(|_| QueueError("memory queue poisoned".to_owned()))
    }
}

/// No look-ups: for local runs without AWS.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoPipelineFacts;

impl PipelineFacts for NoPipelineFacts {
    async fn execution_of(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<Option<String>, FactsError> {
        Ok(None)
    }

    async fn revision(&self, _: &str, _: &str) -> Result<Option<Revision>, FactsError> {
        Ok(None)
    }

    async fn author(&self, _: &str, _: &str) -> Result<Option<Author>, FactsError> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn claim_and_close_exclude_each_other() {
        let store = MemoryStore::default();
        let message = ApprovalMessage {
            key: "h".into(),
            execution_key: Some("p/e/s/a".into()),
            pipeline: "p".into(),
            stage: "s".into(),
            action: "a".into(),
            channel: "C1".into(),
            ts: "1.2".into(),
            blocks: Vec::new(),
            author_email: None,
            expires_at: 10,
        };
        store.save(&message).await.unwrap();
        let claim = ClaimRequest {
            key: "h",
            user_id: "U1",
            decision: "Approved",
            at: 1,
            expires_at: 10,
        };
        assert_eq!(store.claim(&claim).await.unwrap(), Claim::Claimed);
        assert_eq!(store.claim(&claim).await.unwrap(), Claim::AlreadyOver);
        assert!(!store.close("h", "SUCCEEDED", 2).await.unwrap());
        store.release("h", "U1").await.unwrap();
        assert!(store.close("h", "SUCCEEDED", 2).await.unwrap());
        assert!(store.close("h", "SUCCEEDED", 2).await.unwrap());
        assert!(!store.close("h", "FAILED", 2).await.unwrap());
        assert_eq!(store.claim(&claim).await.unwrap(), Claim::AlreadyOver);
        assert_eq!(store.by_execution("p/e/s/a").await.unwrap().len(), 1);
    }
}
