//! The [`ChangeSource`] port over a local git repository, through the `git` command: the
//! same routing engine, on a history that never left the laptop.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pipeline_routing::{ChangeSource, DiffPage, DiffRequest, SourceError};

/// A local git repository.
#[derive(Clone, Debug)]
pub struct LocalGit {
    dir: PathBuf,
}

impl LocalGit {
    /// The repository at (or above) `dir`.
    pub fn open(dir: &Path) -> Result<Self, SourceError> {
        let git = Self {
            dir: dir.to_path_buf(),
        };
        git.run(&["rev-parse", "--git-dir"])?;
        Ok(git)
    }

    /// Runs git in the repository.
    fn git(&self, args: &[&str]) -> Result<Output, SourceError> {
        Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            .output()
            .map_err(|e| SourceError::new(format!("cannot run git: {e}")))
    }

    /// Runs git and returns stdout, or an error with git's stderr.
    fn run(&self, args: &[&str]) -> Result<String, SourceError> {
        let output = self.git(args)?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(SourceError::new(format!(
                "git {} failed in {}: {}",
                args.join(" "),
                self.dir.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            )))
        }
    }

    /// Runs git; `Ok(None)` when git exits with an error (a question answered "no").
    fn ask(&self, args: &[&str]) -> Result<Option<String>, SourceError> {
        let output = self.git(args)?;
        Ok(output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned()))
    }

    /// The object id `revision` names, if it names one.
    fn verify(&self, revision: &str) -> Result<Option<String>, SourceError> {
        self.ask(&["rev-parse", "--verify", "--quiet", revision])
    }

    /// The full commit id of a revision (`HEAD~2`, a branch, a short id).
    pub fn resolve(&self, revision: &str) -> Result<String, SourceError> {
        self.verify(&format!("{revision}^{{commit}}"))?
            .ok_or_else(|| {
                SourceError::new(format!(
                    "`{revision}` is not a commit in {}",
                    self.dir.display()
                ))
            })
    }

    /// The branch checked out, if any.
    pub fn current_branch(&self) -> Result<Option<String>, SourceError> {
        Ok(self
            .ask(&["symbolic-ref", "--quiet", "--short", "HEAD"])?
            .filter(|b| !b.is_empty()))
    }

    /// The repository's folder name, the default repository name for `plan`.
    pub fn folder_name(&self) -> Result<String, SourceError> {
        let top = self.run(&["rev-parse", "--show-toplevel"])?;
        Ok(Path::new(top.trim())
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default())
    }

    fn empty_tree(&self) -> Result<String, SourceError> {
        Ok(self
            .run(&["hash-object", "-t", "tree", "/dev/null"])?
            .trim()
            .to_owned())
    }
}

impl ChangeSource for LocalGit {
    async fn default_branch(&self, _repository: &str) -> Result<Option<String>, SourceError> {
        if let Some(remote_head) = self.ask(&[
            "symbolic-ref",
            "--quiet",
            "--short",
            "refs/remotes/origin/HEAD",
        ])? {
            return Ok(remote_head
                .strip_prefix("origin/")
                .map(str::to_owned)
                .or(Some(remote_head)));
        }
        for candidate in ["main", "master"] {
            if self.verify(&format!("refs/heads/{candidate}"))?.is_some() {
                return Ok(Some(candidate.to_owned()));
            }
        }
        Ok(None)
    }

    async fn merge_base(
        &self,
        _repository: &str,
        commit: &str,
        branch: &str,
    ) -> Result<Option<String>, SourceError> {
        let Some(branch_head) = self.verify(&format!("refs/heads/{branch}"))? else {
            return Ok(None);
        };
        self.ask(&["merge-base", commit, &branch_head])
    }

    async fn first_parent(
        &self,
        _repository: &str,
        commit: &str,
    ) -> Result<Option<String>, SourceError> {
        self.resolve(commit)?;
        self.verify(&format!("{commit}^1"))
    }

    async fn changed_paths(&self, request: DiffRequest<'_>) -> Result<DiffPage, SourceError> {
        let before = match request.before {
            Some(commit) => commit.to_owned(),
            None => self.empty_tree()?,
        };
        // One entry per path: without rename detection a rename is a delete of the
        // before path and an add of the after path, so both count, as in CodeCommit.
        let output = self.run(&[
            "diff",
            "--name-only",
            "--no-renames",
            "-z",
            &before,
            request.after,
        ])?;
        Ok(DiffPage {
            paths: output
                .split('\0')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
            next_page_token: None,
        })
    }
}
