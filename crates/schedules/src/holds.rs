//! Holds: a push that arrived during a freeze, kept to be started when the freeze ends.
//!
//! There is one hold per pipeline and branch ([`HoldKey`]). Every push during the freeze
//! is folded into it ([`Hold::fold`]): the hold keeps the newest commit by the push's
//! event time, so a slower, older push that is written second never replaces a newer
//! one. The store is a port ([`HoldStore`]): DynamoDB in Lambda, a JSON file in the CLI,
//! [`MemoryHoldStore`] in tests. Releasing is claimed first ([`HoldStore::claim_release`]),
//! so two overlapping releasers (scheduler ticks, a "Release now" click) start it once.
//! A claim carries its time and lapses after [`RELEASE_LEASE`], so a releaser that died
//! (or whose store failed) after its claim does not keep the hold forever. A started
//! release is recorded on the hold ([`HoldStore::mark_released`], [`ReleaseRecord`])
//! instead of deleting it: the hold is no longer listed, and a retry of the same claim
//! finds the record and answers as the release it was.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Mutex;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How many of the newest folded commit ids a hold remembers (the newest first).
pub const RECENT_COMMITS: usize = 5;

/// The prefix of hold items' partition keys in the shared scheduler table.
pub const HOLD_KEY_PREFIX: &str = "hold#";

/// How long a release claim holds: a claim older than this may be taken by another
/// releaser. Longer than any releaser runs (Lambda's 15-minute maximum), so a live
/// releaser is never overtaken; a releaser that died after its start is retried by the
/// next tick or click after it, and the retried start, with the same
/// [`Hold::release_token`], is the same CodePipeline execution.
pub const RELEASE_LEASE: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);

/// How long a released hold's record is kept (the table's TTL): a retried click or tick
/// within it answers as the release it was.
pub const RELEASED_KEPT: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// Which hold: one per pipeline and branch.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct HoldKey {
    /// The pipeline.
    pub pipeline: String,
    /// The branch.
    pub branch: String,
}

impl HoldKey {
    /// A key.
    pub fn new(pipeline: impl Into<String>, branch: impl Into<String>) -> Self {
        Self {
            pipeline: pipeline.into(),
            branch: branch.into(),
        }
    }

    /// The table's partition key: `hold#{pipeline}#{branch}`. Pipeline names have no `#`,
    /// so the first `#` after the prefix ends the pipeline even if the branch has one.
    pub fn partition_key(&self) -> String {
        format!("{HOLD_KEY_PREFIX}{}#{}", self.pipeline, self.branch)
    }

    /// The key back from a partition key; `None` for items that are not holds.
    pub fn from_partition_key(pk: &str) -> Option<Self> {
        let rest = pk.strip_prefix(HOLD_KEY_PREFIX)?;
        let (pipeline, branch) = rest.split_once('#')?;
        (!pipeline.is_empty() && !branch.is_empty()).then(|| Self::new(pipeline, branch))
    }

    /// A short value identifying the hold, for a Slack button (`pipeline#branch`).
    pub fn button_value(&self) -> String {
        format!("{}#{}", self.pipeline, self.branch)
    }

    /// The key back from [`HoldKey::button_value`].
    pub fn from_button_value(value: &str) -> Option<Self> {
        let (pipeline, branch) = value.split_once('#')?;
        (!pipeline.is_empty() && !branch.is_empty()).then(|| Self::new(pipeline, branch))
    }
}

impl fmt::Display for HoldKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}", self.pipeline, self.branch)
    }
}

