//! Deciding, for every pipeline of a repository, whether a push starts it, and why.

use std::time::Duration;

use pipeline_schedules::jiff::Timestamp;
use pipeline_schedules::{Calendar, FreezeAction};
use serde::Serialize;

use crate::matching::PathMatching;
use crate::ports::{ChangeSource, DiffRequest, SourceError};
use crate::push::{Push, Reference, ReferenceChange};
use crate::rules::{DiffFailurePolicy, FilterMatch, RepositoryRules, RoutingRules};

/// Start, skip or frozen: `decision` in the JSON output, the log lines and the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The pipeline is to be started.
    Start,
    /// The pipeline is left alone.
    Skip,
    /// The pipeline would start, but a freeze is on: the push is held (a hold is written)
    /// and started when the freeze is released.
    Frozen,
}

impl Decision {
    /// Every decision.
    pub const ALL: [Decision; 3] = [Decision::Start, Decision::Skip, Decision::Frozen];

    /// `start`, `skip` or `frozen`, as in the JSON output and the logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Start => "start",
            Decision::Skip => "skip",
            Decision::Frozen => "frozen",
        }
    }
}

/// Why a pipeline is started or skipped. The snake_case names ([`Reason::as_str`]) appear
/// in the JSON output, the logs and the README's reasons table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A changed path matched an include glob and no exclude glob.
    PathMatched,
    /// The pipeline has only excludes, and a changed path matched none of them.
    PathNotExcluded,
    /// The pipeline has no path filter: every push to a matching branch starts it.
    NoPathFilter,
    /// No changed path passed the pipeline's path filter.
    NoMatchingPath,
    /// The branch matched none of the pipeline's branch includes.
    BranchNotIncluded,
    /// The branch matched one of the pipeline's branch excludes.
    BranchExcluded,
    /// The pipeline has no `tags` filter, so tag pushes never start it.
    TagsNotConfigured,
    /// The tag passed the pipeline's tag filter.
    TagMatched,
    /// The tag matched none of the pipeline's tag includes.
    TagNotIncluded,
    /// The tag matched one of the pipeline's tag excludes.
    TagExcluded,
    /// The branch or tag was deleted: there is nothing to build.
    ReferenceDeleted,
    /// A merge commit no branch points at: the branch update that follows is routed.
    UnreferencedMergeCommit,
    /// A tag was deleted or otherwise changed without a commit to build.
    NoCommit,
    /// The diff could not be read; the `on_diff_failure` policy decided.
    DiffUnavailable,
    /// The pipeline would start, but a freeze with `on_push: hold` is on: held.
    FreezeHold,
    /// The pipeline would start, but a freeze with `on_push: skip` is on: skipped.
    FreezeSkip,
}

impl Reason {
    /// Every reason.
    pub const ALL: [Reason; 16] = [
        Reason::PathMatched,
        Reason::PathNotExcluded,
        Reason::NoPathFilter,
        Reason::NoMatchingPath,
        Reason::BranchNotIncluded,
        Reason::BranchExcluded,
        Reason::TagsNotConfigured,
        Reason::TagMatched,
        Reason::TagNotIncluded,
        Reason::TagExcluded,
        Reason::ReferenceDeleted,
        Reason::UnreferencedMergeCommit,
        Reason::NoCommit,
        Reason::DiffUnavailable,
        Reason::FreezeHold,
        Reason::FreezeSkip,
    ];

    /// The snake_case name, as in the JSON output and the logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::PathMatched => "path_matched",
            Reason::PathNotExcluded => "path_not_excluded",
            Reason::NoPathFilter => "no_path_filter",
            Reason::NoMatchingPath => "no_matching_path",
            Reason::BranchNotIncluded => "branch_not_included",
            Reason::BranchExcluded => "branch_excluded",
            Reason::TagsNotConfigured => "tags_not_configured",
            Reason::TagMatched => "tag_matched",
            Reason::TagNotIncluded => "tag_not_included",
            Reason::TagExcluded => "tag_excluded",
            Reason::ReferenceDeleted => "reference_deleted",
            Reason::UnreferencedMergeCommit => "unreferenced_merge_commit",
            Reason::NoCommit => "no_commit",
            Reason::DiffUnavailable => "diff_unavailable",
            Reason::FreezeHold => "freeze_hold",
            Reason::FreezeSkip => "freeze_skip",
        }
    }
}

