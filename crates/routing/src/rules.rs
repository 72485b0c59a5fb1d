//! The routing-rules file: which pipelines each repository's pushes may start.
//!
//! ```yaml
//! version: 1
//! on_diff_failure: start-candidates   # or start-none
//! repositories:
//!   - name: monorepo
//!     default_branch: main            # optional: otherwise asked of CodeCommit / git
//!     pipelines:
//!       - name: api-deploy
//!         source_action: Source       # V2 pipelines: start at the evaluated commit
//!         branches: { include: [main, "release/**"] }
//!         paths:
//!           include: ["services/api/**", "libs/**"]
//!           exclude: ["**.md"]
//!         tags: { include: ["v*"] }   # optional: tag pushes start nothing without it
//! ```
//!
//! Patterns are [`crate::glob`] globs. In every filter, excludes win over includes, and a
//! filter without includes includes everything.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Deserializer};

use crate::glob::{Glob, GlobList};
use crate::matching::PathIndex;

/// A rules file that cannot be used, with the file, line and column where serde found it.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file could not be read.
    #[error("{file}: cannot read the rules file: {source}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The YAML is malformed, or has an unknown key, a wrong type or a bad glob.
    #[error("{file}:{location}{message}")]
    Invalid {
        /// The file (or the name of where the text came from, like an SSM parameter).
        file: String,
        /// `line:column: ` where known, else empty.
        location: String,
        /// What is wrong.
        message: String,
    },
}

/// What to do when the diff of a push cannot be read (throttled past retries, timeout
/// near, repository unreachable).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiffFailurePolicy {
    /// Start every pipeline whose branch filter matches: a missed deploy is worse than an
    /// extra build.
    #[default]
    StartCandidates,
    /// Start nothing.
    StartNone,
}

/// A set of include and exclude globs. Excludes win; no includes means everything.
#[derive(Clone, Debug)]
pub struct Filter {
    include: GlobList,
    exclude: GlobList,
}

impl Filter {
    /// A filter from include and exclude globs.
    pub fn new(include: Vec<Glob>, exclude: Vec<Glob>) -> Self {
        Self {
            include: GlobList::new(include),
            exclude: GlobList::new(exclude),
        }
    }

    /// The include globs (empty: everything is included).
    pub fn include(&self) -> &GlobList {
        &self.include
    }

    /// The exclude globs.
    pub fn exclude(&self) -> &GlobList {
        &self.exclude
    }

    /// Whether the filter has neither includes nor excludes.
    pub fn is_everything(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Why `text` passes the filter or not.
    pub fn check(&self, text: &str) -> FilterVerdict {
        if let Some(glob) = self.exclude.first_match(text) {
            return FilterVerdict::Excluded(glob.as_str().to_owned());
        }
        if self.include.is_empty() {
            return FilterVerdict::Included(None);
        }
        match self.include.first_match(text) {
            Some(glob) => FilterVerdict::Included(Some(glob.as_str().to_owned())),
            None => FilterVerdict::NotIncluded,
        }
    }
}

/// The outcome of [`Filter::check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterVerdict {
    /// Included, by the named glob (None: the filter has no includes).
    Included(Option<String>),
    /// Matched the named exclude glob.
    Excluded(String),
    /// Matched no include glob.
    NotIncluded,
}

/// One pipeline a repository's pushes may start.
#[derive(Clone, Debug)]
pub struct PipelineRule {
    /// The CodePipeline pipeline name.
    pub name: String,
    /// The pipeline's source action for this repository. When set, the pipeline is
    /// started with `sourceRevisions` `COMMIT_ID` (V2 pipelines), so it builds the commit
    /// that was evaluated rather than whatever the branch head is by then.
    pub source_action: Option<String>,
    /// Which branches start this pipeline.
    pub branches: Filter,
    /// Which changed paths start this pipeline.
    pub paths: Filter,
    /// Which tags start this pipeline; `None`: tag pushes never do.
    pub tags: Option<Filter>,
}

/// The pipelines of one CodeCommit repository.
#[derive(Clone, Debug)]
pub struct RepositoryRules {
    /// The CodeCommit repository name.
    pub name: String,
    /// The branch new branches are compared with; `None`: ask the repository.
    pub default_branch: Option<String>,
    /// The pipelines, in file order.
    pub pipelines: Vec<PipelineRule>,
    /// The pipelines' path filters, compiled together.
    pub path_index: PathIndex,
}

