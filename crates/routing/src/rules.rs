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
//! schedules:                          # optional: scheduled runs of the pipelines above
//!   - { pipeline: api-deploy, expression: "cron(0 2 * * ? *)", branch: main }
//! freezes:                            # optional: change freezes of the pipelines above
//!   - name: weekend
//!     pipelines: ["api-*"]
//!     weekly: { timezone: Europe/Berlin, from: FRI 16:00, to: MON 08:00 }
//! ```
//!
//! `schedules` and `freezes` are read by [`pipeline_schedules`] (its crate documentation is
//! their reference) into [`RoutingRules::calendar`]; each schedule must name a pipeline of
//! the file and each freeze pattern must match at least one.
//!
//! Patterns are [`crate::glob`] globs. In every filter, excludes win over includes, and a
//! filter without includes includes everything.

use std::collections::HashSet;
use std::path::Path;

use pipeline_schedules::{Calendar, CalendarConfig, CalendarError};
use serde::Deserialize;

use crate::glob::{Glob, GlobList, GlobSetError};
use crate::matching::PathIndex;

mod raw;

use raw::{RawFilter, RawRules};

/// A rules file that cannot be used: the message names the file, and the line and column
/// where known (`rules.yaml:8:13: repositories[0].pipelines[0]...: what is wrong`).
pub type RulesError = config_yaml::YamlError;

/// The limits a rules file must keep, so that loading and matching stay fast whatever the
/// file says. [`RoutingRules::from_yaml`] and [`RoutingRules::from_path`] use
/// [`RulesLimits::default`]; the README's "Routing rules" section lists the values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RulesLimits {
    /// The size of the file, in bytes.
    pub max_bytes: usize,
    /// Pipelines in the whole file.
    pub max_pipelines: usize,
    /// Pipelines of one repository.
    pub max_pipelines_per_repository: usize,
    /// Globs in one `include` or `exclude` list.
    pub max_globs_per_list: usize,
    /// Characters in one glob.
    pub max_glob_chars: usize,
    /// The compiled size, in bytes, of one matcher: the union of a repository's path
    /// globs, or of one branch or tag list (the regex crate's `size_limit`).
    pub max_matcher_bytes: usize,
}

impl Default for RulesLimits {
    fn default() -> Self {
        Self {
            max_bytes: 1024 * 1024,
            max_pipelines: 1_000,
            max_pipelines_per_repository: 500,
            max_globs_per_list: 100,
            max_glob_chars: 500,
            max_matcher_bytes: 10 * 1024 * 1024,
        }
    }
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

impl DiffFailurePolicy {
    /// The name as written in the rules file (`start-candidates`, `start-none`).
    pub fn as_str(self) -> &'static str {
        match self {
            DiffFailurePolicy::StartCandidates => "start-candidates",
            DiffFailurePolicy::StartNone => "start-none",
        }
    }
}

/// A set of include and exclude globs. Excludes win; no includes means everything.
#[derive(Clone, Debug)]
pub struct Filter {
    include: GlobList,
    exclude: GlobList,
}

impl Filter {
    /// A filter matching everything (a filter section that is absent).
    pub fn everything() -> Self {
        Self {
            include: GlobList::unindexed(Vec::new()),
            exclude: GlobList::unindexed(Vec::new()),
        }
    }

    /// A filter whose lists are each compiled into one matcher (branch and tag filters).
    pub fn indexed(
        include: Vec<Glob>,
        exclude: Vec<Glob>,
        max_matcher_bytes: usize,
    ) -> Result<Self, GlobSetError> {
        Ok(Self {
            include: GlobList::indexed(include, max_matcher_bytes)?,
            exclude: GlobList::indexed(exclude, max_matcher_bytes)?,
        })
    }

