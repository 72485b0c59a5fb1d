//! [`DynamoStore`]: the [`ApprovalStore`] in DynamoDB. Where each approval's Slack message
//! is, kept so that it can be updated later: by the `approval-handler` after a click, or
//! by the `approval-requester` when the approval action ends without one (console, CLI,
//! timeout, stopped run).
//!
//! One item per approval message, keyed by `pk` = the approval key, the SHA-256 of its
//! pipeline, stage, action and token together ([`slack_approval::ports::approval_key`];
//! the token itself is never stored or logged). Attributes: `execution_key`
//! (`pipeline/execution-id/stage/action`, indexed by the `by-execution` GSI that the state
//! change events are matched with), `pipeline`, `stage`, `action`, `channel`, `ts`,
//! `blocks` (the posted blocks, JSON), `author_email` (optional), `expires_at` (Unix
//! seconds, the table's TTL attribute), and once it is over either `decided_by` /
//! `decision` / `decided_at` (claimed by a click) or `closed_state` / `closed_at` (ended
//! outside Slack). A claim and a close are conditional writes, so exactly one of them wins
//! and an "Approved by" message is never overwritten.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;
use slack_approval::ports::{ApprovalMessage, ApprovalStore, Claim, ClaimRequest, StoreError};

use crate::dynamo::{conditional_check_failed, n, number, s, text};

/// The GSI on `execution_key`.
pub const EXECUTION_INDEX: &str = "by-execution";

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

fn store_error(operation: &'static str, error: impl std::error::Error) -> StoreError {
    StoreError {
        operation,
        message: aws_sdk_dynamodb::error::DisplayErrorContext(error).to_string(),
    }
}

fn from_item(item: &HashMap<String, AttributeValue>) -> Option<ApprovalMessage> {
    let text = |name: &str| text(item, name);
    let blocks = text("blocks")
        .and_then(|b| serde_json::from_str::<Vec<Value>>(&b).ok())
        .unwrap_or_default();
    Some(ApprovalMessage {
        key: text("pk")?,
        execution_key: text("execution_key"),
        pipeline: text("pipeline").unwrap_or_default(),
        stage: text("stage").unwrap_or_default(),
        action: text("action").unwrap_or_default(),
        channel: text("channel")?,
        ts: text("ts")?,
        blocks,
        author_email: text("author_email"),
        expires_at: number(item, "expires_at").unwrap_or_default(),
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
            .item("pk", s(&message.key))
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

    async fn get(&self, key: &str) -> Result<Option<ApprovalMessage>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(key))
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
            .key("pk", s(request.key))
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
            Err(error) if conditional_check_failed(&error) => Ok(Claim::AlreadyOver),
            Err(error) => Err(store_error("UpdateItem (claim)", error)),
        }
    }

    async fn release(&self, key: &str, user_id: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(key))
            .update_expression("REMOVE decided_by, decision, decided_at")
            .condition_expression("decided_by = :user")
            .expression_attribute_values(":user", s(user_id))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if conditional_check_failed(&error) => Ok(()),
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

    async fn close(&self, key: &str, state: &str, at: i64) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(key))
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
            Err(error) if conditional_check_failed(&error) => Ok(false),
            Err(error) => Err(store_error("UpdateItem (close)", error)),
        }
    }
}
