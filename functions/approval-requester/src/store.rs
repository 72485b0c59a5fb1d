//! Where each approval's Slack message is, kept in DynamoDB so that it can be updated
//! later: by the `approval-handler` after a click, or here when the approval action ends
//! without one (console, CLI, timeout, stopped run).
//!
//! One item per approval message, keyed by `pk` = the SHA-256 of the approval token (the
//! token itself is never stored or logged). Attributes: `execution_key`
//! (`pipeline/execution-id/stage/action`, indexed by the `by-execution` GSI that the state
//! change events are matched with), `pipeline`, `stage`, `action`, `channel`, `ts`,
//! `blocks` (the posted blocks, JSON), `author_email` (optional), `expires_at` (Unix
//! seconds, the table's TTL attribute), and once it is over either `decided_by` /
//! `decision` / `decided_at` (claimed by a click) or `closed_state` / `closed_at` (ended
//! outside Slack). A claim and a close are conditional writes, so exactly one of them wins
//! and an "Approved by" message is never overwritten.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The GSI on `execution_key`.
pub const EXECUTION_INDEX: &str = "by-execution";

/// Seconds an item lives after the approval's expiry (then DynamoDB's TTL removes it).
pub const KEEP_AFTER_EXPIRY_SECS: i64 = 7 * 24 * 3600;

/// Hex SHA-256 of an approval token: the table key, and what logs may show (a prefix).
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `pipeline/execution-id/stage/action`.
pub fn execution_key(pipeline: &str, execution_id: &str, stage: &str, action: &str) -> String {
    format!("{pipeline}/{execution_id}/{stage}/{action}")
}

/// One posted approval message.
#[derive(Clone, Debug, PartialEq)]
pub struct ApprovalMessage {
    /// [`token_hash`] of the approval token.
    pub token_hash: String,
    /// [`execution_key`], when the execution could be found.
    pub execution_key: Option<String>,
    /// Pipeline name.
    pub pipeline: String,
    /// Stage name.
    pub stage: String,
    /// Action name.
    pub action: String,
    /// Channel id of the message.
    pub channel: String,
    /// `ts` of the message.
    pub ts: String,
    /// The posted blocks.
    pub blocks: Vec<Value>,
    /// Email of the commit's author, when known (for the self-approval check).
    pub author_email: Option<String>,
    /// TTL: Unix seconds after which DynamoDB may delete the item.
    pub expires_at: i64,
}

/// Who claimed an approval from Slack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRequest<'a> {
    /// [`token_hash`].
    pub token_hash: &'a str,
    /// Slack user id.
    pub user_id: &'a str,
    /// `Approved` or `Rejected`.
    pub decision: &'a str,
    /// Unix seconds.
    pub at: i64,
    /// TTL for an item created by the claim (the message was not recorded).
    pub expires_at: i64,
}

/// The answer to a claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This click owns the decision.
    Claimed,
    /// Decided from Slack already, or closed after ending outside Slack.
    AlreadyOver,
}

/// A store operation that failed.
#[derive(Debug, thiserror::Error)]
#[error("approval store {operation}: {message}")]
pub struct StoreError {
    /// The operation.
    pub operation: &'static str,
    /// Why.
    pub message: String,
}