/// The decision for one pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PipelineDecision {
    /// The pipeline name.
    pub pipeline: String,
    /// Start or skip.
    pub decision: Decision,
    /// Why.
    pub reason: Reason,
    /// The changed path (or branch/tag name) that decided it, where one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
    /// The glob that matched, where one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glob: Option<String>,
    /// The freeze that held or skipped the pipeline (reasons `freeze_hold`, `freeze_skip`):
    /// fields `freeze`, `window_end` and `release_at` of the decision's JSON.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub freeze: Option<FreezeNote>,
}

/// The freeze a decision met: its name, and when its holds are released.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FreezeNote {
    /// The freeze's name in the rules file (`freeze` in the JSON).
    #[serde(rename = "freeze")]
    pub name: String,
    /// When the freeze's window ends.
    pub window_end: Timestamp,
    /// When a hold is released (the window end moved by `release_at` and past other
    /// freezes of the pipeline).
    pub release_at: Timestamp,
}

/// What the diff was computed against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DiffBase {
    /// The reference's previous commit (an update).
    PreviousCommit {
        /// The commit.
        commit: String,
    },
    /// A new branch: its merge base with the default branch.
    MergeBase {
        /// The default branch.
        branch: String,
        /// The merge base commit.
        commit: String,
    },
    /// A new branch without a merge base: its first parent.
    FirstParent {
        /// The parent commit.
        commit: String,
    },
    /// A root commit: every file counts as changed.
    EmptyTree,
    /// No diff was needed (no candidate pipeline has a path filter, or nothing to build).
    NotNeeded,
    /// The diff could not be read.
    Unavailable {
        /// Why.
        error: String,
    },
}

/// Everything decided about one push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoutingPlan {
    /// The push.
    pub push: Push,
    /// Whether the rules name the repository at all.
    pub repository_configured: bool,
    /// What the diff was computed against.
    pub diff_base: DiffBase,
    /// How many pages of differences were read.
    pub pages_read: usize,
    /// How many changed paths were matched (paging stops once every pipeline is decided).
    pub paths_read: usize,
    /// Whether the whole diff was read (false when paging stopped early or failed).
    pub diff_complete: bool,
    /// The policy applied if the diff was unavailable.
    pub on_diff_failure: DiffFailurePolicy,
    /// One decision per pipeline of the repository, in rules-file order.
    pub decisions: Vec<PipelineDecision>,
    /// The instant freezes were judged at ([`PlanOptions::at`], else the push's time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluated_at: Option<Timestamp>,
}

impl RoutingPlan {
    /// The decisions that start a pipeline.
    pub fn starts(&self) -> impl Iterator<Item = &PipelineDecision> {
        self.decisions
            .iter()
            .filter(|d| d.decision == Decision::Start)
    }

    /// The decisions that hold a pipeline for a freeze.
    pub fn frozen(&self) -> impl Iterator<Item = &PipelineDecision> {
        self.decisions
            .iter()
            .filter(|d| d.decision == Decision::Frozen)
    }
}

/// Knobs for [`plan_push`].
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// Give up reading the diff after this long and apply the `on_diff_failure` policy
    /// (in Lambda: the time left before the function's timeout, minus a margin).
    pub diff_timeout: Option<Duration>,
    /// The instant freezes are judged at (`plan --at`); `None`: the push's event time.
    /// With neither, no freeze applies.
    pub at: Option<Timestamp>,
}

