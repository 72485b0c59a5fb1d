//! Throwaway git repositories with a scripted history.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A git repository in a temporary folder, removed when dropped.
pub struct TempRepo {
    dir: tempfile::TempDir,
}

impl TempRepo {
    /// A new repository with `main` as its first branch.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("monorepo")
            .tempdir()
            .unwrap_or_else(|e| panic!("tempdir: {e}"));
        let repo = Self { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.email", "dev@example.com"]);
        repo.git(&["config", "user.name", "Dev"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    /// The repository's folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the repository and returns its trimmed stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .arg("-C")
            .arg(self.dir.path())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("git: {e}"));
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Writes files (path, content), removes the paths given with content `None`, commits
    /// everything and returns the commit id.
    pub fn commit(&self, message: &str, changes: &[(&str, Option<&str>)]) -> String {
        for (path, content) in changes {
            let file: PathBuf = self.dir.path().join(path);
            match content {
                Some(content) => {
                    if let Some(parent) = file.parent() {
                        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
                    }
                    std::fs::write(&file, content).unwrap_or_else(|e| panic!("write: {e}"));
                }
                None => std::fs::remove_file(&file).unwrap_or_else(|e| panic!("rm: {e}")),
            }
        }
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Renames a file and commits; returns the commit id.
    pub fn rename(&self, from: &str, to: &str) -> String {
        if let Some(parent) = self.dir.path().join(to).parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        self.git(&["mv", from, to]);
        self.git(&["commit", "-q", "-m", &format!("rename {from} to {to}")]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// `GetDifferences` response bodies for `before..after` as CodeCommit would page
    /// them, `page_size` differences per page: each difference with its before and/or
    /// after blob, as `git diff --raw` reports them.
    pub fn get_differences_pages(
        &self,
        before: Option<&str>,
        after: &str,
        page_size: usize,
    ) -> Vec<serde_json::Value> {
        let empty_tree = self.git(&["hash-object", "-t", "tree", "/dev/null"]);
        let before = before.map(str::to_owned).unwrap_or(empty_tree);
        let raw = self.git(&["diff", "--raw", "--no-abbrev", "-M", "-z", &before, after]);
        let mut differences = Vec::new();
        let mut fields = raw.split('\0').filter(|f| !f.is_empty());
        while let Some(meta) = fields.next() {
            // :old_mode new_mode old_blob new_blob status
            let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
            let status = parts.get(4).copied().unwrap_or("M");
            let first = fields.next().unwrap_or_default();
            let blob = |mode: &str, id: &str, path: &str| serde_json::json!({"blobId": id, "path": path, "mode": mode});
            let difference = match status.chars().next() {
                Some('A') => {
                    serde_json::json!({"afterBlob": blob(parts[1], parts[3], first), "changeType": "A"})
                }
                Some('D') => {
                    serde_json::json!({"beforeBlob": blob(parts[0], parts[2], first), "changeType": "D"})
                }
                Some('R') => {
                    let second = fields.next().unwrap_or_default();
                    serde_json::json!({"beforeBlob": blob(parts[0], parts[2], first), "afterBlob": blob(parts[1], parts[3], second), "changeType": "M"})
                }
                _ => {
                    serde_json::json!({"beforeBlob": blob(parts[0], parts[2], first), "afterBlob": blob(parts[1], parts[3], first), "changeType": "M"})
                }
            };
            differences.push(difference);
        }
        let chunks: Vec<Vec<serde_json::Value>> = if differences.is_empty() {
            vec![Vec::new()]
        } else {
            differences.chunks(page_size).map(<[_]>::to_vec).collect()
        };
        let count = chunks.len();
        chunks
            .into_iter()
            .enumerate()
            .map(|(i, chunk)| {
                let mut page = serde_json::json!({"differences": chunk});
                if i + 1 < count {
                    page["NextToken"] = serde_json::json!(format!("page-{}", i + 1));
                }
                page
            })
            .collect()
    }
}

impl Default for TempRepo {
    fn default() -> Self {
        Self::new()
    }
}