/// A held push: what to start when the freeze ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// The CodeCommit repository.
    pub repository: String,
    /// The pipeline to start.
    pub pipeline: String,
    /// The branch pushed to.
    pub branch: String,
    /// The commit of the newest held push: what the release starts.
    pub commit_id: String,
    /// The pipeline's source action, to start at `commit_id` (`sourceRevisions`); `None`
    /// starts the pipeline at its source's head.
    pub source_action: Option<String>,
    /// How many pushes were folded into the hold.
    pub pushes: u32,
    /// The newest folded commit ids, newest first (at most [`RECENT_COMMITS`]).
    pub recent_commits: Vec<String>,
    /// Who made the newest push (the IAM identity of the CodeCommit event).
    pub pushed_by: Option<String>,
    /// When the first held push happened.
    pub held_since: Timestamp,
    /// When the hold is released (the freeze's `release_at`).
    pub release_at: Timestamp,
    /// The freeze that holds it.
    pub freeze: String,
    /// The event time of the newest push folded in: an older push never replaces it.
    pub updated_at: Timestamp,
    /// The claim of a release in progress, if any ([`HoldStore::claim_release`]).
    #[serde(default)]
    pub claimed_by: Option<String>,
    /// When the claim was made (it lapses after [`RELEASE_LEASE`]); `None` for a claim
    /// written before claims had a time (treated as lapsed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_at: Option<Timestamp>,
    /// The release that started it, once started: the hold is then no longer listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<ReleaseRecord>,
}

/// A started release, recorded on the hold ([`HoldStore::mark_released`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseRecord {
    /// The claim token of the release that started it.
    pub claim_token: String,
    /// The CodePipeline execution it started.
    pub execution_id: String,
    /// When it was recorded.
    pub at: Timestamp,
}

impl ReleaseRecord {
    /// When the store may forget the released hold: [`RELEASED_KEPT`] after the release.
    pub fn expires_at(&self) -> Timestamp {
        self.at.checked_add(RELEASED_KEPT).unwrap_or(self.at)
    }
}

/// What [`HoldStore::put_newest`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldWrite {
    /// No hold existed: this push is the first.
    Created,
    /// The push is newer than the hold's: the hold now points at its commit.
    Updated,
    /// The hold already had a newer push: it keeps its commit, the push is counted.
    KeptNewer,
}

impl HoldWrite {
    /// The snake_case name, for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            HoldWrite::Created => "created",
            HoldWrite::Updated => "updated",
            HoldWrite::KeptNewer => "kept_newer",
        }
    }
}

impl Hold {
    /// The hold's key.
    pub fn key(&self) -> HoldKey {
        HoldKey::new(&self.pipeline, &self.branch)
    }

    /// A new hold for one push at `at` (its event time), released at `release_at`.
    #[allow(clippy::too_many_arguments)]
    pub fn for_push(
        repository: &str,
        pipeline: &str,
        branch: &str,
        commit_id: &str,
        source_action: Option<&str>,
        pushed_by: Option<&str>,
        at: Timestamp,
        freeze: &str,
        release_at: Timestamp,
    ) -> Self {
        Self {
            repository: repository.to_owned(),
            pipeline: pipeline.to_owned(),
            branch: branch.to_owned(),
            commit_id: commit_id.to_owned(),
            source_action: source_action.map(str::to_owned),
            pushes: 1,
            recent_commits: vec![commit_id.to_owned()],
            pushed_by: pushed_by.map(str::to_owned),
            held_since: at,
            release_at,
            freeze: freeze.to_owned(),
            updated_at: at,
            claimed_by: None,
            claimed_at: None,
            released: None,
        }
    }

    /// Whether the hold was released (started and recorded): no longer waiting.
    pub fn is_released(&self) -> bool {
        self.released.is_some()
    }

    /// Whether `claim_token` may claim the hold's release at `now`: it is waiting and
    /// unclaimed, claimed by the same token (a retry), or its claim lapsed
    /// ([`RELEASE_LEASE`]).
    pub fn claimable_by(&self, claim_token: &str, now: Timestamp) -> bool {
        if self.is_released() {
            return false;
        }
        match (&self.claimed_by, self.claimed_at) {
            (None, _) => true,
            (Some(token), _) if token == claim_token => true,
            (Some(_), None) => true,
            (Some(_), Some(at)) => at
                .checked_add(RELEASE_LEASE)
                .is_ok_and(|lapses| lapses <= now),
        }
    }

