//! Planning a push end to end through in-memory ports: diff bases for every kind of push,
//! paging and early stop, the diff-failure policy, and starting at the evaluated commit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use pipeline_routing::start::start_requests;
use pipeline_routing::{
    ChangeSource, Decision, DiffBase, DiffFailurePolicy, DiffPage, DiffRequest, PipelineStarter,
    PlanOptions, Push, Reason, Reference, ReferenceChange, RoutingPlan, RoutingRules, SourceError,
    StartOutcome, StartRequest, plan_push, start_pipelines,
};
use pipeline_routing::{HoldOutcome, hold_pipelines};

const RULES: &str = r#"
version: 1
repositories:
  - name: mono
    default_branch: main
    pipelines:
      - name: api
        source_action: Source
        branches: { include: [main, "feature/**"] }
        paths: { include: ["api/**"], exclude: ["**.md"] }
      - name: web
        branches: { include: [main, "feature/**"] }
        paths: { include: ["web/**"] }
      - name: nightly
        branches: { include: [main] }
      - name: release
        branches: { exclude: ["**"] }
        tags: { include: ["v*"] }
"#;

fn rules() -> RoutingRules {
    RoutingRules::from_yaml(RULES, "rules.yaml").unwrap_or_else(|e| panic!("{e}"))
}

/// A repository in memory: diffs as pages of paths, commit parents, merge bases.
#[derive(Default)]
struct Repo {
    /// (before, after) -> pages of paths.
    diffs: HashMap<(Option<String>, String), Vec<Vec<String>>>,
    parents: HashMap<String, String>,
    merge_bases: HashMap<(String, String), String>,
    default_branch: Option<String>,
    /// Fail every diff request.
    broken: bool,
    /// Delay before each page.
    slow: Option<Duration>,
    requests: Mutex<Vec<String>>,
}

impl Repo {
    fn diff(mut self, before: Option<&str>, after: &str, pages: &[&[&str]]) -> Self {
        self.diffs.insert(
            (before.map(str::to_owned), after.to_owned()),
            pages
                .iter()
                .map(|p| p.iter().map(|s| (*s).to_owned()).collect())
                .collect(),
        );
        self
    }

    fn merge_base(mut self, commit: &str, branch: &str, base: &str) -> Self {
        self.merge_bases
            .insert((commit.to_owned(), branch.to_owned()), base.to_owned());
        self
    }

