//! The [`ObjectWriter`] port over a local folder: keys become relative paths under it, so
//! a folder holds the same `{prefix}/dt=YYYY-MM-DD/{batch_id}.json.gz` layout as the
//! bucket (the CLI's `invoke metrics-extractor` and `metrics backfill`).

use std::path::{Path, PathBuf};

use pipeline_metrics::ports::{ObjectWriter, WriteError};

/// Writes objects as files under a root folder.
#[derive(Clone, Debug)]
pub struct FolderWriter {
    root: PathBuf,
}

impl FolderWriter {
    /// A writer under `root` (created on the first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file a key is written to; `None` for keys that would leave the root (absolute
    /// paths, `..`) or are empty.
    pub fn path_of(&self, key: &str) -> Option<PathBuf> {
        function_support::folder::key_path(&self.root, key)
    }
}

impl ObjectWriter for FolderWriter {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), WriteError> {
        let path = self
            .path_of(key)
            .ok_or_else(|| WriteError(format!("key {key:?} is not a relative path")))?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| WriteError(format!("cannot create {}: {e}", parent.display())))?;
        }
        tokio::fs::write(&path, bytes)
            .await
            .map_err(|e| WriteError(format!("cannot write {}: {e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_under_the_root() {
        let writer = FolderWriter::new("/tmp/out");
        assert_eq!(
            writer.path_of("p/dt=2026-03-14/b.json.gz"),
            Some(PathBuf::from("/tmp/out/p/dt=2026-03-14/b.json.gz"))
        );
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "./a"] {
            assert_eq!(writer.path_of(bad), None, "{bad:?}");
        }
    }
}