/// Decides which pipelines `push` starts, reading the diff from `source` as far as needed.
///
/// Never fails: a diff that cannot be read becomes [`Reason::DiffUnavailable`] decisions
/// under the rules' `on_diff_failure` policy.
pub async fn plan_push<S: ChangeSource + Sync>(
    rules: &RoutingRules,
    push: &Push,
    source: &S,
    options: &PlanOptions,
) -> RoutingPlan {
    let mut plan = RoutingPlan {
        push: push.clone(),
        repository_configured: false,
        diff_base: DiffBase::NotNeeded,
        pages_read: 0,
        paths_read: 0,
        diff_complete: false,
        on_diff_failure: rules.on_diff_failure,
        decisions: Vec::new(),
        evaluated_at: options.at.or(push.time),
    };
    let Some(repository) = rules.repository(&push.repository) else {
        return plan;
    };
    plan.repository_configured = true;

    // Pushes with nothing to build start nothing.
    let nothing_to_build = match push.change {
        ReferenceChange::ReferenceDeleted => Some(Reason::ReferenceDeleted),
        ReferenceChange::UnreferencedMergeCommitCreated => Some(Reason::UnreferencedMergeCommit),
        _ if push.commit_id.is_empty() => Some(Reason::NoCommit),
        _ => None,
    };
    if let Some(reason) = nothing_to_build {
        plan.decisions = skip_all(repository, reason);
        return plan;
    }

    // Reference filters first: they need no diff.
    let mut decisions: Vec<Option<PipelineDecision>> = repository
        .pipelines
        .iter()
        .map(|pipeline| reference_decision(pipeline, &push.reference))
        .collect();
    let candidates: Vec<usize> = decisions
        .iter()
        .enumerate()
        .filter(|(_, d)| d.is_none())
        .map(|(i, _)| i)
        .collect();

    // Candidates without a path filter start on any push.
    let mut needs_diff = Vec::new();
    for index in candidates {
        if repository.pipelines[index].paths.is_everything() {
            decisions[index] = Some(decide(
                &repository.pipelines[index].name,
                Decision::Start,
                Reason::NoPathFilter,
                None,
                None,
            ));
        } else {
            needs_diff.push(index);
        }
    }

    if !needs_diff.is_empty() {
        let mut matching = PathMatching::new(&repository.path_index, needs_diff.iter().copied());
        let mut progress = DiffProgress::default();
        let outcome = {
            let read = read_diff(repository, push, source, &mut matching, &mut progress);
            match options.diff_timeout {
                Some(limit) => tokio::time::timeout(limit, read).await.unwrap_or_else(|_| {
                    Err(SourceError::new(format!(
                        "gave up reading the diff after {} ms (the function's time is running out)",
                        limit.as_millis()
                    )))
                }),
                None => read.await,
            }
        };
        plan.pages_read = progress.pages;
        plan.paths_read = matching.paths_seen();
        let matches = matching.into_matches();
        match outcome {
            Ok((base, complete)) => {
                plan.diff_base = base;
                plan.diff_complete = complete;
            }
            Err(error) => {
                plan.diff_base = DiffBase::Unavailable {
                    error: error.message,
                };
            }
        }
        let diff_failed = matches!(plan.diff_base, DiffBase::Unavailable { .. });
        for index in needs_diff {
            let pipeline = &repository.pipelines[index];
            decisions[index] = Some(match &matches[index] {
                Some(found) => decide(
                    &pipeline.name,
                    Decision::Start,
                    if found.glob.is_some() {
                        Reason::PathMatched
                    } else {
                        Reason::PathNotExcluded
                    },
                    Some(found.path.clone()),
                    found.glob.clone(),
                ),
                None if diff_failed => decide(
                    &pipeline.name,
                    match rules.on_diff_failure {
                        DiffFailurePolicy::StartCandidates => Decision::Start,
                        DiffFailurePolicy::StartNone => Decision::Skip,
                    },
                    Reason::DiffUnavailable,
                    None,
                    None,
                ),
                None => decide(
                    &pipeline.name,
                    Decision::Skip,
                    Reason::NoMatchingPath,
                    None,
                    None,
                ),
            });
        }
    }

    plan.decisions = decisions.into_iter().flatten().collect();
    if let Some(at) = plan.evaluated_at {
        apply_freezes(rules.calendar(), at, &mut plan.decisions);
    }
    plan
}

/// Turns the starts of pipelines under a freeze at `at` into `frozen` (`on_push: hold`)
/// or `skip` (`on_push: skip`) decisions naming the freeze.
fn apply_freezes(calendar: &Calendar, at: Timestamp, decisions: &mut [PipelineDecision]) {
    for decision in decisions.iter_mut() {
        if decision.decision != Decision::Start {
            continue;
        }
        let Some(freeze) = calendar.freeze_at(&decision.pipeline, at) else {
            continue;
        };
        (decision.decision, decision.reason) = match freeze.on_push {
            FreezeAction::Hold => (Decision::Frozen, Reason::FreezeHold),
            FreezeAction::Skip => (Decision::Skip, Reason::FreezeSkip),
        };
        decision.freeze = Some(FreezeNote {
            name: freeze.name,
            window_end: freeze.window_end,
            release_at: freeze.release_at,
        });
    }
}

#[derive(Default)]
struct DiffProgress {
    pages: usize,
}