    fn parent(mut self, commit: &str, parent: &str) -> Self {
        self.parents.insert(commit.to_owned(), parent.to_owned());
        self
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl ChangeSource for Repo {
    async fn default_branch(&self, _repository: &str) -> Result<Option<String>, SourceError> {
        Ok(self.default_branch.clone())
    }

    async fn merge_base(
        &self,
        _repository: &str,
        commit: &str,
        branch: &str,
    ) -> Result<Option<String>, SourceError> {
        if let Ok(mut r) = self.requests.lock() {
            r.push(format!("merge-base {commit} {branch}"));
        }
        Ok(self
            .merge_bases
            .get(&(commit.to_owned(), branch.to_owned()))
            .cloned())
    }

    async fn first_parent(
        &self,
        _repository: &str,
        commit: &str,
    ) -> Result<Option<String>, SourceError> {
        Ok(self.parents.get(commit).cloned())
    }

    async fn changed_paths(&self, request: DiffRequest<'_>) -> Result<DiffPage, SourceError> {
        if let Ok(mut r) = self.requests.lock() {
            r.push(format!(
                "diff {}..{} page {}",
                request.before.unwrap_or("(empty)"),
                request.after,
                request.page_token.unwrap_or("0")
            ));
        }
        if let Some(delay) = self.slow {
            tokio::time::sleep(delay).await;
        }
        if self.broken {
            return Err(SourceError::new("ThrottlingException: Rate exceeded"));
        }
        let pages = self
            .diffs
            .get(&(request.before.map(str::to_owned), request.after.to_owned()))
            .ok_or_else(|| SourceError::new("CommitDoesNotExistException"))?;
        let index: usize = request
            .page_token
            .map(|t| t.parse().unwrap_or(0))
            .unwrap_or(0);
        Ok(DiffPage {
            paths: pages.get(index).cloned().unwrap_or_default(),
            next_page_token: (index + 1 < pages.len()).then(|| (index + 1).to_string()),
        })
    }
}

fn push(change: ReferenceChange, reference: Reference, old: Option<&str>) -> Push {
    Push {
        event_id: "event-1".into(),
        repository: "mono".into(),
        reference,
        change,
        commit_id: "c2".into(),
        old_commit_id: old.map(str::to_owned),
        time: None,
        pushed_by: None,
    }
}

/// The push that creates `reference` at `c2`.
fn created(reference: Reference) -> Push {
    push(ReferenceChange::ReferenceCreated, reference, None)
}

fn main_update() -> Push {
    push(
        ReferenceChange::ReferenceUpdated,
        Reference::Branch("main".into()),
        Some("c1"),
    )
}

async fn plan_of(rules: &RoutingRules, push: &Push, repo: &Repo) -> RoutingPlan {
    plan_push(rules, push, repo, &PlanOptions::default()).await
}

fn decisions_of(plan: &RoutingPlan) -> Vec<(&str, Decision, Reason)> {
    plan.decisions
        .iter()
        .map(|d| (d.pipeline.as_str(), d.decision, d.reason))
        .collect()
}

#[tokio::test]
async fn an_update_starts_only_the_pipelines_whose_paths_changed() {
    let repo = Repo::default().diff(Some("c1"), "c2", &[&["api/main.go", "README.md"]]);
    let plan = plan_of(&rules(), &main_update(), &repo).await;
    assert_eq!(
        decisions_of(&plan),
        vec![
            ("api", Decision::Start, Reason::PathMatched),
            ("web", Decision::Skip, Reason::NoMatchingPath),
            ("nightly", Decision::Start, Reason::NoPathFilter),
            ("release", Decision::Skip, Reason::BranchExcluded),
        ]
    );
    assert_eq!(plan.decisions[0].matched.as_deref(), Some("api/main.go"));
    assert_eq!(plan.decisions[0].glob.as_deref(), Some("api/**"));
    assert_eq!(
        plan.diff_base,
        DiffBase::PreviousCommit {
            commit: "c1".into()
        }
    );
}

#[tokio::test]
async fn deleted_and_renamed_paths_count() {
    // A delete shows only its before path; a rename both. The fake lists them as a
    // ChangeSource would: every before and after path.
    let repo = Repo::default().diff(Some("c1"), "c2", &[&["web/old.js"]]);
    let plan = plan_of(&rules(), &main_update(), &repo).await;
    assert_eq!(plan.decisions[1].decision, Decision::Start);
    let repo = Repo::default().diff(Some("c1"), "c2", &[&["web/app.js", "lib/app.js"]]);
    let plan = plan_of(&rules(), &main_update(), &repo).await;
    assert_eq!(plan.decisions[1].decision, Decision::Start);
}

#[tokio::test]
async fn every_page_is_read_until_every_pipeline_is_decided() {
    let repo = Repo::default().diff(
        Some("c1"),
        "c2",
        &[&["docs/a.md"], &["api/x.go"], &["web/y.js"], &["web/z.js"]],
    );
    let plan = plan_of(&rules(), &main_update(), &repo).await;
    assert_eq!(plan.decisions[0].decision, Decision::Start);
    assert_eq!(plan.decisions[1].decision, Decision::Start);
    // Both decided on page 3: page 4 is never asked for.
    assert_eq!(plan.pages_read, 3);
    assert!(!plan.diff_complete);
    assert_eq!(repo.requests().len(), 3);

    // A pipeline decided only on the last page needs every page.
    let repo = Repo::default().diff(
        Some("c1"),
        "c2",
        &[&["docs/a.md"], &["docs/b.md"], &["web/y.js"]],
    );
    let plan = plan_of(&rules(), &main_update(), &repo).await;
    assert_eq!(plan.pages_read, 3);
    assert!(plan.diff_complete);
    assert_eq!(plan.decisions[1].decision, Decision::Start);
    assert_eq!(plan.decisions[0].decision, Decision::Skip);
}

#[tokio::test]
async fn a_new_branch_is_compared_with_its_merge_base() {
    let repo = Repo::default()
        .diff(Some("base"), "c2", &[&["web/new.js"]])
        .merge_base("c2", "main", "base")
        .parent("c2", "parent");
    let push = created(Reference::Branch("feature/login".into()));
    let plan = plan_of(&rules(), &push, &repo).await;
    assert_eq!(
        plan.diff_base,
        DiffBase::MergeBase {
            branch: "main".into(),
            commit: "base".into()
        }
    );
    assert_eq!(plan.decisions[1].decision, Decision::Start);
    assert_eq!(plan.decisions[0].decision, Decision::Skip);
}

#[tokio::test]
async fn a_new_branch_without_merge_base_uses_the_first_parent_and_a_root_commit_everything() {
    let repo = Repo::default()
        .diff(Some("parent"), "c2", &[&["api/a.go"]])
        .parent("c2", "parent");
    let new_branch = created(Reference::Branch("feature/x".into()));
    let plan = plan_of(&rules(), &new_branch, &repo).await;
    assert_eq!(
        plan.diff_base,
        DiffBase::FirstParent {
            commit: "parent".into()
        }
    );
    assert_eq!(plan.decisions[0].decision, Decision::Start);

    // The first push of a repository: a root commit on the default branch.
    let repo = Repo::default().diff(None, "c2", &[&["api/a.go", "web/b.js"]]);
    let first_push = created(Reference::Branch("main".into()));
    let plan = plan_of(&rules(), &first_push, &repo).await;
    assert_eq!(plan.diff_base, DiffBase::EmptyTree);
    assert!(
        repo.requests().iter().all(|r| !r.starts_with("merge-base")),
        "the default branch is not compared with itself: {:?}",
        repo.requests()
    );
    assert_eq!(plan.starts().count(), 3);
}

#[tokio::test]
async fn the_default_branch_is_asked_of_the_repository_when_the_rules_omit_it() {
    let rules = RoutingRules::from_yaml(&RULES.replace("    default_branch: main\n", ""), "r")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut repo = Repo::default()
        .diff(Some("base"), "c2", &[&["web/new.js"]])
        .merge_base("c2", "main", "base");
    repo.default_branch = Some("main".into());
    let push = created(Reference::Branch("feature/y".into()));
    let plan = plan_of(&rules, &push, &repo).await;
    assert!(matches!(plan.diff_base, DiffBase::MergeBase { .. }));
}

#[tokio::test]
async fn deletes_merges_and_unconfigured_tags_start_nothing_and_say_why() {
    let repo = Repo::default();
    let deleted = push(
        ReferenceChange::ReferenceDeleted,
        Reference::Branch("main".into()),
        Some("c1"),
    );
    let plan = plan_of(&rules(), &deleted, &repo).await;
    assert!(
        plan.decisions
            .iter()
            .all(|d| d.decision == Decision::Skip && d.reason == Reason::ReferenceDeleted)
    );

    let merge = push(
        ReferenceChange::UnreferencedMergeCommitCreated,
        Reference::Branch(String::new()),
        None,
    );
    let plan = plan_of(&rules(), &merge, &repo).await;
    assert!(
        plan.decisions
            .iter()
            .all(|d| d.reason == Reason::UnreferencedMergeCommit)
    );

    let tag = created(Reference::Tag("v1.2.0".into()));
    let plan = plan_of(&rules(), &tag, &repo).await;
    assert_eq!(
        decisions_of(&plan),
        vec![
            ("api", Decision::Skip, Reason::TagsNotConfigured),
            ("web", Decision::Skip, Reason::TagsNotConfigured),
            ("nightly", Decision::Skip, Reason::TagsNotConfigured),
            ("release", Decision::Start, Reason::TagMatched),
        ]
    );
    assert!(repo.requests().is_empty(), "no diff is read for these");

    let other_tag = created(Reference::Tag("nightly-2026".into()));
    let plan = plan_of(&rules(), &other_tag, &repo).await;
    assert_eq!(plan.decisions[3].reason, Reason::TagNotIncluded);
}

#[tokio::test]
async fn branches_outside_the_filters_start_nothing() {
    let repo = Repo::default().diff(Some("c1"), "c2", &[&["api/a.go"]]);
    let push = push(
        ReferenceChange::ReferenceUpdated,
        Reference::Branch("experiment".into()),
        Some("c1"),
    );
    let plan = plan_of(&rules(), &push, &repo).await;
    assert!(plan.decisions.iter().all(|d| d.decision == Decision::Skip));
    assert_eq!(plan.decisions[0].reason, Reason::BranchNotIncluded);
    assert!(repo.requests().is_empty(), "no candidate, no diff");
}

#[tokio::test]
async fn an_unknown_repository_starts_nothing() {
    let mut push = main_update();
    push.repository = "elsewhere".into();
    let plan = plan_of(&rules(), &push, &Repo::default()).await;
    assert!(!plan.repository_configured);
    assert!(plan.decisions.is_empty());
}

#[tokio::test]
async fn an_unreadable_diff_follows_the_policy() {
    let repo = Repo {
        broken: true,
        ..Repo::default()
    };
    let plan = plan_of(&rules(), &main_update(), &repo).await;
    assert!(matches!(plan.diff_base, DiffBase::Unavailable { .. }));
    assert_eq!(
        decisions_of(&plan),
        vec![
            ("api", Decision::Start, Reason::DiffUnavailable),
            ("web", Decision::Start, Reason::DiffUnavailable),
            ("nightly", Decision::Start, Reason::NoPathFilter),
            ("release", Decision::Skip, Reason::BranchExcluded),
        ]
    );

    let mut strict = rules();
    strict.on_diff_failure = DiffFailurePolicy::StartNone;
    let plan = plan_push(&strict, &main_update(), &repo, &PlanOptions::default()).await;
    assert_eq!(plan.decisions[0].decision, Decision::Skip);
    assert_eq!(plan.decisions[0].reason, Reason::DiffUnavailable);
    assert_eq!(plan.decisions[2].decision, Decision::Start);
}

#[tokio::test]
async fn running_out_of_time_keeps_what_was_decided_and_applies_the_policy_to_the_rest() {
    let mut repo = Repo::default().diff(
        Some("c1"),
        "c2",
        &[&["api/a.go"], &["docs/x"], &["docs/y"], &["web/z.js"]],
    );
    repo.slow = Some(Duration::from_millis(40));
    let mut strict = rules();
    strict.on_diff_failure = DiffFailurePolicy::StartNone;
    let options = PlanOptions {
        diff_timeout: Some(Duration::from_millis(100)),
        ..PlanOptions::default()
    };
    let plan = plan_push(&strict, &main_update(), &repo, &options).await;
    let DiffBase::Unavailable { error } = &plan.diff_base else {
        panic!("expected a timeout, got {:?}", plan.diff_base);
    };
    assert!(error.contains("gave up"), "{error}");
    assert_eq!(plan.decisions[0].reason, Reason::PathMatched);
    assert_eq!(plan.decisions[0].decision, Decision::Start);
    assert_eq!(plan.decisions[1].reason, Reason::DiffUnavailable);
    assert_eq!(plan.decisions[1].decision, Decision::Skip);
}

/// Records starts; fails the pipelines it is told to.
#[derive(Default)]
struct Starter {
    failing: Vec<String>,
    started: Mutex<Vec<StartRequest>>,
}

impl PipelineStarter for Starter {
    async fn start(&self, request: &StartRequest) -> Result<String, SourceError> {
        if self.failing.contains(&request.pipeline) {
            return Err(SourceError::new("PipelineNotFoundException"));
        }
        if let Ok(mut started) = self.started.lock() {
            started.push(request.clone());
        }
        Ok(format!("exec-{}", request.pipeline))
    }
}

#[tokio::test]
async fn starts_are_idempotent_and_pinned_to_the_evaluated_commit() {
    let rules = rules();
    let repo = Repo::default().diff(Some("c1"), "c2", &[&["api/a.go"]]);
    let plan = plan_of(&rules, &main_update(), &repo).await;
    let starter = Starter {
        failing: vec!["nightly".into()],
        ..Starter::default()
    };
    let outcomes = start_pipelines(&rules, &plan, &starter).await;
    assert_eq!(
        outcomes,
        vec![
            StartOutcome::Started {
                pipeline: "api".into(),
                execution_id: "exec-api".into()
            },
            StartOutcome::Failed {
                pipeline: "nightly".into(),
                error: "PipelineNotFoundException".into()
            },
        ]
    );
    let started = starter
        .started
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    let revision = started[0]
        .source_revision
        .as_ref()
        .unwrap_or_else(|| panic!("api names its source action"));
    assert_eq!(revision.action_name, "Source");
    assert_eq!(revision.commit_id, "c2");

    // The same event planned again gives the same tokens; nightly has no source action.
    let again = start_requests(&rules, &plan);
    assert_eq!(
        again[0].client_request_token,
        started[0].client_request_token
    );
    assert!(again[1].source_revision.is_none());
}

/// A source whose every page points at itself.
struct StuckPaging;

impl ChangeSource for StuckPaging {
    async fn default_branch(&self, _: &str) -> Result<Option<String>, SourceError> {
        Ok(None)
    }
    async fn merge_base(&self, _: &str, _: &str, _: &str) -> Result<Option<String>, SourceError> {
        Ok(None)
    }
    async fn first_parent(&self, _: &str, _: &str) -> Result<Option<String>, SourceError> {
        Ok(None)
    }
    async fn changed_paths(&self, _: DiffRequest<'_>) -> Result<DiffPage, SourceError> {
        Ok(DiffPage {
            paths: vec!["docs/x.md".into()],
            next_page_token: Some("same".into()),
        })
    }
}

#[tokio::test]
async fn paging_that_does_not_advance_is_a_diff_failure_not_a_hang() {
    let plan = plan_push(
        &rules(),
        &main_update(),
        &StuckPaging,
        &PlanOptions::default(),
    )
    .await;
    let DiffBase::Unavailable { error } = &plan.diff_base else {
        panic!("expected a failure, got {:?}", plan.diff_base);
    };
    assert!(error.contains("did not advance"), "{error}");
    assert_eq!(plan.pages_read, 2);
    assert_eq!(plan.decisions[0].reason, Reason::DiffUnavailable);
}

const FROZEN_RULES: &str = r#"
version: 1
repositories:
  - name: mono
    default_branch: main
    pipelines:
      - name: api
        source_action: Source
        paths: { include: ["api/**"] }
      - name: web
        paths: { include: ["web/**"] }
      - name: docs
freezes:
  - name: weekend
    pipelines: [api, docs]
    weekly: { timezone: Europe/Berlin, from: FRI 16:00, to: MON 08:00 }
  - name: web-weekend
    pipelines: [web]
    on_push: skip
    weekly: { timezone: Europe/Berlin, from: FRI 16:00, to: MON 08:00 }
"#;

fn frozen_push(commit: &str, time: &str) -> Push {
    Push {
        commit_id: commit.into(),
        time: Some(time.parse().unwrap_or_else(|e| panic!("{e}"))),
        pushed_by: Some("arn:aws:sts::1:assumed-role/Dev/jane".into()),
        ..main_update()
    }
}

#[tokio::test]
async fn a_push_during_a_freeze_is_held_or_skipped_naming_the_freeze() {
    let rules =
        RoutingRules::from_yaml(FROZEN_RULES, "rules.yaml").unwrap_or_else(|e| panic!("{e}"));
    let repo = Repo::default().diff(Some("c1"), "c9", &[&["api/a.go", "web/b.js"]]);
    // Friday 2026-11-27 17:00 CET.
    let push = frozen_push("c9", "2026-11-27T16:00:00Z");
    let plan = plan_of(&rules, &push, &repo).await;
    assert_eq!(
        decisions_of(&plan),
        vec![
            ("api", Decision::Frozen, Reason::FreezeHold),
            ("web", Decision::Skip, Reason::FreezeSkip),
            ("docs", Decision::Frozen, Reason::FreezeHold),
        ]
    );
    let json = serde_json::to_value(&plan.decisions[0]).unwrap_or_default();
    assert_eq!(json["decision"], "frozen");
    assert_eq!(json["freeze"], "weekend");
    assert_eq!(json["release_at"], "2026-11-30T07:00:00Z");
    assert_eq!(
        plan.decisions[1].freeze.as_ref().map(|f| f.name.as_str()),
        Some("web-weekend")
    );
    // Nothing starts; the two frozen pipelines are held at the pushed commit.
    let starter = Starter::default();
    assert!(start_pipelines(&rules, &plan, &starter).await.is_empty());
    let store = pipeline_schedules::MemoryHoldStore::new();
    let holds = hold_pipelines(&rules, &plan, &store).await;
    assert_eq!(holds.len(), 2);
    assert!(matches!(&holds[0], HoldOutcome::Held { pipeline, .. } if pipeline == "api"));
    let stored = store.snapshot();
    assert_eq!(stored[0].pipeline, "api");
    assert_eq!(stored[0].commit_id, "c9");
    assert_eq!(stored[0].source_action.as_deref(), Some("Source"));
    assert_eq!(stored[0].release_at.to_string(), "2026-11-30T07:00:00Z");
    assert_eq!(stored[1].pipeline, "docs");
    assert_eq!(stored[1].source_action, None);
}

#[tokio::test]
async fn the_same_push_outside_the_freeze_starts_and_plan_at_overrides_the_time() {
    let rules =
        RoutingRules::from_yaml(FROZEN_RULES, "rules.yaml").unwrap_or_else(|e| panic!("{e}"));
    let repo = Repo::default().diff(Some("c1"), "c9", &[&["api/a.go"]]);
    // Monday 2026-11-30 09:00 CET: after the window.
    let push = frozen_push("c9", "2026-11-30T08:00:00Z");
    let plan = plan_of(&rules, &push, &repo).await;
    assert_eq!(plan.decisions[0].decision, Decision::Start);
    assert_eq!(plan.decisions[0].freeze, None);
    let options = PlanOptions {
        at: Some(
            "2026-11-28T12:00:00Z"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        ),
        ..PlanOptions::default()
    };
    let plan = plan_push(&rules, &push, &repo, &options).await;
    assert_eq!(plan.decisions[0].decision, Decision::Frozen);
}
