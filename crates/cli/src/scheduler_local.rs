//! The scheduler's ports on this machine, for `invoke scheduler` without `--aws`: the
//! tick record and slot claims in a JSON file ([`FileSchedulerState`],
//! `out/scheduler-state.json`), starts recorded in a JSON file that also answers "what did
//! the pipeline last build" ([`LocalRuns`], `out/scheduler-runs.json`), and branch heads
//! from the local git repository ([`LocalGit`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use pipeline_routing::{PipelineStarter, SourceError, StartRequest};
use pipeline_scheduler::jiff::Timestamp;
use pipeline_scheduler::{
    BranchHeads, ExecutionHistory, SchedulerState, SlotClaim, StateError, TickWindow,
};
use serde::{Deserialize, Serialize};

use crate::local_git::LocalGit;

/// The state file used by default.
pub const DEFAULT_STATE_FILE: &str = "out/scheduler-state.json";
/// The runs file used by default.
pub const DEFAULT_RUNS_FILE: &str = "out/scheduler-runs.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct StateFile {
    last_tick: Option<Timestamp>,
    previous_tick: Option<Timestamp>,
    /// Slot key to the tick that claimed it.
    claims: BTreeMap<String, Timestamp>,
}

fn read_json<T: Default + for<'de> Deserialize<'de>>(path: &PathBuf) -> Result<T, String> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().is_empty() => Ok(T::default()),
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

fn write_json<T: Serialize>(path: &PathBuf, value: &T) -> Result<(), String> {
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    }
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))
}

/// The scheduler's state in a JSON file (one process at a time).
#[derive(Debug)]
pub struct FileSchedulerState {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileSchedulerState {
    /// The state in `path` (created on the first tick).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    fn change<T>(
        &self,
        operation: &'static str,
        f: impl FnOnce(&mut StateFile) -> T,
    ) -> Result<T, StateError> {
        let error = |message: String| StateError { operation, message };
        let _guard = self.lock.lock().map_err(|_| error("poisoned".to_owned()))?;
        let mut state: StateFile = read_json(&self.path).map_err(error)?;
        let result = f(&mut state);
        write_json(&self.path, &state).map_err(error)?;
        Ok(result)
    }
}

impl SchedulerState for FileSchedulerState {
    async fn advance_tick(&self, now: Timestamp) -> Result<TickWindow, StateError> {
        self.change("advance tick", |state| match state.last_tick {
            Some(last) if last == now => state
                .previous_tick
                .map_or(TickWindow::First, TickWindow::Since),
            Some(last) if last > now => TickWindow::Stale { newest: last },
            last => {
                state.previous_tick = last;
                state.last_tick = Some(now);
                last.map_or(TickWindow::First, TickWindow::Since)
            }
        })
    }

    async fn claim_slot(&self, claim: &SlotClaim) -> Result<bool, StateError> {
        self.change("claim slot", |state| {
            match state.claims.entry(claim.partition_key()) {
                std::collections::btree_map::Entry::Occupied(_) => false,
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(claim.tick);
                    true
                }
            }
        })
    }

    async fn unclaim_slot(&self, claim: &SlotClaim) -> Result<(), StateError> {
        self.change("unclaim slot", |state| {
            let key = claim.partition_key();
            if state.claims.get(&key) == Some(&claim.tick) {
                state.claims.remove(&key);
            }
        })
    }
}

/// One recorded start.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LocalRun {
    /// The pipeline.
    pub pipeline: String,
    /// The `clientRequestToken`.
    pub client_request_token: String,
    /// The source action started at `commit`, if any.
    pub source_action: Option<String>,
    /// The commit started, if any.
    pub commit: Option<String>,
    /// The local execution id.
    pub execution_id: String,
}

/// Starts recorded in a JSON file, not sent; the newest recorded start of a pipeline is
/// "the commit its last execution built". A token already recorded starts nothing new.
#[derive(Debug)]
pub struct LocalRuns {
    path: PathBuf,
    lock: Mutex<()>,
}

impl LocalRuns {
    /// Runs in `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    /// Every recorded start, oldest first.
    pub fn runs(&self) -> Result<Vec<LocalRun>, SourceError> {
        read_json(&self.path).map_err(SourceError::new)
    }
}

impl PipelineStarter for LocalRuns {
    async fn start(&self, request: &StartRequest) -> Result<String, SourceError> {
        let _guard = self.lock.lock().map_err(|_| SourceError::new("poisoned"))?;
        let mut runs = self.runs()?;
        if let Some(run) = runs
            .iter()
            .find(|r| r.client_request_token == request.client_request_token)
        {
            return Ok(run.execution_id.clone());
        }
        let execution_id = format!("local-{}", runs.len() + 1);
        runs.push(LocalRun {
            pipeline: request.pipeline.clone(),
            client_request_token: request.client_request_token.clone(),
            source_action: request
                .source_revision
                .as_ref()
                .map(|r| r.action_name.clone()),
            commit: request
                .source_revision
                .as_ref()
                .map(|r| r.commit_id.clone()),
            execution_id: execution_id.clone(),
        });
        write_json(&self.path, &runs).map_err(SourceError::new)?;
        Ok(execution_id)
    }
}

impl ExecutionHistory for LocalRuns {
    async fn last_built_commit(
        &self,
        pipeline: &str,
        _source_action: Option<&str>,
    ) -> Result<Option<String>, SourceError> {
        Ok(self
            .runs()?
            .iter()
            .rev()
            .find(|r| r.pipeline == pipeline)
            .and_then(|r| r.commit.clone()))
    }
}

impl BranchHeads for LocalGit {
    async fn branch_head(
        &self,
        _repository: &str,
        branch: &str,
    ) -> Result<Option<String>, SourceError> {
        Ok(self.resolve(&format!("refs/heads/{branch}")).ok())
    }
}
