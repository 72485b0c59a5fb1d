//! Changed paths against every pipeline's path filter, in one pass.
//!
//! All include globs of a repository's pipelines are compiled into one regex set, and all
//! exclude globs into another, once when the rules are loaded. Each changed path is then
//! matched once against each set, however many pipelines there are, and a pipeline drops
//! out of the work as soon as one path decides it.

use regex::RegexSet;

use crate::glob::{GlobSetError, compile_set};
use crate::rules::PipelineRule;

/// The path filters of a repository's pipelines, compiled for matching many paths.
#[derive(Clone, Debug)]
pub struct PathIndex {
    includes: RegexSet,
    include_owner: Vec<usize>,
    include_pattern: Vec<String>,
    excludes: RegexSet,
    exclude_owner: Vec<usize>,
    has_includes: Vec<bool>,
}

impl PathIndex {
    /// Compiles the path filters of `pipelines` into two matchers (includes, excludes) of
    /// at most `size_limit` bytes each. Over the limit, the error names the pipeline whose
    /// globs alone exceed it, if one does.
    pub fn new(pipelines: &[PipelineRule], size_limit: usize) -> Result<Self, PathIndexError> {
        let mut include_sources = Vec::new();
        let mut include_owner = Vec::new();
        let mut include_pattern = Vec::new();
        let mut exclude_sources = Vec::new();
        let mut exclude_owner = Vec::new();
        for (index, pipeline) in pipelines.iter().enumerate() {
            for glob in pipeline.paths.include().globs() {
                include_sources.push(glob.regex_source().to_owned());
                include_owner.push(index);
                include_pattern.push(glob.as_str().to_owned());
            }
            for glob in pipeline.paths.exclude().globs() {
                exclude_sources.push(glob.regex_source().to_owned());
                exclude_owner.push(index);
            }
        }
        let compile = |sources: &[String]| {
            compile_set(sources.iter().map(String::as_str), size_limit)
                .map_err(|error| PathIndexError::new(pipelines, size_limit, error))
        };
        let includes = compile(&include_sources)?;
        let excludes = compile(&exclude_sources)?;
        Ok(Self {
            includes,
            include_owner,
            include_pattern,
            excludes,
            exclude_owner,
            has_includes: pipelines
                .iter()
                .map(|p| !p.paths.include().is_empty())
                .collect(),
        })
    }
}

/// A repository's path filters that cannot be compiled into one matcher.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the path filters of its pipelines do not fit one matcher ({error}){}", culprit(.pipeline))]
pub struct PathIndexError {
    /// What the regex engine said.
    pub error: GlobSetError,
    /// The pipeline whose path globs alone are over the limit, if one is.
    pub pipeline: Option<String>,
}

fn culprit(pipeline: &Option<String>) -> String {
    match pipeline {
        Some(name) => format!("; pipeline `{name}` alone is over the limit"),
        None => String::new(),
    }
}

impl PathIndexError {
    fn new(pipelines: &[PipelineRule], size_limit: usize, error: GlobSetError) -> Self {
        let alone_too_large = |pipeline: &&PipelineRule| {
            let paths = &pipeline.paths;
            [paths.include(), paths.exclude()].iter().any(|list| {
                compile_set(list.globs().iter().map(|g| g.regex_source()), size_limit).is_err()
            })
        };
        Self {
            error,
            pipeline: pipelines
                .iter()
                .find(alone_too_large)
                .map(|p| p.name.clone()),
        }
    }
}

/// A path that started a pipeline, and the include glob that matched it (`None` when the
/// pipeline has only excludes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathMatch {
    /// The changed path.
    pub path: String,
    /// The include glob that matched it.
    pub glob: Option<String>,
}

/// Matching in progress for one push: which candidate pipelines are still undecided.
#[derive(Debug)]
pub struct PathMatching<'a> {
    index: &'a PathIndex,
    undecided: Vec<usize>,
    matched: Vec<Option<PathMatch>>,
    paths_seen: usize,
    // Scratch space reused for every path: which pipelines this path excludes / includes.
    excluded: Vec<bool>,
    included_by: Vec<Option<usize>>,
}

impl<'a> PathMatching<'a> {
    /// Starts matching for the candidate pipelines (indices into the repository's list).
    pub fn new(index: &'a PathIndex, candidates: impl IntoIterator<Item = usize>) -> Self {
        let count = index.has_includes.len();
        Self {
            index,
            undecided: candidates.into_iter().filter(|&i| i < count).collect(),
            matched: vec![None; count],
            paths_seen: 0,
            excluded: vec![false; count],
            included_by: vec![None; count],
        }
    }