    /// Folds `incoming` (one push) into `existing`, the stored hold of the same key.
    ///
    /// The newer event time wins the commit, the pusher, the freeze and the release time;
    /// an equal time goes to the incoming push (a redelivered event changes nothing but
    /// the count). The count adds up, the recent commits are merged newest first, and
    /// `held_since` is the earlier of the two. A claim in progress is kept. A released
    /// hold's record is replaced: the push starts a new hold.
    pub fn fold(existing: Option<&Hold>, incoming: Hold) -> (Hold, HoldWrite) {
        let Some(existing) = existing.filter(|h| !h.is_released()) else {
            return (incoming, HoldWrite::Created);
        };
        let incoming_newer = incoming.updated_at >= existing.updated_at;
        let (newer, older) = if incoming_newer {
            (&incoming, existing)
        } else {
            (existing, &incoming)
        };
        let mut recent = newer.recent_commits.clone();
        for commit in &older.recent_commits {
            if !recent.contains(commit) {
                recent.push(commit.clone());
            }
        }
        recent.truncate(RECENT_COMMITS);
        let merged = Hold {
            repository: newer.repository.clone(),
            pipeline: newer.pipeline.clone(),
            branch: newer.branch.clone(),
            commit_id: newer.commit_id.clone(),
            source_action: newer.source_action.clone(),
            pushes: existing.pushes.saturating_add(incoming.pushes),
            recent_commits: recent,
            pushed_by: newer.pushed_by.clone(),
            held_since: existing.held_since.min(incoming.held_since),
            release_at: newer.release_at,
            freeze: newer.freeze.clone(),
            updated_at: newer.updated_at,
            claimed_by: existing.claimed_by.clone(),
            claimed_at: existing.claimed_at,
            released: None,
        };
        let write = if incoming_newer {
            HoldWrite::Updated
        } else {
            HoldWrite::KeptNewer
        };
        (merged, write)
    }

    /// The `clientRequestToken` of the hold's release: the same hold at the same commit
    /// starts once, whoever releases it. 64 hex characters, within CodePipeline's
    /// `[a-zA-Z0-9-]{1,128}`.
    pub fn release_token(&self) -> String {
        let mut hash = Sha256::new();
        for part in [
            "hold-release",
            &self.pipeline,
            &self.branch,
            &self.commit_id,
            &self.held_since.to_string(),
        ] {
            hash.update(part.len().to_be_bytes());
            hash.update(part.as_bytes());
        }
        hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// When the store may forget the hold (the table's TTL): a week after its release
    /// time, so a release that failed is still there to be seen; a released hold's record
    /// [`RELEASED_KEPT`] after it was released.
    pub fn expires_at(&self) -> Timestamp {
        if let Some(released) = &self.released {
            return released.expires_at();
        }
        self.release_at
            .checked_add(jiff::SignedDuration::from_hours(24 * 7))
            .unwrap_or(self.release_at)
    }
}

/// A hold store that failed (after its client's retries).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HoldStoreError {
    /// The store could not be reached or refused the request.
    #[error("hold store unavailable: {message}")]
    Unavailable {
        /// What failed.
        message: String,
    },
    /// A stored hold could not be read back.
    #[error("hold `{key}` is corrupt: {message}")]
    Corrupt {
        /// The item's key.
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// Concurrent writers kept changing the hold; the write was given up.
    #[error("hold `{key}` changed under every one of {attempts} writes")]
    Contended {
        /// The hold.
        key: String,
        /// How many conditional writes were tried.
        attempts: u32,
    },
}

impl HoldStoreError {
    /// A stable name for the kind of error, for Lambda's `Diagnostic` and log searches.
    pub fn error_type(&self) -> &'static str {
        match self {
            HoldStoreError::Unavailable { .. } => "HoldStoreUnavailable",
            HoldStoreError::Corrupt { .. } => "HoldCorrupt",
            HoldStoreError::Contended { .. } => "HoldContended",
        }
    }
}

/// Where holds are kept: DynamoDB in Lambda, a JSON file in the CLI, memory in tests.
pub trait HoldStore {
    /// Folds one push's hold into the stored one ([`Hold::fold`]), atomically: of
    /// concurrent pushes, the newest by event time keeps the commit, whatever order the
    /// writes arrive in. Returns what was done.
    fn put_newest(
        &self,
        hold: Hold,
    ) -> impl Future<Output = Result<HoldWrite, HoldStoreError>> + Send;

