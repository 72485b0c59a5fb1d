//! The DynamoDB attribute helpers the table adapters share ([`approval_store`],
//! [`scheduler_state`], [`holds_store`]): building `S` / `N` values, reading text and
//! numbers back out of an item, and telling a lost conditional write from a failure.
//!
//! [`approval_store`]: crate::approval_store
//! [`scheduler_state`]: crate::scheduler_state
//! [`holds_store`]: crate::holds_store

use std::collections::HashMap;
use std::str::FromStr;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;

/// An item as the SDK returns it.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// A string attribute.
pub(crate) fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

/// A number attribute (DynamoDB carries numbers as text).
pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The string attribute `name` of `item`, if it is there and a string.
pub(crate) fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

/// The number attribute `name` of `item`, if it is there and parses as a `T`.
pub(crate) fn number<T: FromStr>(item: &Item, name: &str) -> Option<T> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}

/// Whether a write failed only because its condition did not hold (another writer won).
pub(crate) fn conditional_check_failed<E, R>(error: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    error.code() == Some("ConditionalCheckFailedException")
}
