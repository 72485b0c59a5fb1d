//! [`DynamoHoldStore`]: the [`HoldStore`] in the scheduler's DynamoDB table
//! (`SCHEDULER_TABLE`, template resource `SchedulerTable`).
//!
//! The table has one key, `pk` (S), and the TTL attribute `expires_at` (N, Unix seconds);
//! the scheduler keeps other items in it (`slot#...`, `tick#...`). A hold is one item,
//! `pk` = `hold#{pipeline}#{branch}`, with `repository`, `pipeline`, `branch`,
//! `commit_id`, `source_action` (optional), `pushes` (N), `recent_commits` (L of S),
//! `pushed_by` (optional), `held_since`, `release_at`, `updated_at` (RFC 3339), `freeze`,
//! `claimed_by` and `claimed_at` (N, Unix seconds; optional), `released_by`,
//! `released_execution_id` and `released_at` (optional: a released hold's record),
//! `version` (N) and `expires_at`.
//!
//! Folding a push is a read, [`Hold::fold`], and a write conditional on the `version`
//! read (or on the item's absence): a concurrent writer makes the condition fail and the
//! fold is redone on what it wrote, so an older push written second never replaces a
//! newer commit and no push is lost from the count. A claim bumps `version` too, so a
//! fold never drops a claim made in between.
//!
//! A claim is one conditional `UpdateItem`: the hold waits (no `released_by`) and is
//! unclaimed, claimed by the same token, or claimed before the lease
//! ([`pipeline_schedules::RELEASE_LEASE`]). Recording the release is another, conditional
//! on the claim and the commit; it sets the TTL to a day later. `get` and `list` skip
//! released records; a push folded into one starts a new hold (the item is replaced).

use std::collections::HashMap;

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::AttributeValue;
use pipeline_schedules::jiff::Timestamp;
use pipeline_schedules::{
    Hold, HoldKey, HoldStore, HoldStoreError, HoldWrite, RELEASE_LEASE, ReleaseRecord,
};

use crate::dynamo::{conditional_check_failed, n, number, s, text};

/// How many times a contended fold is retried before giving up.
const MAX_ATTEMPTS: u32 = 8;

/// Holds in a DynamoDB table.
#[derive(Clone, Debug)]
pub struct DynamoHoldStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoHoldStore {
    /// A store in `table`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self { client, table }
    }

    async fn read(&self, key: &HoldKey) -> Result<Option<(Hold, i64)>, HoldStoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(&key.partition_key()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("GetItem", e))?;
        output.item().map(from_item).transpose()
    }

    /// A conditional `UpdateItem` on the hold of `key`: `true` if it was written, `false`
    /// if the condition failed.
    async fn update_if(
        &self,
        what: &str,
        key: &HoldKey,
        update: &str,
        condition: &str,
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<bool, HoldStoreError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&key.partition_key()))
            .update_expression(update)
            .condition_expression(condition)
            .expression_attribute_values(":one", n(1));
        for (name, value) in values {
            request = request.expression_attribute_values(name, value);
        }
        match request.send().await {
            Ok(_) => Ok(true),
            Err(error) if conditional_check_failed(&error) => Ok(false),
            Err(error) => Err(unavailable(&format!("UpdateItem ({what})"), error)),
        }
    }
}

fn unavailable(operation: &str, error: impl std::error::Error) -> HoldStoreError {
    HoldStoreError::Unavailable {
        message: format!("{operation}: {}", DisplayErrorContext(error)),
    }
}