    /// A filter whose globs are matched one by one: path filters, which
    /// [`PathIndex`] matches for all of a repository's pipelines at once.
    pub fn unindexed(include: Vec<Glob>, exclude: Vec<Glob>) -> Self {
        Self {
            include: GlobList::unindexed(include),
            exclude: GlobList::unindexed(exclude),
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

    /// Whether `text` passes the filter, and which glob said so.
    pub fn check(&self, text: &str) -> FilterMatch {
        if let Some(glob) = self.exclude.first_match(text) {
            return FilterMatch::Excluded(glob.as_str().to_owned());
        }
        if self.include.is_empty() {
            return FilterMatch::Included(None);
        }
        match self.include.first_match(text) {
            Some(glob) => FilterMatch::Included(Some(glob.as_str().to_owned())),
            None => FilterMatch::NotIncluded,
        }
    }
}

/// The outcome of [`Filter::check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterMatch {
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
    /// The file's `schedules` and `freezes`, checked against its pipelines (empty when
    /// the file has neither).
    pub calendar: Calendar,
}

impl RoutingRules {
    /// Reads and validates a rules file, within the default [`RulesLimits`].
    pub fn from_path(path: &Path) -> Result<Self, RulesError> {
        Self::from_path_within(path, &RulesLimits::default())
    }

    /// Reads and validates a rules file within `limits`.
    /// A freeze's `ics.path` is read relative to the file's folder.
    pub fn from_path_within(path: &Path, limits: &RulesLimits) -> Result<Self, RulesError> {
        let text = config_yaml::read_text(path, &yaml_options(limits))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::from_yaml_with(&text, &path.display().to_string(), limits, |ics| {
            read_ics(&base.join(ics), limits)
        })
    }

    /// Parses and validates rules from YAML text, within the default [`RulesLimits`];
    /// `origin` names the text in errors.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self, RulesError> {
        Self::from_yaml_within(text, origin, &RulesLimits::default())
    }

    /// Parses and validates rules from YAML text within `limits`. A freeze's `ics.path`
    /// is read relative to the current folder.
    pub fn from_yaml_within(
        text: &str,
        origin: &str,
        limits: &RulesLimits,
    ) -> Result<Self, RulesError> {
        Self::from_yaml_with(text, origin, limits, |ics| read_ics(Path::new(ics), limits))
    }

    /// Parses and validates rules from YAML text within `limits`; `read_ics` returns the
    /// text of a freeze's `ics.path` (a file beside the rules, a bundled copy, a test's).
    pub fn from_yaml_with(
        text: &str,
        origin: &str,
        limits: &RulesLimits,
        read_ics: impl FnMut(&str) -> std::io::Result<String>,
    ) -> Result<Self, RulesError> {
        let loaded = config_yaml::from_str::<RawRules>(text, origin, &yaml_options(limits))?;
        validate(loaded.value, &loaded.source, limits, read_ics)
    }

