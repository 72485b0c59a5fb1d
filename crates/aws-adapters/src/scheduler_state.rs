//! [`DynamoSchedulerState`]: the scheduler's [`SchedulerState`] in the scheduler table
//! (`SCHEDULER_TABLE`, partition key `pk`, TTL attribute `expires_at`), beside the holds.
//!
//! Items:
//! - `tick#scheduler`: `last_tick` and `previous_tick` (nanoseconds since the Unix epoch,
//!   N). Advancing is read-then-conditional-write on the value read, so two overlapping
//!   ticks never both move it from the same value; a retry of the tick recorded last
//!   (the same scheduled time) reads the same window back.
//! - `slot#{schedule}#{slot}`: a slot's claim, `tick` (the claiming tick, RFC 3339) and
//!   `expires_at` (the slot plus 7 days). Written with `attribute_not_exists(pk)`: the one
//!   writer that succeeds starts the slot. A failed start deletes its own claim again.

use pipeline_scheduler::jiff::Timestamp;
use pipeline_scheduler::{SchedulerState, SlotClaim, StateError, TickWindow};

use crate::dynamo::{conditional_check_failed, n, number, s};

/// The partition key of the scheduler's tick record.
pub const TICK_KEY: &str = "tick#scheduler";

/// How often advancing the tick re-reads after losing a conditional write to another
/// tick.
const ADVANCE_ATTEMPTS: usize = 5;

/// The scheduler state in a DynamoDB table.
#[derive(Clone, Debug)]
pub struct DynamoSchedulerState {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoSchedulerState {
    /// The state in `table`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self { client, table }
    }
}

fn state_error(operation: &'static str, error: impl std::error::Error) -> StateError {
    StateError {
        operation,
        message: aws_sdk_dynamodb::error::DisplayErrorContext(error).to_string(),
    }
}

fn timestamp(nanos: i128) -> Result<Timestamp, StateError> {
    Timestamp::from_nanosecond(nanos).map_err(|e| StateError {
        operation: "GetItem (tick)",
        message: format!("stored tick {nanos} is not a time: {e}"),
    })
}

impl DynamoSchedulerState {
    async fn read_tick(&self) -> Result<(Option<i128>, Option<i128>), StateError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(TICK_KEY))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| state_error("GetItem (tick)", e))?;
        let item = output.item();
        Ok((
            item.and_then(|i| number(i, "last_tick")),
            item.and_then(|i| number(i, "previous_tick")),
        ))
    }

    /// Writes `now` over `last` (absent: the first tick); `false` when another tick
    /// changed it first.
    async fn write_tick(&self, now: i128, last: Option<i128>) -> Result<bool, StateError> {
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(TICK_KEY))
            .item("last_tick", n(now));
        put = match last {
            Some(last) => put
                .item("previous_tick", n(last))
                .condition_expression("last_tick = :last")
                .expression_attribute_values(":last", n(last)),
            None => put.condition_expression("attribute_not_exists(pk)"),
        };
        match put.send().await {
            Ok(_) => Ok(true),
            Err(error) if conditional_check_failed(&error) => Ok(false),
            Err(error) => Err(state_error("PutItem (tick)", error)),
        }
    }
}

impl SchedulerState for DynamoSchedulerState {
    async fn advance_tick(&self, now: Timestamp) -> Result<TickWindow, StateError> {
        let now_nanos = now.as_nanosecond();
        for _ in 0..ADVANCE_ATTEMPTS {
            let (last, previous) = self.read_tick().await?;
            match last {
                Some(last) if last == now_nanos => {
                    return match previous {
                        Some(previous) => Ok(TickWindow::Since(timestamp(previous)?)),
                        None => Ok(TickWindow::First),
                    };
                }
                Some(last) if last > now_nanos => {
                    return Ok(TickWindow::Stale {
                        newest: timestamp(last)?,
                    });
                }
                _ => {}
            }
            if self.write_tick(now_nanos, last).await? {
                return match last {
                    Some(last) => Ok(TickWindow::Since(timestamp(last)?)),
                    None => Ok(TickWindow::First),
                };
            }
        }
        Err(StateError {
            operation: "PutItem (tick)",
            message: format!(
                "lost the conditional write to other ticks {ADVANCE_ATTEMPTS} times in a row"
            ),
        })
    }

    async fn claim_slot(&self, claim: &SlotClaim) -> Result<bool, StateError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&claim.partition_key()))
            .item("schedule", s(&claim.schedule))
            .item("slot", s(&claim.slot.to_string()))
            .item("tick", s(&claim.tick.to_string()))
            .item("expires_at", n(claim.expires_at()))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if conditional_check_failed(&error) => Ok(false),
            Err(error) => Err(state_error("PutItem (slot claim)", error)),
        }
    }

    async fn unclaim_slot(&self, claim: &SlotClaim) -> Result<(), StateError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(&claim.partition_key()))
            .condition_expression("tick = :tick")
            .expression_attribute_values(":tick", s(&claim.tick.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if conditional_check_failed(&error) => Ok(()),
            Err(error) => Err(state_error("DeleteItem (slot claim)", error)),
        }
    }
}