fn to_item(hold: &Hold, version: i64) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::from([
        ("pk".to_owned(), s(&hold.key().partition_key())),
        ("repository".to_owned(), s(&hold.repository)),
        ("pipeline".to_owned(), s(&hold.pipeline)),
        ("branch".to_owned(), s(&hold.branch)),
        ("commit_id".to_owned(), s(&hold.commit_id)),
        ("pushes".to_owned(), n(i64::from(hold.pushes))),
        (
            "recent_commits".to_owned(),
            AttributeValue::L(hold.recent_commits.iter().map(|c| s(c)).collect()),
        ),
        ("held_since".to_owned(), s(&hold.held_since.to_string())),
        ("release_at".to_owned(), s(&hold.release_at.to_string())),
        ("updated_at".to_owned(), s(&hold.updated_at.to_string())),
        ("freeze".to_owned(), s(&hold.freeze)),
        ("version".to_owned(), n(version)),
        ("expires_at".to_owned(), n(hold.expires_at().as_second())),
    ]);
    for (name, value) in [
        ("source_action", &hold.source_action),
        ("pushed_by", &hold.pushed_by),
        ("claimed_by", &hold.claimed_by),
    ] {
        if let Some(value) = value {
            item.insert(name.to_owned(), s(value));
        }
    }
    if let Some(at) = hold.claimed_at {
        item.insert("claimed_at".to_owned(), n(at.as_second()));
    }
    if let Some(released) = &hold.released {
        item.insert("released_by".to_owned(), s(&released.claim_token));
        item.insert(
            "released_execution_id".to_owned(),
            s(&released.execution_id),
        );
        item.insert("released_at".to_owned(), s(&released.at.to_string()));
    }
    item
}

fn from_item(item: &HashMap<String, AttributeValue>) -> Result<(Hold, i64), HoldStoreError> {
    let pk = text(item, "pk").unwrap_or_default();
    let corrupt = |message: String| HoldStoreError::Corrupt {
        key: pk.clone(),
        message,
    };
    let text = |name: &str| text(item, name);
    let required = |name: &str| text(name).ok_or_else(|| corrupt(format!("no `{name}`")));
    let number = |name: &str| {
        number::<i64>(item, name).ok_or_else(|| corrupt(format!("no number `{name}`")))
    };
    let time = |name: &str| {
        required(name)?
            .parse::<Timestamp>()
            .map_err(|e| corrupt(format!("`{name}`: {e}")))
    };
    let recent_commits = item
        .get("recent_commits")
        .and_then(|v| v.as_l().ok())
        .map(|list| list.iter().filter_map(|v| v.as_s().ok().cloned()).collect())
        .unwrap_or_default();
    let hold = Hold {
        repository: required("repository")?,
        pipeline: required("pipeline")?,
        branch: required("branch")?,
        commit_id: required("commit_id")?,
        source_action: text("source_action"),
        pushes: u32::try_from(number("pushes")?).map_err(|e| corrupt(e.to_string()))?,
        recent_commits,
        pushed_by: text("pushed_by"),
        held_since: time("held_since")?,
        release_at: time("release_at")?,
        freeze: required("freeze")?,
        updated_at: time("updated_at")?,
        claimed_by: text("claimed_by"),
        claimed_at: crate::dynamo::number::<i64>(item, "claimed_at")
            .map(|at| Timestamp::from_second(at).map_err(|e| corrupt(format!("`claimed_at`: {e}"))))
            .transpose()?,
        released: match text("released_by") {
            Some(claim_token) => Some(ReleaseRecord {
                claim_token,
                execution_id: text("released_execution_id").unwrap_or_default(),
                at: time("released_at")?,
            }),
            None => None,
        },
    };
    Ok((hold, number("version")?))
}

impl HoldStore for DynamoHoldStore {
    async fn put_newest(&self, hold: Hold) -> Result<HoldWrite, HoldStoreError> {
        let key = hold.key();
        for _ in 0..MAX_ATTEMPTS {
            let existing = self.read(&key).await?;
            let (merged, write) = Hold::fold(existing.as_ref().map(|(h, _)| h), hold.clone());
            let request = self.client.put_item().table_name(&self.table);
            let request = match &existing {
                None => request
                    .set_item(Some(to_item(&merged, 1)))
                    .condition_expression("attribute_not_exists(pk)"),
                Some((_, version)) => request
                    .set_item(Some(to_item(&merged, version + 1)))
                    .condition_expression("version = :seen")
                    .expression_attribute_values(":seen", n(*version)),
            };
            match request.send().await {
                Ok(_) => return Ok(write),
                Err(error) if conditional_check_failed(&error) => continue,
                Err(error) => return Err(unavailable("PutItem", error)),
            }
        }
        Err(HoldStoreError::Contended {
            key: key.partition_key(),
            attempts: MAX_ATTEMPTS,
        })
    }