/// A validated routing-rules file.
#[derive(Clone, Debug)]
pub struct RoutingRules {
    /// What to do when a diff cannot be read.
    pub on_diff_failure: DiffFailurePolicy,
    /// The repositories, in file order.
    pub repositories: Vec<RepositoryRules>,
}

impl RoutingRules {
    /// Reads and validates a rules file.
    pub fn from_path(path: &Path) -> Result<Self, RulesError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
            file: file.clone(),
            source,
        })?;
        Self::from_yaml(&text, &file)
    }

    /// Parses and validates rules from YAML text; `origin` names the text in errors.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self, RulesError> {
        let raw: RawRules = serde_norway::from_str(text).map_err(|error| {
            let location = error
                .location()
                .map(|l| format!("{}:{}: ", l.line(), l.column()))
                .unwrap_or_else(|| " ".to_owned());
            // serde_norway appends " at line X column Y"; the location is already in front.
            let message = error.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            RulesError::Invalid {
                file: origin.to_owned(),
                location,
                message,
            }
        })?;
        raw.validate(origin)
    }

    /// The rules of a repository, if the file names it.
    pub fn repository(&self, name: &str) -> Option<&RepositoryRules> {
        self.repositories.iter().find(|r| r.name == name)
    }

    /// Every pipeline named in the file, once each, in file order.
    pub fn pipeline_names(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        self.repositories
            .iter()
            .flat_map(|r| r.pipelines.iter().map(|p| p.name.as_str()))
            .filter(|name| seen.insert(*name))
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    version: u32,
    #[serde(default)]
    on_diff_failure: DiffFailurePolicy,
    repositories: Vec<RawRepository>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRepository {
    name: String,
    #[serde(default)]
    default_branch: Option<String>,
    pipelines: Vec<RawPipeline>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPipeline {
    name: String,
    #[serde(default)]
    source_action: Option<String>,
    #[serde(default)]
    branches: RawFilter,
    #[serde(default)]
    paths: RawFilter,
    #[serde(default)]
    tags: Option<RawFilter>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFilter {
    #[serde(default)]
    include: Vec<ParsedGlob>,
    #[serde(default)]
    exclude: Vec<ParsedGlob>,
}

impl From<RawFilter> for Filter {
    fn from(raw: RawFilter) -> Self {
        Filter::new(
            raw.include.into_iter().map(|g| g.0).collect(),
            raw.exclude.into_iter().map(|g| g.0).collect(),
        )
    }
}

/// A glob compiled while the YAML is read, so that a bad glob is reported with the line
/// and column of the string that holds it.
struct ParsedGlob(Glob);

impl<'de> Deserialize<'de> for ParsedGlob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let pattern = String::deserialize(deserializer)?;
        Glob::new(&pattern)
            .map(ParsedGlob)
            .map_err(serde::de::Error::custom)
    }
}

/// Pipeline names as CodePipeline accepts them.
fn is_valid_pipeline_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_'))
}

