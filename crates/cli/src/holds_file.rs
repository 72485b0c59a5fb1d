//! [`FileHoldStore`]: the [`HoldStore`] in a JSON file (`out/holds.json` by default), the
//! store of the local `invoke commit-filter` and of `holds list | release` without
//! `--aws`. One process at a time: each call reads the file, changes it and writes it
//! back (to a temporary file renamed over it), under a lock within the process.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use pipeline_schedules::holds::{claim_in, mark_released_in};
use pipeline_schedules::jiff::Timestamp;
use pipeline_schedules::{Hold, HoldKey, HoldStore, HoldStoreError, HoldWrite, ReleaseRecord};

/// Where the local store is kept by default.
pub const DEFAULT_HOLDS_FILE: &str = "out/holds.json";

/// Holds in a JSON file: an array of holds, ordered by pipeline and branch.
#[derive(Debug)]
pub struct FileHoldStore {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileHoldStore {
    /// A store in `path` (created on the first write, with its folder).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn unavailable(&self, what: &str, error: impl std::fmt::Display) -> HoldStoreError {
        HoldStoreError::Unavailable {
            message: format!("{}: {what}: {error}", self.path.display()),
        }
    }

    fn read(&self) -> Result<Vec<Hold>, HoldStoreError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) if text.trim().is_empty() => Ok(Vec::new()),
            Ok(text) => serde_json::from_str(&text).map_err(|e| HoldStoreError::Corrupt {
                key: self.path.display().to_string(),
                message: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(self.unavailable("cannot read", e)),
        }
    }

    fn write(&self, mut holds: Vec<Hold>) -> Result<(), HoldStoreError> {
        holds.sort_by_key(Hold::key);
        if let Some(folder) = self.path.parent().filter(|f| !f.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|e| self.unavailable("cannot create", e))?;
        }
        let text = serde_json::to_string_pretty(&holds)
            .map_err(|e| self.unavailable("cannot serialize", e))?;
        let temporary = self.path.with_extension("json.tmp");
        std::fs::write(&temporary, text + "\n").map_err(|e| self.unavailable("cannot write", e))?;
        std::fs::rename(&temporary, &self.path).map_err(|e| self.unavailable("cannot write", e))
    }

    fn change<T>(&self, f: impl FnOnce(&mut Vec<Hold>) -> T) -> Result<T, HoldStoreError> {
        let _guard = self
            .lock
            .lock()
            .map_err(|_| self.unavailable("lock", "poisoned"))?;
        let mut holds = self.read()?;
        let result = f(&mut holds);
        self.write(holds)?;
        Ok(result)
    }
}

impl HoldStore for FileHoldStore {
    async fn put_newest(&self, hold: Hold) -> Result<HoldWrite, HoldStoreError> {
        self.change(|holds| {
            let key = hold.key();
            let position = holds.iter().position(|h| h.key() == key);
            let (merged, write) = Hold::fold(position.map(|i| &holds[i]), hold);
            match position {
                Some(i) => holds[i] = merged,
                None => holds.push(merged),
            }
            write
        })
    }

    async fn list(&self) -> Result<Vec<Hold>, HoldStoreError> {
        let mut holds = self.read()?;
        holds.retain(|h| !h.is_released());
        holds.sort_by_key(Hold::key);
        Ok(holds)
    }

    async fn get(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        Ok(self
            .read()?
            .into_iter()
            .find(|h| &h.key() == key && !h.is_released()))
    }

    async fn claim_release(
        &self,
        key: &HoldKey,
        claim_token: &str,
        now: Timestamp,
    ) -> Result<bool, HoldStoreError> {
        self.change(|holds| {
            holds
                .iter_mut()
                .find(|h| &h.key() == key)
                .is_some_and(|hold| claim_in(hold, claim_token, now))
        })
    }

    async fn mark_released(
        &self,
        key: &HoldKey,
        commit_id: &str,
        record: ReleaseRecord,
    ) -> Result<bool, HoldStoreError> {
        self.change(|holds| {
            holds
                .iter_mut()
                .find(|h| &h.key() == key)
                .is_some_and(|hold| mark_released_in(hold, commit_id, record))
        })
    }

    async fn released(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
        Ok(self
            .read()?
            .into_iter()
            .find(|h| &h.key() == key && h.is_released()))
    }

    async fn release_claim(&self, key: &HoldKey, claim_token: &str) -> Result<(), HoldStoreError> {
        self.change(|holds| {
            if let Some(hold) = holds.iter_mut().find(|h| &h.key() == key)
                && !hold.is_released()
                && hold.claimed_by.as_deref() == Some(claim_token)
            {
                hold.claimed_by = None;
                hold.claimed_at = None;
            }
        })
    }

    async fn delete(&self, key: &HoldKey) -> Result<(), HoldStoreError> {
        self.change(|holds| holds.retain(|h| &h.key() != key))
    }
}

#[cfg(test)]
mod tests {
    use pipeline_schedules::jiff::Timestamp;

    use super::*;

    fn push(commit: &str, second: i64) -> Hold {
        let at = Timestamp::from_second(second).unwrap_or(Timestamp::UNIX_EPOCH);
        Hold::for_push("r", "api", "main", commit, None, None, at, "weekend", at)
    }

    #[tokio::test]
    async fn the_file_keeps_the_newest_commit_and_survives_a_reopen() {
        let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = folder.path().join("out/holds.json");
        let store = FileHoldStore::new(&path);
        assert_eq!(
            store.put_newest(push("new", 20)).await.ok(),
            Some(HoldWrite::Created)
        );
        assert_eq!(
            store.put_newest(push("old", 10)).await.ok(),
            Some(HoldWrite::KeptNewer)
        );
        let reopened = FileHoldStore::new(&path);
        let holds = reopened.list().await.unwrap_or_default();
        assert_eq!(holds.len(), 1);
        assert_eq!(holds[0].commit_id, "new");
        assert_eq!(holds[0].pushes, 2);
        reopened
            .delete(&holds[0].key())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(store.list().await.unwrap_or_default().is_empty());
    }
}