/// Finds the diff base and feeds pages of changed paths to `matching` until every
/// candidate is decided or the diff ends. Returns the base and whether the diff was read
/// to its end.
async fn read_diff<S: ChangeSource + Sync>(
    repository: &RepositoryRules,
    push: &Push,
    source: &S,
    matching: &mut PathMatching<'_>,
    progress: &mut DiffProgress,
) -> Result<(DiffBase, bool), SourceError> {
    let base = diff_base(repository, push, source).await?;
    let before = match &base {
        DiffBase::PreviousCommit { commit }
        | DiffBase::MergeBase { commit, .. }
        | DiffBase::FirstParent { commit } => Some(commit.as_str()),
        _ => None,
    };
    let mut token: Option<String> = None;
    loop {
        let page = source
            .changed_paths(DiffRequest {
                repository: &push.repository,
                before,
                after: &push.commit_id,
                page_token: token.as_deref(),
            })
            .await?;
        progress.pages += 1;
        for path in &page.paths {
            matching.feed(path);
        }
        match page.next_page_token {
            None => return Ok((base, true)),
            Some(_) if matching.all_decided() => return Ok((base, false)),
            // A service that hands back the token it was given would page forever.
            Some(next) if token.as_deref() == Some(next.as_str()) => {
                return Err(SourceError::new(format!(
                    "the diff did not advance: page {} returned its own token again",
                    progress.pages
                )));
            }
            Some(next) => token = Some(next),
        }
    }
}

/// What to compare the pushed commit with.
async fn diff_base<S: ChangeSource + Sync>(
    repository: &RepositoryRules,
    push: &Push,
    source: &S,
) -> Result<DiffBase, SourceError> {
    if let Some(old) = push.old_commit_id.as_deref().filter(|c| !c.is_empty()) {
        return Ok(DiffBase::PreviousCommit {
            commit: old.to_owned(),
        });
    }
    // A new branch (or tag): compare with where it left the default branch.
    let default_branch = match &repository.default_branch {
        Some(branch) => Some(branch.clone()),
        None => source.default_branch(&push.repository).await?,
    };
    let pushed_branch = match &push.reference {
        Reference::Branch(name) => Some(name.as_str()),
        Reference::Tag(_) => None,
    };
    if let Some(default_branch) = default_branch.filter(|b| Some(b.as_str()) != pushed_branch)
        && let Some(commit) = source
            .merge_base(&push.repository, &push.commit_id, &default_branch)
            .await?
    {
        return Ok(DiffBase::MergeBase {
            branch: default_branch,
            commit,
        });
    }
    Ok(
        match source
            .first_parent(&push.repository, &push.commit_id)
            .await?
        {
            Some(commit) => DiffBase::FirstParent { commit },
            None => DiffBase::EmptyTree,
        },
    )
}

fn reference_decision(
    pipeline: &crate::rules::PipelineRule,
    reference: &Reference,
) -> Option<PipelineDecision> {
    let name = &pipeline.name;
    match reference {
        Reference::Branch(branch) => match pipeline.branches.check(branch) {
            FilterMatch::Included(_) => None,
            FilterMatch::Excluded(glob) => Some(decide(
                name,
                Decision::Skip,
                Reason::BranchExcluded,
                Some(branch.clone()),
                Some(glob),
            )),
            FilterMatch::NotIncluded => Some(decide(
                name,
                Decision::Skip,
                Reason::BranchNotIncluded,
                Some(branch.clone()),
                None,
            )),
        },
        Reference::Tag(tag) => Some(match &pipeline.tags {
            None => decide(name, Decision::Skip, Reason::TagsNotConfigured, None, None),
            Some(filter) => match filter.check(tag) {
                FilterMatch::Included(glob) => decide(
                    name,
                    Decision::Start,
                    Reason::TagMatched,
                    Some(tag.clone()),
                    glob,
                ),
                FilterMatch::Excluded(glob) => decide(
                    name,
                    Decision::Skip,
                    Reason::TagExcluded,
                    Some(tag.clone()),
                    Some(glob),
                ),
                FilterMatch::NotIncluded => decide(
                    name,
                    Decision::Skip,
                    Reason::TagNotIncluded,
                    Some(tag.clone()),
                    None,
                ),
            },
        }),
    }
}

fn skip_all(repository: &RepositoryRules, reason: Reason) -> Vec<PipelineDecision> {
    repository
        .pipelines
        .iter()
        .map(|p| decide(&p.name, Decision::Skip, reason, None, None))
        .collect()
}

fn decide(
    pipeline: &str,
    decision: Decision,
    reason: Reason,
    matched: Option<String>,
    glob: Option<String>,
) -> PipelineDecision {
    PipelineDecision {
        pipeline: pipeline.to_owned(),
        decision,
        reason,
        matched,
        glob,
        freeze: None,
    }
}