    /// The schedules and freezes of the file.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
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

/// An .ics file, within the size limit of a rules file.
fn read_ics(path: &Path, limits: &RulesLimits) -> std::io::Result<String> {
    config_yaml::read_text(path, &yaml_options(limits)).map_err(|error| match error {
        config_yaml::YamlError::Read { source, .. } => source,
        other => std::io::Error::other(other.to_string()),
    })
}

fn yaml_options(limits: &RulesLimits) -> config_yaml::Options {
    config_yaml::Options {
        max_bytes: limits.max_bytes,
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

/// Checks what serde cannot (versions, names, duplicates, limits), then compiles the
/// globs and each repository's path matcher. Every error names the line of its node.
fn validate(
    raw: RawRules,
    source: &config_yaml::Source,
    limits: &RulesLimits,
    read_ics: impl FnMut(&str) -> std::io::Result<String>,
) -> Result<RoutingRules, RulesError> {
    if raw.version != 1 {
        return Err(source.error_at(
            "version",
            format!(
                "unsupported version {} (this release reads version 1)",
                raw.version
            ),
        ));
    }
    check_counts(&raw, source, limits)?;
    let mut repository_names = HashSet::new();
    let mut repositories = Vec::with_capacity(raw.repositories.len());
    for (r, repository) in raw.repositories.into_iter().enumerate() {
        let at = format!("repositories[{r}]");
        if repository.name.is_empty() {
            return Err(source.error_at(&format!("{at}.name"), "the repository name is empty"));
        }
        if !repository_names.insert(repository.name.clone()) {
            return Err(source.error_at(
                &format!("{at}.name"),
                format!("repository `{}` is listed twice", repository.name),
            ));
        }
        let mut pipeline_names = HashSet::new();
        let mut pipelines = Vec::with_capacity(repository.pipelines.len());
        for (p, pipeline) in repository.pipelines.into_iter().enumerate() {
            let at = format!("{at}.pipelines[{p}]");
            if !is_valid_pipeline_name(&pipeline.name) {
                return Err(source.error_at(
                    &format!("{at}.name"),
                    format!(
                        "`{}` is not a valid pipeline name (1-100 of A-Z a-z 0-9 . @ - _)",
                        pipeline.name
                    ),
                ));
            }
            if !pipeline_names.insert(pipeline.name.clone()) {
                return Err(source.error_at(
                    &format!("{at}.name"),
                    format!(
                        "repository `{}`: pipeline `{}` is listed twice",
                        repository.name, pipeline.name
                    ),
                ));
            }
            if pipeline.source_action.as_deref() == Some("") {
                return Err(source.error_at(
                    &format!("{at}.source_action"),
                    format!("pipeline `{}`: source_action is empty", pipeline.name),
                ));
            }
            let compile = FilterCompiler {
                source,
                limits,
                pipeline: &pipeline.name,
            };
            pipelines.push(PipelineRule {
                branches: compile.indexed(&format!("{at}.branches"), pipeline.branches)?,
                paths: compile.unindexed(&format!("{at}.paths"), pipeline.paths)?,
                tags: match pipeline.tags {
                    Some(tags) => Some(compile.indexed(&format!("{at}.tags"), Some(tags))?),
                    None => None,
                },
                name: pipeline.name,
                source_action: pipeline.source_action,
            });
        }
        let path_index = PathIndex::new(&pipelines, limits.max_matcher_bytes).map_err(|error| {
            source.error_at(
                &at,
                format!(
                    "repository `{}`: {error}; use fewer or simpler path globs (each `*`, `?` and `[...]` costs the most)",
                    repository.name
                ),
            )
        })?;
        repositories.push(RepositoryRules {
            name: repository.name,
            default_branch: repository.default_branch,
            path_index,
            pipelines,
        });
    }
    let calendar = calendar(
        CalendarConfig {
            schedules: raw.schedules,
            freezes: raw.freezes,
        },
        &repositories,
        source,
        read_ics,
    )?;
    Ok(RoutingRules {
        on_diff_failure: raw.on_diff_failure,
        repositories,
        calendar,
    })
}

/// Checks the `schedules` and `freezes` against the file's pipelines (each schedule
/// names one, each freeze pattern matches at least one), then builds the calendar (its
/// .ics files read through `read_ics`). Errors name the line of the node at fault, or the
/// .ics file and its line.
fn calendar(
    config: CalendarConfig,
    repositories: &[RepositoryRules],
    source: &config_yaml::Source,
    read_ics: impl FnMut(&str) -> std::io::Result<String>,
) -> Result<Calendar, RulesError> {
    config.check(source)?;
    let pipelines: HashSet<&str> = repositories
        .iter()
        .flat_map(|r| r.pipelines.iter().map(|p| p.name.as_str()))
        .collect();
    for (i, schedule) in config.schedules.iter().enumerate() {
        if !pipelines.contains(schedule.pipeline.as_str()) {
            return Err(source.error_at(
                &format!("schedules[{i}].pipeline"),
                format!(
                    "schedule `{}`: pipeline `{}` is not in the file's repositories",
                    schedule.display_name(),
                    schedule.pipeline
                ),
            ));
        }
    }
    for (i, freeze) in config.freezes.iter().enumerate() {
        for (j, pattern) in freeze.pipelines.iter().enumerate() {
            if !pipelines.iter().any(|p| pattern.matches(p)) {
                return Err(source.error_at(
                    &format!("freezes[{i}].pipelines[{j}]"),
                    format!(
                        "freeze `{}`: `{}` matches no pipeline of the file",
                        freeze.name,
                        pattern.as_str()
                    ),
                ));
            }
        }
    }
    let names: Vec<String> = config.freezes.iter().map(|f| f.name.clone()).collect();
    let at = |freeze: &str, below: &str| {
        let i = names.iter().position(|n| n == freeze).unwrap_or(0);
        format!("freezes[{i}]{below}")
    };
    Calendar::new(config, read_ics).map_err(|error| match error {
        CalendarError::Config(error) => error,
        CalendarError::Read { file, source } => config_yaml::YamlError::Read { file, source },
        CalendarError::IcsRead {
            freeze,
            file,
            source: io,
        } => source.error_at(
            &at(&freeze, ".ics.path"),
            format!("freeze `{freeze}`: cannot read the calendar {file}: {io}"),
        ),
        CalendarError::Ics {
            freeze,
            file,
            source: ics,
        } => config_yaml::YamlError::Invalid {
            file,
            location: Some(config_yaml::Location {
                line: ics.line,
                column: 1,
            }),
            message: format!("freeze `{freeze}` ({}): {}", source.origin(), ics.message),
        },
        CalendarError::Invalid { file, message, .. } => source.error_at(&at(&file, ""), message),
    })
}

/// The count limits, checked before any glob is compiled: an oversized file fails fast.
fn check_counts(
    raw: &RawRules,
    source: &config_yaml::Source,
    limits: &RulesLimits,
) -> Result<(), RulesError> {
    let mut total = 0usize;
    for (r, repository) in raw.repositories.iter().enumerate() {
        if repository.pipelines.len() > limits.max_pipelines_per_repository {
            return Err(source.error_at(
                &format!(
                    "repositories[{r}].pipelines[{}]",
                    limits.max_pipelines_per_repository
                ),
                format!(
                    "repository `{}` has {} pipelines, over the limit of {} per repository",
                    repository.name,
                    repository.pipelines.len(),
                    limits.max_pipelines_per_repository
                ),
            ));
        }
        for (p, pipeline) in repository.pipelines.iter().enumerate() {
            total += 1;
            if total > limits.max_pipelines {
                return Err(source.error_at(
                    &format!("repositories[{r}].pipelines[{p}]"),
                    format!(
                        "more than {} pipelines in the file (the limit)",
                        limits.max_pipelines
                    ),
                ));
            }
            let filters = [
                ("branches", &pipeline.branches),
                ("paths", &pipeline.paths),
                ("tags", &pipeline.tags),
            ];
            for (filter_name, filter) in filters {
                let Some(filter) = filter else { continue };
                for (list_name, list) in
                    [("include", &filter.include), ("exclude", &filter.exclude)]
                {
                    let Some(list) = list else { continue };
                    if list.len() > limits.max_globs_per_list {
                        return Err(source.error_at(
                            &format!(
                                "repositories[{r}].pipelines[{p}].{filter_name}.{list_name}[{}]",
                                limits.max_globs_per_list
                            ),
                            format!(
                                "pipeline `{}`: {} globs, over the limit of {} per list",
                                pipeline.name,
                                list.len(),
                                limits.max_globs_per_list
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Compiles one pipeline's filters, naming the node of any glob that is wrong.
struct FilterCompiler<'a> {
    source: &'a config_yaml::Source,
    limits: &'a RulesLimits,
    pipeline: &'a str,
}

impl FilterCompiler<'_> {
    fn globs(&self, at: &str, list: Option<Vec<String>>) -> Result<Vec<Glob>, RulesError> {
        list.unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, pattern)| {
                let at = format!("{at}[{i}]");
                let chars = pattern.chars().count();
                if chars > self.limits.max_glob_chars {
                    return Err(self.source.error_at(
                        &at,
                        format!(
                            "the glob is {chars} characters long, over the limit of {}",
                            self.limits.max_glob_chars
                        ),
                    ));
                }
                Glob::new(pattern).map_err(|error| self.source.error_at(&at, error))
            })
            .collect()
    }

    fn lists(&self, at: &str, filter: RawFilter) -> Result<(Vec<Glob>, Vec<Glob>), RulesError> {
        Ok((
            self.globs(&format!("{at}.include"), filter.include)?,
            self.globs(&format!("{at}.exclude"), filter.exclude)?,
        ))
    }

    fn indexed(&self, at: &str, filter: Option<RawFilter>) -> Result<Filter, RulesError> {
        let Some(filter) = filter else {
            return Ok(Filter::everything());
        };
        let (include, exclude) = self.lists(at, filter)?;
        Filter::indexed(include, exclude, self.limits.max_matcher_bytes).map_err(|error| {
            self.source
                .error_at(at, format!("pipeline `{}`: {error}", self.pipeline))
        })
    }

    fn unindexed(&self, at: &str, filter: Option<RawFilter>) -> Result<Filter, RulesError> {
        let Some(filter) = filter else {
            return Ok(Filter::everything());
        };
        let (include, exclude) = self.lists(at, filter)?;
        Ok(Filter::unindexed(include, exclude))
    }
}

#[cfg(test)]
mod tests;