/// The approval messages' store.
pub trait ApprovalStore {
    /// Records a posted message.
    fn save(
        &self,
        message: &ApprovalMessage,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The message of `token_hash`, if recorded.
    fn get(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<ApprovalMessage>, StoreError>> + Send;

    /// Marks the approval decided by a click, unless it is over already.
    fn claim(
        &self,
        request: &ClaimRequest<'_>,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Undoes `user_id`'s claim (the decision could not be sent to CodePipeline).
    fn release(
        &self,
        token_hash: &str,
        user_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The messages of an execution's approval action.
    fn by_execution(
        &self,
        execution_key: &str,
    ) -> impl Future<Output = Result<Vec<ApprovalMessage>, StoreError>> + Send;

    /// Marks the approval ended outside Slack with `state`, unless a click decided it or
    /// it was closed with another state; `true` when it is (now) closed with `state`, so a
    /// redelivered event updates the message again rather than never.
    fn close(
        &self,
        token_hash: &str,
        state: &str,
        at: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// The store in a DynamoDB table.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoStore {
    /// A store in `table`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self { client, table }
    }
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn store_error(operation: &'static str, error: impl std::error::Error) -> StoreError {
    StoreError {
        operation,
        message: aws_sdk_dynamodb::error::DisplayErrorContext(error).to_string(),
    }
}

fn from_item(item: &HashMap<String, AttributeValue>) -> Option<ApprovalMessage> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
    let blocks = text("blocks")
        .and_then(|b| serde_json::from_str::<Vec<Value>>(&b).ok())
        .unwrap_or_default();
    Some(ApprovalMessage {
        token_hash: text("pk")?,
        execution_key: text("execution_key"),
        pipeline: text("pipeline").unwrap_or_default(),
        stage: text("stage").unwrap_or_default(),
        action: text("action").unwrap_or_default(),
        channel: text("channel")?,
        ts: text("ts")?,
        blocks,
        author_email: text("author_email"),
        expires_at: item
            .get("expires_at")
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or_default(),
    })
}

const NOT_OVER: &str = "attribute_not_exists(decided_at) AND attribute_not_exists(closed_state)";

impl ApprovalStore for DynamoStore {
    async fn save(&self, message: &ApprovalMessage) -> Result<(), StoreError> {
        let blocks = serde_json::to_string(&message.blocks).unwrap_or_else(|_| "[]".to_owned());
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&message.token_hash))
            .item("pipeline", s(&message.pipeline))
            .item("stage", s(&message.stage))
            .item("action", s(&message.action))
            .item("channel", s(&message.channel))
            .item("ts", s(&message.ts))
            .item("blocks", s(&blocks))
            .item("expires_at", n(message.expires_at));
        if let Some(key) = &message.execution_key {
            put = put.item("execution_key", s(key));
        }
        if let Some(email) = &message.author_email {
            put = put.item("author_email", s(email));
        }
        put.send()
            .await
            .map(|_| ())
            .map_err(|e| store_error("PutItem", e))
    }

    async fn get(&self, token_hash: &str) -> Result<Option<ApprovalMessage>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(token_hash))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| store_error("GetItem", e))?;
        Ok(output.item().and_then(from_item))
    }

    async fn claim(&self, request: &ClaimRequest<'_>) -> Result<Claim, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(request.token_hash))
            .update_expression(
                "SET decided_by = :user, decision = :decision, decided_at = :at, expires_at = if_not_exists(expires_at, :ttl)",
            )
            .condition_expression(NOT_OVER)
            .expression_attribute_values(":user", s(request.user_id))
            .expression_attribute_values(":decision", s(request.decision))
            .expression_attribute_values(":at", n(request.at))
            .expression_attribute_values(":ttl", n(request.expires_at))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Claim::Claimed),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(Claim::AlreadyOver)
            }
            Err(error) => Err(store_error("UpdateItem (claim)", error)),
        }
    }

    async fn release(&self, token_hash: &str, user_id: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(token_hash))
            .update_expression("REMOVE decided_by, decision, decided_at")
            .condition_expression("decided_by = :user")
            .expression_attribute_values(":user", s(user_id))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(error) => Err(store_error("UpdateItem (release)", error)),
        }
    }

    async fn by_execution(&self, execution_key: &str) -> Result<Vec<ApprovalMessage>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(EXECUTION_INDEX)
            .key_condition_expression("execution_key = :key")
            .expression_attribute_values(":key", s(execution_key))
            .send()
            .await
            .map_err(|e| store_error("Query", e))?;
        Ok(output.items().iter().filter_map(from_item).collect())
    }

    async fn close(&self, token_hash: &str, state: &str, at: i64) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(token_hash))
            .update_expression("SET closed_state = :state, closed_at = :at")
            .condition_expression(
                "attribute_exists(pk) AND attribute_not_exists(decided_at) AND (attribute_not_exists(closed_state) OR closed_state = :state)",
            )
            .expression_attribute_values(":state", s(state))
            .expression_attribute_values(":at", n(at))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(error) => Err(store_error("UpdateItem (close)", error)),
        }
    }
}

/// An item in memory: the message, who claimed it, the state it was closed with.
type MemoryItem = (ApprovalMessage, Option<String>, Option<String>);

/// The store in memory: for the CLI's local runs and unit tests.
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

    /// Whether `token_hash` was decided from Slack, and by whom.
    pub fn decided_by(&self, token_hash: &str) -> Option<String> {
        self.with(|items| items.get(token_hash).and_then(|(_, by, _)| by.clone()))
            .ok()
            .flatten()
    }
}

impl ApprovalStore for MemoryStore {
    async fn save(&self, message: &ApprovalMessage) -> Result<(), StoreError> {
        self.with(|items| {
            items.insert(message.token_hash.clone(), (message.clone(), None, None));
        })
    }

    async fn get(&self, token_hash: &str) -> Result<Option<ApprovalMessage>, StoreError> {
        self.with(|items| items.get(token_hash).map(|(m, _, _)| m.clone()))
    }

    async fn claim(&self, request: &ClaimRequest<'_>) -> Result<Claim, StoreError> {
        self.with(|items| {
            let entry = items
                .entry(request.token_hash.to_owned())
                .or_insert_with(|| {
                    (
                        ApprovalMessage {
                            token_hash: request.token_hash.to_owned(),
                            execution_key: None,
                            pipeline: String::new(),
                            stage: String::new(),
                            action: String::new(),
                            channel: String::new(),
                            ts: String::new(),
                            blocks: Vec::new(),
                            author_email: None,
                            expires_at: request.expires_at,
                        },
                        None,
                        None,
                    )
                });
            if entry.1.is_some() || entry.2.is_some() {
                Claim::AlreadyOver
            } else {
                entry.1 = Some(request.user_id.to_owned());
                Claim::Claimed
            }
        })
    }

    async fn release(&self, token_hash: &str, user_id: &str) -> Result<(), StoreError> {
        self.with(|items| {
            if let Some(entry) = items.get_mut(token_hash)
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

    async fn close(&self, token_hash: &str, state: &str, _at: i64) -> Result<bool, StoreError> {
        self.with(|items| match items.get_mut(token_hash) {
            Some(entry) if entry.1.is_none() && entry.2.as_deref().is_none_or(|s| s == state) => {
                entry.2 = Some(state.to_owned());
                true
            }
            _ => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hash_is_hex_sha256() {
        let hash = token_hash("abc");
        assert_eq!(
            hash,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[tokio::test]
    async fn claim_and_close_exclude_each_other() {
        let store = MemoryStore::default();
        let message = ApprovalMessage {
            token_hash: "h".into(),
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
            token_hash: "h",
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