impl RawRules {
    fn validate(self, origin: &str) -> Result<RoutingRules, RulesError> {
        let invalid = |message: String| RulesError::Invalid {
            file: origin.to_owned(),
            location: " ".to_owned(),
            message,
        };
        if self.version != 1 {
            return Err(invalid(format!(
                "unsupported version {} (this release reads version 1)",
                self.version
            )));
        }
        let mut repository_names = HashSet::new();
        let mut repositories = Vec::with_capacity(self.repositories.len());
        for repository in self.repositories {
            if repository.name.is_empty() {
                return Err(invalid("a repository has an empty name".to_owned()));
            }
            if !repository_names.insert(repository.name.clone()) {
                return Err(invalid(format!(
                    "repository `{}` is listed twice",
                    repository.name
                )));
            }
            let mut pipeline_names = HashSet::new();
            let mut pipelines = Vec::with_capacity(repository.pipelines.len());
            for pipeline in repository.pipelines {
                if !is_valid_pipeline_name(&pipeline.name) {
                    return Err(invalid(format!(
                        "repository `{}`: `{}` is not a valid pipeline name (1-100 of A-Z a-z 0-9 . @ - _)",
                        repository.name, pipeline.name
                    )));
                }
                if !pipeline_names.insert(pipeline.name.clone()) {
                    return Err(invalid(format!(
                        "repository `{}`: pipeline `{}` is listed twice",
                        repository.name, pipeline.name
                    )));
                }
                if pipeline.source_action.as_deref() == Some("") {
                    return Err(invalid(format!(
                        "pipeline `{}`: source_action is empty",
                        pipeline.name
                    )));
                }
                pipelines.push(PipelineRule {
                    name: pipeline.name,
                    source_action: pipeline.source_action,
                    branches: pipeline.branches.into(),
                    paths: pipeline.paths.into(),
                    tags: pipeline.tags.map(Filter::from),
                });
            }
            repositories.push(RepositoryRules {
                name: repository.name,
                default_branch: repository.default_branch,
                path_index: PathIndex::new(&pipelines),
                pipelines,
            });
        }
        Ok(RoutingRules {
            on_diff_failure: self.on_diff_failure,
            repositories,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RoutingRules, String> {
        RoutingRules::from_yaml(text, "rules.yaml").map_err(|e| e.to_string())
    }

    #[test]
    fn the_seed_cases_are_expressible() {
        let rules = parse(
            r#"
version: 1
repositories:
  - name: sandbox
    pipelines:
      - name: app
        paths: { exclude: [readme.md] }
      - name: codepipeline-customization-sandbox-pipeline-1
        paths: { include: [config_1.json] }
      - name: codepipeline-customization-sandbox-pipeline-2
        paths: { include: [config_2.json] }
"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let repo = rules
            .repository("sandbox")
            .unwrap_or_else(|| panic!("repo"));
        assert_eq!(repo.pipelines.len(), 3);
        assert_eq!(
            repo.pipelines[0].paths.check("readme.md"),
            FilterVerdict::Excluded("readme.md".into())
        );
        assert_eq!(
            repo.pipelines[0].paths.check("script.py"),
            FilterVerdict::Included(None)
        );
        assert_eq!(
            repo.pipelines[2].paths.check("config_1.json"),
            FilterVerdict::NotIncluded
        );
        assert_eq!(rules.on_diff_failure, DiffFailurePolicy::StartCandidates);
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let error = parse(
            "version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: p\n        path: { include: [a] }\n",
        )
        .err()
        .unwrap_or_default();
        assert!(error.starts_with("rules.yaml:6:"), "{error}");
        assert!(error.contains("unknown field `path`"), "{error}");
    }

    #[test]
    fn bad_globs_name_the_line_and_the_problem() {
        let error = parse(
            "version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: p\n        paths:\n          include:\n            - \"src/[ab\"\n",
        )
        .err()
        .unwrap_or_default();
        assert!(error.starts_with("rules.yaml:8:"), "{error}");
        assert!(error.contains("missing `]`"), "{error}");
    }

    #[test]
    fn wrong_types_and_bad_yaml_are_errors() {
        for (text, expected) in [
            ("version: 1\nrepositories: 3\n", "rules.yaml:2:"),
            ("version: [1\n", "rules.yaml:"),
            ("version: 1\n", "missing field `repositories`"),
            ("version: 2\nrepositories: []\n", "unsupported version 2"),
            (
                "version: 1\non_diff_failure: maybe\nrepositories: []\n",
                "unknown variant `maybe`",
            ),
            (
                "version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: 'bad name'\n",
                "not a valid pipeline name",
            ),
            (
                "version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: p\n      - name: p\n",
                "pipeline `p` is listed twice",
            ),
            (
                "version: 1\nrepositories:\n  - name: r\n    pipelines: []\n  - name: r\n    pipelines: []\n",
                "repository `r` is listed twice",
            ),
        ] {
            let error = parse(text).err().unwrap_or_default();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn missing_file_is_a_clear_error() {
        let error = RoutingRules::from_path(Path::new("/nonexistent/rules.yaml"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.starts_with("/nonexistent/rules.yaml: cannot read"),
            "{error}"
        );
    }

    #[test]
    fn pipeline_names_are_listed_once() {
        let rules = parse(
            "version: 1\nrepositories:\n  - name: a\n    pipelines: [{name: p}, {name: q}]\n  - name: b\n    pipelines: [{name: p}]\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rules.pipeline_names(), vec!["p", "q"]);
    }
}
