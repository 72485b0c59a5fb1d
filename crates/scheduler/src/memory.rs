//! In-memory adapters of the ports, for tests and local runs: a [`MemoryState`], and a
//! [`MemoryRepository`] / [`MemoryPipelines`] that answer from maps and record starts.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use pipeline_routing::{
    ChangeSource, DiffPage, DiffRequest, PipelineStarter, SourceError, StartRequest,
};
use pipeline_schedules::holds::{
    Hold, HoldKey, HoldStore, HoldStoreError, HoldWrite, MemoryHoldStore, ReleaseRecord,
};

use crate::ports::{
    BranchHeads, ExecutionHistory, SchedulerState, SlotClaim, StateError, TickWindow,
};

fn poisoned() -> StateError {
    StateError {
        operation: "lock",
        message: "the in-memory state is poisoned".to_owned(),
    }
}

#[derive(Debug, Default)]
struct State {
    last: Option<Timestamp>,
    previous: Option<Timestamp>,
    claims: BTreeMap<String, Timestamp>,
}

/// The scheduler's state in memory, shared between clones (like a table).
#[derive(Clone, Debug, Default)]
pub struct MemoryState {
    inner: Arc<Mutex<State>>,
}

impl MemoryState {
    /// The newest tick recorded.
    pub fn last_tick(&self) -> Option<Timestamp> {
        self.inner.lock().ok().and_then(|s| s.last)
    }

    /// The claimed slots' keys.
    pub fn claims(&self) -> Vec<String> {
        self.inner
            .lock()
            .map(|s| s.claims.keys().cloned().collect())
            .unwrap_or_default()
    }
}

impl SchedulerState for MemoryState {
    async fn advance_tick(&self, now: Timestamp) -> Result<TickWindow, StateError> {
        let mut state = self.inner.lock().map_err(|_| poisoned())?;
        Ok(match state.last {
            Some(last) if last == now => {
                state.previous.map_or(TickWindow::First, TickWindow::Since)
            }
            Some(last) if last > now => TickWindow::Stale { newest: last },
            last => {
                state.previous = last;
                state.last = Some(now);
                last.map_or(TickWindow::First, TickWindow::Since)
            }
        })
    }

    async fn claim_slot(&self, claim: &SlotClaim) -> Result<bool, StateError> {
        let mut state = self.inner.lock().map_err(|_| poisoned())?;
        let key = claim.partition_key();
        if state.claims.contains_key(&key) {
            return Ok(false);
        }
        state.claims.insert(key, claim.tick);
        Ok(true)
    }

    async fn unclaim_slot(&self, claim: &SlotClaim) -> Result<(), StateError> {
        let mut state = self.inner.lock().map_err(|_| poisoned())?;
        let key = claim.partition_key();
        if state.claims.get(&key) == Some(&claim.tick) {
            state.claims.remove(&key);
        }
        Ok(())
    }
}

/// A repository in memory: branch heads, and the paths changed between pairs of commits.
#[derive(Clone, Debug, Default)]
pub struct MemoryRepository {
    /// `(repository, branch)` to head commit.
    pub heads: BTreeMap<(String, String), String>,
    /// `(before, after)` to the paths changed.
    pub diffs: BTreeMap<(String, String), Vec<String>>,
}

impl BranchHeads for MemoryRepository {
    async fn branch_head(
        &self,
        repository: &str,
        branch: &str,
    ) -> Result<Option<String>, SourceError> {
        Ok(self
            .heads
            .get(&(repository.to_owned(), branch.to_owned()))
            .cloned())
    }
}

impl ChangeSource for MemoryRepository {
    async fn default_branch(&self, _repository: &str) -> Result<Option<String>, SourceError> {
        Ok(None)
    }

    async fn merge_base(&self, _: &str, _: &str, _: &str) -> Result<Option<String>, SourceError> {
        Ok(None)
    }

    async fn first_parent(&self, _: &str, _: &str) -> Result<Option<String>, SourceError> {
        Ok(None)
    }

    async fn changed_paths(&self, request: DiffRequest<'_>) -> Result<DiffPage, SourceError> {
        let key = (
            request.before.unwrap_or_default().to_owned(),
            request.after.to_owned(),
        );
        match self.diffs.get(&key) {
            Some(paths) => Ok(DiffPage {
                paths: paths.clone(),
                next_page_token: None,
            }),
            None => Err(SourceError::new(format!("no diff {} -> {}", key.0, key.1))),
        }
    }
}

/// Pipelines in memory: the commit each last built, and the starts, recorded (a token
/// already seen starts nothing new, as in CodePipeline).
#[derive(Clone, Debug, Default)]
pub struct MemoryPipelines {
    /// Pipeline to the commit its last execution built.
    pub last_built: BTreeMap<String, String>,
    /// Pipelines whose starts fail.
    pub failing: BTreeSet<String>,
    starts: Arc<Mutex<Vec<StartRequest>>>,
}

impl MemoryPipelines {
    /// The starts so far, oldest first.
    pub fn starts(&self) -> Vec<StartRequest> {
        self.starts.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl PipelineStarter for MemoryPipelines {
    async fn start(&self, request: &StartRequest) -> Result<String, SourceError> {
        if self.failing.contains(&request.pipeline) {
            return Err(SourceError::new("StartPipelineExecution: throttled"));
        }
        let mut starts = self
            .starts
            .lock()
            .map_err(|_| SourceError::new("poisoned"))?;
        starts.push(request.clone());
        Ok(format!("execution-{}", starts.len()))
    }
}

impl ExecutionHistory for MemoryPipelines {
    async fn last_built_commit(
        &self,
        pipeline: &str,
        _source_action: Option<&str>,
    ) -> Result<Option<String>, SourceError> {
        Ok(self.last_built.get(pipeline).cloned())
    }
}

/// A [`MemoryHoldStore`] shared between clones (as a table is between ticks).
#[derive(Clone, Debug, Default)]
pub struct SharedHolds(pub Arc<MemoryHoldStore>);

impl SharedHolds {
    /// Every hold.
    pub fn snapshot(&self) -> Vec<Hold> {
        self.0.snapshot()
    }
}

impl HoldStore for SharedHolds {
    async fn put_newest(&self, hold: Hold) -> Result<HoldWrite, HoldStoreError> {
        self.0.put_newest(hold).await
    }

    async fn list(&self) -> Result<Vec<Hold>, HoldStoreError> {
        self.0.list().await
    }

    async fn get(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        self.0.get(key).await
    }

    async fn claim_release(
        &self,
        key: &HoldKey,
        claim_token: &str,
        now: Timestamp,
    ) -> Result<bool, HoldStoreError> {
        self.0.claim_release(key, claim_token, now).await
    }

    async fn mark_released(
        &self,
        key: &HoldKey,
        commit_id: &str,
        record: ReleaseRecord,
    ) -> Result<bool, HoldStoreError> {
        self.0.mark_released(key, commit_id, record).await
    }

    async fn released(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        self.0.released(key).await
    }

    async fn release_claim(&self, key: &HoldKey, claim_token: &str) -> Result<(), HoldStoreError> {
        self.0.release_claim(key, claim_token).await
    }

    async fn delete(&self, key: &HoldKey) -> Result<(), HoldStoreError> {
        self.0.delete(key).await
    }
}
