//! The port the function owns ([`SummaryPublisher`]) and the stand-ins for ports that are
//! not configured: [`NoSummary`] (no topic) and [`NoHolds`] (no scheduler table).

use std::future::Future;

use pipeline_schedules::jiff::Timestamp;
use pipeline_schedules::{Hold, HoldKey, HoldStore, HoldStoreError, HoldWrite, ReleaseRecord};

/// Publishes a push's routing summary (SNS in Lambda).
pub trait SummaryPublisher {
    /// Publishes one summary; `subject` is a one-line title, `message` the JSON summary.
    fn publish(
        &self,
        subject: &str,
        message: &str,
    ) -> impl Future<Output = Result<(), String>> + Send;
}

/// A publisher for when no topic is configured.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSummary;

impl SummaryPublisher for NoSummary {
    async fn publish(&self, _subject: &str, _message: &str) -> Result<(), String> {
        Ok(())
    }
}

/// A hold store for when none is configured (no `SCHEDULER_TABLE`): a push under a
/// freeze fails to be held, loudly, rather than starting into the freeze.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHolds;

impl NoHolds {
    fn error() -> HoldStoreError {
        HoldStoreError::Unavailable {
            message: "no hold store is configured (set SCHEDULER_TABLE)".to_owned(),
        }
    }
}

impl HoldStore for NoHolds {
    async fn put_newest(&self, _hold: Hold) -> Result<HoldWrite, HoldStoreError> {
        Err(Self::error())
    }
    async fn list(&self) -> Result<Vec<Hold>, HoldStoreError> {
        Ok(Vec::new())
    }
    async fn get(&self, _key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        Ok(None)
    }
    async fn claim_release(
        &self,
        _key: &HoldKey,
        _token: &str,
        _now: Timestamp,
    ) -> Result<bool, HoldStoreError> {
        Err(Self::error())
    }
    async fn mark_released(
        &self,
        _key: &HoldKey,
        _commit_id: &str,
        _record: ReleaseRecord,
    ) -> Result<bool, HoldStoreError> {
        Err(Self::error())
    }
    async fn released(&self, _key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        Ok(None)
    }
    async fn release_claim(&self, _key: &HoldKey, _token: &str) -> Result<(), HoldStoreError> {
        Err(Self::error())
    }
    async fn delete(&self, _key: &HoldKey) -> Result<(), HoldStoreError> {
        Err(Self::error())
    }
}