    async fn list(&self) -> Result<Vec<Hold>, HoldStoreError> {
        let mut holds = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let output = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("begins_with(pk, :prefix)")
                .expression_attribute_values(
                    ":prefix",
                    s(pipeline_schedules::holds::HOLD_KEY_PREFIX),
                )
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| unavailable("Scan", e))?;
            for item in output.items() {
                let hold = from_item(item)?.0;
                if !hold.is_released() {
                    holds.push(hold);
                }
            }
            match output.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => break,
            }
        }
        holds.sort_by_key(Hold::key);
        Ok(holds)
    }

    async fn get(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        Ok(self
            .read(key)
            .await?
            .map(|(hold, _)| hold)
            .filter(|hold| !hold.is_released()))
    }

    async fn claim_release(
        &self,
        key: &HoldKey,
        claim_token: &str,
        now: Timestamp,
    ) -> Result<bool, HoldStoreError> {
        let lapsed = now
            .checked_sub(RELEASE_LEASE)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .as_second();
        self.update_if(
            "claim",
            key,
            "SET claimed_by = :token, claimed_at = :now, version = version + :one",
            "attribute_exists(pk) AND attribute_not_exists(released_by) AND (attribute_not_exists(claimed_by) OR claimed_by = :token OR attribute_not_exists(claimed_at) OR claimed_at <= :lapsed)",
            vec![
                (":token", s(claim_token)),
                (":now", n(now.as_second())),
                (":lapsed", n(lapsed)),
            ],
        )
        .await
    }

    async fn mark_released(
        &self,
        key: &HoldKey,
        commit_id: &str,
        record: ReleaseRecord,
    ) -> Result<bool, HoldStoreError> {
        let expires_at = record.expires_at().as_second();
        self.update_if(
            "record release",
            key,
            "SET released_by = :token, released_execution_id = :execution, released_at = :at, expires_at = :expires, version = version + :one",
            "claimed_by = :token AND commit_id = :commit AND attribute_not_exists(released_by)",
            vec![
                (":token", s(&record.claim_token)),
                (":execution", s(&record.execution_id)),
                (":at", s(&record.at.to_string())),
                (":expires", n(expires_at)),
                (":commit", s(commit_id)),
            ],
        )
        .await
    }

    async fn released(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        Ok(self
            .read(key)
            .await?
            .map(|(hold, _)| hold)
            .filter(Hold::is_released))
    }

    async fn release_claim(&self, key: &HoldKey, claim_token: &str) -> Result<(), HoldStoreError> {
        self.update_if(
            "release claim",
            key,
            "REMOVE claimed_by, claimed_at SET version = version + :one",
            "claimed_by = :token AND attribute_not_exists(released_by)",
            vec![(":token", s(claim_token))],
        )
        .await
        .map(|_| ())
    }

    async fn delete(&self, key: &HoldKey) -> Result<(), HoldStoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(&key.partition_key()))
            .send()
            .await
            .map_err(|e| unavailable("DeleteItem", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_round_trip() {
        let mut hold = Hold::for_push(
            "monorepo",
            "api-deploy",
            "main",
            "abc",
            Some("Source"),
            None,
            Timestamp::UNIX_EPOCH,
            "weekend",
            Timestamp::UNIX_EPOCH,
        );
        hold.claimed_by = Some("tick".into());
        hold.claimed_at = Some(Timestamp::from_second(1_800_000_000).unwrap_or_default());
        hold.released = Some(ReleaseRecord {
            claim_token: "tick".into(),
            execution_id: "exec-1".into(),
            at: Timestamp::from_second(1_800_000_060).unwrap_or_default(),
        });
        let item = to_item(&hold, 3);
        assert_eq!(item["pk"], s("hold#api-deploy#main"));
        assert!(!item.contains_key("pushed_by"));
        let back = from_item(&item).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, (hold, 3));
    }
}