    /// Every hold waiting (not released), ordered by pipeline and branch.
    fn list(&self) -> impl Future<Output = Result<Vec<Hold>, HoldStoreError>> + Send;

    /// The hold of a pipeline and branch, if one waits (not released).
    fn get(
        &self,
        key: &HoldKey,
    ) -> impl Future<Output = Result<Option<Hold>, HoldStoreError>> + Send;

    /// Claims the hold's release for `claim_token` at `now`, conditionally
    /// ([`Hold::claimable_by`]): `true` if the hold waits and was unclaimed, claimed with
    /// the same token (a retry) or its claim lapsed; `false` otherwise (someone else is
    /// releasing it, or it is released or gone). The claim records `now`.
    fn claim_release(
        &self,
        key: &HoldKey,
        claim_token: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, HoldStoreError>> + Send;

    /// Records that the release claimed by `record.claim_token` started the hold at
    /// `commit_id`, conditionally: `true` if the hold was still claimed by that token at
    /// that commit (it is then released: no longer listed, kept [`RELEASED_KEPT`] for
    /// retries); `false` if it was not (a newer push moved it, or the claim was lost).
    fn mark_released(
        &self,
        key: &HoldKey,
        commit_id: &str,
        record: ReleaseRecord,
    ) -> impl Future<Output = Result<bool, HoldStoreError>> + Send;

    /// The released hold of `key`, if its record is still kept ([`HoldStore::mark_released`]).
    fn released(
        &self,
        key: &HoldKey,
    ) -> impl Future<Output = Result<Option<Hold>, HoldStoreError>> + Send;

    /// Gives up a claim made with `claim_token` (the start failed), so that the next
    /// release, a tick or a click, can try again. A hold claimed by another token, or gone,
    /// is left as it is.
    fn release_claim(
        &self,
        key: &HoldKey,
        claim_token: &str,
    ) -> impl Future<Output = Result<(), HoldStoreError>> + Send;

    /// Removes the hold, waiting or released. Removing a missing hold is fine.
    fn delete(&self, key: &HoldKey) -> impl Future<Output = Result<(), HoldStoreError>> + Send;
}

/// Holds in memory, for tests and the local CLI's in-process use.
#[derive(Debug, Default)]
pub struct MemoryHoldStore {
    holds: Mutex<BTreeMap<HoldKey, Hold>>,
}

impl MemoryHoldStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding these holds.
    pub fn with(holds: impl IntoIterator<Item = Hold>) -> Self {
        Self {
            holds: Mutex::new(holds.into_iter().map(|h| (h.key(), h)).collect()),
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, BTreeMap<HoldKey, Hold>>, HoldStoreError> {
        self.holds.lock().map_err(|_| HoldStoreError::Unavailable {
            message: "the in-memory hold store is poisoned".to_owned(),
        })
    }

    /// Every hold waiting, as [`HoldStore::list`] would return it (a synchronous helper).
    pub fn snapshot(&self) -> Vec<Hold> {
        self.lock()
            .map(|holds| {
                holds
                    .values()
                    .filter(|h| !h.is_released())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// [`HoldStore::mark_released`] on one stored hold (the memory and file stores).
pub fn mark_released_in(hold: &mut Hold, commit_id: &str, record: ReleaseRecord) -> bool {
    let ours = !hold.is_released()
        && hold.claimed_by.as_deref() == Some(record.claim_token.as_str())
        && hold.commit_id == commit_id;
    if ours {
        hold.released = Some(record);
    }
    ours
}

/// [`HoldStore::claim_release`] on one stored hold (the memory and file stores).
pub fn claim_in(hold: &mut Hold, claim_token: &str, now: Timestamp) -> bool {
    let claimable = hold.claimable_by(claim_token, now);
    if claimable {
        hold.claimed_by = Some(claim_token.to_owned());
        hold.claimed_at = Some(now);
    }
    claimable
}

impl HoldStore for MemoryHoldStore {
    async fn put_newest(&self, hold: Hold) -> Result<HoldWrite, HoldStoreError> {
        let mut holds = self.lock()?;
        let key = hold.key();
        let (merged, write) = Hold::fold(holds.get(&key), hold);
        holds.insert(key, merged);
        Ok(write)
    }

    async fn list(&self) -> Result<Vec<Hold>, HoldStoreError> {
        Ok(self
            .lock()?
            .values()
            .filter(|h| !h.is_released())
            .cloned()
            .collect())
    }

    async fn get(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        Ok(self.lock()?.get(key).filter(|h| !h.is_released()).cloned())
    }

    async fn claim_release(
        &self,
        key: &HoldKey,
        claim_token: &str,
        now: Timestamp,
    ) -> Result<bool, HoldStoreError> {
        Ok(self
            .lock()?
            .get_mut(key)
            .is_some_and(|hold| claim_in(hold, claim_token, now)))
    }

    async fn mark_released(
        &self,
        key: &HoldKey,
        commit_id: &str,
        record: ReleaseRecord,
    ) -> Result<bool, HoldStoreError> {
        Ok(self
            .lock()?
            .get_mut(key)
            .is_some_and(|hold| mark_released_in(hold, commit_id, record)))
    }

    async fn released(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        Ok(self.lock()?.get(key).filter(|h| h.is_released()).cloned())
    }

    async fn release_claim(&self, key: &HoldKey, claim_token: &str) -> Result<(), HoldStoreError> {
        if let Some(hold) = self.lock()?.get_mut(key)
            && !hold.is_released()
            && hold.claimed_by.as_deref() == Some(claim_token)
        {
            hold.claimed_by = None;
            hold.claimed_at = None;
        }
        Ok(())
    }

    async fn delete(&self, key: &HoldKey) -> Result<(), HoldStoreError> {
        self.lock()?.remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn push(commit: &str, at: &str) -> Hold {
        Hold::for_push(
            "monorepo",
            "api-deploy",
            "main",
            commit,
            Some("Source"),
            Some("arn:aws:iam::1:user/dev"),
            ts(at),
            "weekend",
            ts("2026-11-30T08:00:00Z"),
        )
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        // The memory store never waits: one poll finishes every call.
        let mut future = std::pin::pin!(future);
        let waker = std::task::Waker::noop();
        let mut context = std::task::Context::from_waker(waker);
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(value) => value,
            std::task::Poll::Pending => panic!("the memory store does not wait"),
        }
    }

    #[test]
    fn two_pushes_keep_the_newer_commit_in_either_order() {
        let older = push("aaa", "2026-11-27T16:00:00Z");
        let newer = push("bbb", "2026-11-27T17:00:00Z");
        for (first, second, second_write) in [
            (older.clone(), newer.clone(), HoldWrite::Updated),
            (newer.clone(), older.clone(), HoldWrite::KeptNewer),
        ] {
            let store = MemoryHoldStore::new();
            assert_eq!(
                block_on(store.put_newest(first)).unwrap(),
                HoldWrite::Created
            );
            assert_eq!(block_on(store.put_newest(second)).unwrap(), second_write);
            let holds = block_on(store.list()).unwrap();
            assert_eq!(holds.len(), 1);
            let hold = &holds[0];
            assert_eq!(hold.commit_id, "bbb");
            assert_eq!(hold.pushes, 2);
            assert_eq!(hold.recent_commits, vec!["bbb", "aaa"]);
            assert_eq!(hold.held_since, ts("2026-11-27T16:00:00Z"));
            assert_eq!(hold.updated_at, ts("2026-11-27T17:00:00Z"));
        }
    }

    #[test]
    fn recent_commits_are_capped() {
        let mut hold = None;
        for minute in 0..8 {
            let incoming = push(
                &format!("c{minute}"),
                &format!("2026-11-27T16:0{minute}:00Z"),
            );
            hold = Some(Hold::fold(hold.as_ref(), incoming).0);
        }
        let hold = hold.unwrap();
        assert_eq!(hold.pushes, 8);
        assert_eq!(hold.commit_id, "c7");
        assert_eq!(hold.recent_commits, vec!["c7", "c6", "c5", "c4", "c3"]);
    }

    #[test]
    fn a_release_is_claimed_once() {
        let store = MemoryHoldStore::with([push("aaa", "2026-11-27T16:00:00Z")]);
        let key = HoldKey::new("api-deploy", "main");
        let now = ts("2026-11-30T08:00:00Z");
        assert!(block_on(store.claim_release(&key, "tick-1", now)).unwrap());
        assert!(block_on(store.claim_release(&key, "tick-1", now)).unwrap());
        assert!(!block_on(store.claim_release(&key, "tick-2", now)).unwrap());
        block_on(store.delete(&key)).unwrap();
        assert!(!block_on(store.claim_release(&key, "tick-2", now)).unwrap());
        assert_eq!(block_on(store.get(&key)).unwrap(), None);
    }

    #[test]
    fn a_claim_lapses_after_the_lease_and_a_released_hold_is_no_longer_listed() {
        let store = MemoryHoldStore::with([push("aaa", "2026-11-27T16:00:00Z")]);
        let key = HoldKey::new("api-deploy", "main");
        let now = ts("2026-11-30T08:00:00Z");
        assert!(block_on(store.claim_release(&key, "tick-1", now)).unwrap());
        let almost = ts("2026-11-30T08:14:59Z");
        assert!(!block_on(store.claim_release(&key, "tick-2", almost)).unwrap());
        let lapsed = ts("2026-11-30T08:15:00Z");
        assert!(block_on(store.claim_release(&key, "tick-2", lapsed)).unwrap());
        // The first claimant lost its claim: it cannot record the release any more.
        let record = |token: &str| ReleaseRecord {
            claim_token: token.to_owned(),
            execution_id: "exec-1".to_owned(),
            at: lapsed,
        };
        assert!(!block_on(store.mark_released(&key, "aaa", record("tick-1"))).unwrap());
        assert!(!block_on(store.mark_released(&key, "bbb", record("tick-2"))).unwrap());
        assert!(block_on(store.mark_released(&key, "aaa", record("tick-2"))).unwrap());
        assert_eq!(block_on(store.get(&key)).unwrap(), None);
        assert!(block_on(store.list()).unwrap().is_empty());
        let released = block_on(store.released(&key)).unwrap().unwrap();
        assert_eq!(released.released, Some(record("tick-2")));
        assert!(!block_on(store.claim_release(&key, "tick-2", lapsed)).unwrap());
        // A push of a later freeze starts a new hold over the record.
        let next = push("ccc", "2026-12-04T17:00:00Z");
        assert_eq!(
            block_on(store.put_newest(next)).unwrap(),
            HoldWrite::Created
        );
        let hold = block_on(store.get(&key)).unwrap().unwrap();
        assert_eq!((hold.commit_id.as_str(), hold.pushes), ("ccc", 1));
        assert_eq!(hold.claimed_by, None);
        assert_eq!(block_on(store.released(&key)).unwrap(), None);
    }

    #[test]
    fn keys_round_trip_through_the_table_and_buttons() {
        let key = HoldKey::new("api-deploy", "feature/#12");
        assert_eq!(key.partition_key(), "hold#api-deploy#feature/#12");
        assert_eq!(
            HoldKey::from_partition_key(&key.partition_key()),
            Some(key.clone())
        );
        assert_eq!(HoldKey::from_button_value(&key.button_value()), Some(key));
        assert_eq!(HoldKey::from_partition_key("slot#nightly#2026"), None);
    }

    #[test]
    fn release_tokens_are_stable_and_follow_the_commit() {
        let a = push("aaa", "2026-11-27T16:00:00Z");
        let b = push("bbb", "2026-11-27T16:00:00Z");
        assert_eq!(a.release_token(), a.clone().release_token());
        assert_ne!(a.release_token(), b.release_token());
        assert_eq!(a.release_token().len(), 64);
    }
}