    /// Whether every candidate pipeline has found a path that starts it.
    pub fn all_decided(&self) -> bool {
        self.undecided.is_empty()
    }

    /// How many paths were matched so far.
    pub fn paths_seen(&self) -> usize {
        self.paths_seen
    }

    /// Matches one changed path.
    pub fn feed(&mut self, path: &str) {
        if self.undecided.is_empty() {
            return;
        }
        self.paths_seen += 1;
        let index = self.index;
        let excludes = index.excludes.matches(path);
        for i in excludes.iter() {
            self.excluded[index.exclude_owner[i]] = true;
        }
        let includes = index.includes.matches(path);
        for i in includes.iter() {
            let owner = index.include_owner[i];
            if self.included_by[owner].is_none() {
                self.included_by[owner] = Some(i);
            }
        }
        let mut position = 0;
        while position < self.undecided.len() {
            let pipeline = self.undecided[position];
            let starts = !self.excluded[pipeline]
                && (!index.has_includes[pipeline] || self.included_by[pipeline].is_some());
            if starts {
                self.matched[pipeline] = Some(PathMatch {
                    path: path.to_owned(),
                    glob: self.included_by[pipeline].map(|i| index.include_pattern[i].clone()),
                });
                self.undecided.swap_remove(position);
            } else {
                position += 1;
            }
        }
        for i in excludes.iter() {
            self.excluded[index.exclude_owner[i]] = false;
        }
        for i in includes.iter() {
            self.included_by[index.include_owner[i]] = None;
        }
    }

    /// The path that started each pipeline (by index), `None` for those no path started.
    pub fn into_matches(self) -> Vec<Option<PathMatch>> {
        self.matched
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RoutingRules;

    fn rules() -> RoutingRules {
        RoutingRules::from_yaml(
            r#"
version: 1
repositories:
  - name: mono
    pipelines:
      - name: api
        paths: { include: ["api/**"], exclude: ["**.md"] }
      - name: gateway
        paths: { include: ["api-gateway/**"] }
      - name: everything-but-docs
        paths: { exclude: ["docs/**", "README.md"] }
      - name: root-readme
        paths: { include: ["README.md"] }
"#,
            "test",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn run(paths: &[&str]) -> Vec<Option<(String, Option<String>)>> {
        let rules = rules();
        let repo = rules.repository("mono").unwrap_or_else(|| panic!("repo"));
        let mut matching = PathMatching::new(&repo.path_index, 0..repo.pipelines.len());
        for path in paths {
            matching.feed(path);
        }
        matching
            .into_matches()
            .into_iter()
            .map(|m| m.map(|m| (m.path, m.glob)))
            .collect()
    }

    fn started(paths: &[&str]) -> Vec<bool> {
        run(paths).iter().map(Option::is_some).collect()
    }

    #[test]
    fn api_does_not_match_api_gateway() {
        assert_eq!(
            started(&["api-gateway/routes.yaml"]),
            [false, true, true, false]
        );
        assert_eq!(started(&["api/handler.go"]), [true, false, true, false]);
    }

    #[test]
    fn excludes_win_over_includes() {
        assert_eq!(started(&["api/README.md"]), [false, false, true, false]);
    }

    #[test]
    fn nested_readme_is_not_the_root_readme() {
        assert_eq!(started(&["README.md"]), [false, false, false, true]);
        assert_eq!(started(&["docs/README.md"]), [false, false, false, false]);
        assert_eq!(started(&["lib/README.md"]), [false, false, true, false]);
    }

    #[test]
    fn first_matching_path_and_glob_are_reported() {
        let result = run(&["docs/x.md", "api/a.go", "api/b.go"]);
        assert_eq!(
            result[0],
            Some(("api/a.go".to_owned(), Some("api/**".to_owned())))
        );
        assert_eq!(result[2], Some(("api/a.go".to_owned(), None)));
    }

    #[test]
    fn decided_pipelines_drop_out_and_matching_stops() {
        let rules = rules();
        let repo = rules.repository("mono").unwrap_or_else(|| panic!("repo"));
        let mut matching = PathMatching::new(&repo.path_index, [0, 2]);
        matching.feed("api/a.go");
        assert!(matching.all_decided());
        matching.feed("api/b.go");
        assert_eq!(matching.paths_seen(), 1);
    }
}
