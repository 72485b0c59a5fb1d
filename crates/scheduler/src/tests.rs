//! The tick over the in-memory ports.

use std::sync::Arc;

use jiff::Timestamp;
use pipeline_routing::RoutingRules;
use pipeline_schedules::holds::{Hold, HoldStore};

use crate::decision::{Decision, SkipReason, TickDecision};
use crate::memory::{MemoryPipelines, MemoryRepository, MemoryState, SharedHolds};
use crate::tick::Scheduler;

const RULES: &str = r#"
version: 1
repositories:
  - name: monorepo
    pipelines:
      - name: api-deploy
        source_action: Source
        branches: { include: [main] }
        paths: { include: ["services/api/**"] }
      - name: web-deploy
        branches: { include: [main] }
"#;

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

type Memory = Scheduler<MemoryState, MemoryRepository, MemoryPipelines, SharedHolds>;

fn scheduler(calendar: &str, repository: MemoryRepository, pipelines: MemoryPipelines) -> Memory {
    let text = format!("{RULES}{calendar}");
    Scheduler {
        rules: Arc::new(
            RoutingRules::from_yaml(&text, "rules.yaml").unwrap_or_else(|e| panic!("rules: {e}")),
        ),
        state: MemoryState::default(),
        repository,
        pipelines,
        holds: SharedHolds::default(),
    }
}

fn repo(head: &str) -> MemoryRepository {
    let mut repository = MemoryRepository::default();
    repository
        .heads
        .insert(("monorepo".into(), "main".into()), head.into());
    repository
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"))
        .block_on(future)
}

fn decisions(s: &Memory, now: &str) -> Vec<TickDecision> {
    block_on(s.tick(ts(now)))
        .unwrap_or_else(|e| panic!("tick: {e}"))
        .decisions
}

const HOURLY: &str = r#"
schedules:
  - pipeline: api-deploy
    expression: cron(0 * * * ? *)
    branch: main
"#;

#[test]
fn a_due_schedule_starts_at_the_branch_head_with_a_slot_token() {
    let s = scheduler(HOURLY, repo("c1"), MemoryPipelines::default());
    let d = decisions(&s, "2026-03-02T10:00:00Z");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].decision, Decision::Started);
    let starts = s.pipelines.starts();
    assert_eq!(starts.len(), 1);
    let revision = starts[0].source_revision.as_ref();
    assert_eq!(revision.map(|r| r.commit_id.as_str()), Some("c1"));
    assert_eq!(revision.map(|r| r.action_name.as_str()), Some("Source"));
    assert_eq!(
        starts[0].client_request_token,
        crate::slot_token("api-deploy", "api-deploy", ts("2026-03-02T10:00:00Z"))
    );
}

#[test]
fn a_missed_hour_of_ticks_starts_once_at_the_newest_slot() {
    let s = scheduler(
        r#"
schedules:
  - pipeline: api-deploy
    expression: rate(15 minutes)
    branch: main
"#,
        repo("c1"),
        MemoryPipelines::default(),
    );
    assert!(decisions(&s, "2026-03-02T09:01:00Z").is_empty());
    // The next tick comes an hour late: four slots were missed.
    let d = decisions(&s, "2026-03-02T10:01:00Z");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].slot, Some(ts("2026-03-02T10:00:00Z")));
    assert_eq!(s.pipelines.starts().len(), 1);
}

#[test]
fn a_retried_tick_sees_the_same_slots_and_starts_nothing_twice() {
    let s = scheduler(HOURLY, repo("c1"), MemoryPipelines::default());
    decisions(&s, "2026-03-02T09:59:00Z");
    let first = decisions(&s, "2026-03-02T10:00:00Z");
    let retry = decisions(&s, "2026-03-02T10:00:00Z");
    assert_eq!(first[0].decision, Decision::Started);
    assert_eq!(retry[0].decision, Decision::Skipped);
    assert_eq!(retry[0].reason, Some(SkipReason::AlreadyClaimed));
    assert_eq!(s.pipelines.starts().len(), 1);
}

#[test]
fn a_failed_start_gives_the_claim_back_for_the_retry() {
    let mut pipelines = MemoryPipelines::default();
    pipelines.failing.insert("api-deploy".into());
    let mut s = scheduler(HOURLY, repo("c1"), pipelines);
    decisions(&s, "2026-03-02T09:59:00Z");
    assert_eq!(
        decisions(&s, "2026-03-02T10:00:00Z")[0].decision,
        Decision::Failed
    );
    s.pipelines.failing.clear();
    assert_eq!(
        decisions(&s, "2026-03-02T10:00:00Z")[0].decision,
        Decision::Started
    );
}

#[test]
fn a_late_tick_after_a_newer_one_evaluates_nothing() {
    let s = scheduler(HOURLY, repo("c1"), MemoryPipelines::default());
    decisions(&s, "2026-03-02T10:01:00Z");
    assert!(decisions(&s, "2026-03-02T10:00:30Z").is_empty());
    assert_eq!(s.state.last_tick(), Some(ts("2026-03-02T10:01:00Z")));
}

const ONLY_IF_CHANGED: &str = r#"
schedules:
  - pipeline: api-deploy
    expression: cron(0 2 * * ? *)
    branch: main
    only_if_changed: true
"#;

#[test]
fn only_if_changed_skips_when_the_head_was_built_and_starts_when_it_moved() {
    let mut pipelines = MemoryPipelines::default();
    pipelines
        .last_built
        .insert("api-deploy".into(), "c1".into());
    let s = scheduler(ONLY_IF_CHANGED, repo("c1"), pipelines.clone());
    let d = decisions(&s, "2026-03-02T02:00:00Z");
    assert_eq!(d[0].decision, Decision::Skipped);
    assert_eq!(d[0].reason, Some(SkipReason::Unchanged));
    assert!(s.pipelines.starts().is_empty());

    let s = scheduler(ONLY_IF_CHANGED, repo("c2"), pipelines);
    let d = decisions(&s, "2026-03-02T02:00:00Z");
    assert_eq!(d[0].decision, Decision::Started);
    assert_eq!(d[0].last_built_commit.as_deref(), Some("c1"));
    assert_eq!(d[0].commit.as_deref(), Some("c2"));
}

#[test]
fn only_if_paths_changed_asks_the_routing_engine_about_the_new_commits() {
    let calendar = r#"
schedules:
  - pipeline: api-deploy
    expression: cron(0 2 * * ? *)
    branch: main
    only_if_paths_changed: true
"#;
    let mut pipelines = MemoryPipelines::default();
    pipelines
        .last_built
        .insert("api-deploy".into(), "c1".into());
    let mut repository = repo("c2");
    repository.diffs.insert(
        ("c1".into(), "c2".into()),
        vec!["services/web/app.ts".into()],
    );
    let s = scheduler(calendar, repository.clone(), pipelines.clone());
    let d = decisions(&s, "2026-03-02T02:00:00Z");
    assert_eq!(d[0].reason, Some(SkipReason::PathsUnchanged));
    assert_eq!(d[0].routing_reason.as_deref(), Some("no_matching_path"));

    repository.diffs.insert(
        ("c1".into(), "c2".into()),
        vec!["services/api/main.rs".into()],
    );
    let s = scheduler(calendar, repository, pipelines);
    assert_eq!(
        decisions(&s, "2026-03-02T02:00:00Z")[0].decision,
        Decision::Started
    );
}

#[test]
fn a_schedule_inside_a_freeze_is_skipped_or_held_per_on_schedule() {
    let calendar = |action: &str| {
        format!(
            r#"
schedules:
  - pipeline: api-deploy
    expression: cron(0 2 * * ? *)
    branch: main
freezes:
  - name: year-end
    pipelines: ["*"]
    on_schedule: {action}
    dates: {{ from: 2026-12-21, to: 2027-01-01 }}
"#
        )
    };
    let s = scheduler(&calendar("skip"), repo("c1"), MemoryPipelines::default());
    let d = decisions(&s, "2026-12-24T02:00:00Z");
    assert_eq!(d[0].reason, Some(SkipReason::Frozen));
    assert_eq!(d[0].freeze.as_deref(), Some("year-end"));
    assert!(s.pipelines.starts().is_empty());

    let s = scheduler(&calendar("hold"), repo("c1"), MemoryPipelines::default());
    let d = decisions(&s, "2026-12-24T02:00:00Z");
    assert_eq!(d[0].decision, Decision::Held);
    assert_eq!(d[0].release_at, Some(ts("2027-01-02T00:00:00Z")));
    assert!(s.pipelines.starts().is_empty());
    let holds = s.holds.snapshot();
    assert_eq!(holds.len(), 1);
    assert_eq!(holds[0].commit_id, "c1");
    assert_eq!(holds[0].release_at, ts("2027-01-02T00:00:00Z"));

    // The next day's slot is held too (folded into the same hold)...
    let d = decisions(&s, "2027-01-01T23:59:00Z");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].decision, Decision::Held);
    assert_eq!(s.holds.snapshot().len(), 1);
    // ...and at the release, the tick starts it at the held commit and removes it.
    let d = decisions(&s, "2027-01-02T00:00:00Z");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].decision, Decision::Released);
    assert_eq!(s.pipelines.starts().len(), 1);
    assert!(s.holds.snapshot().is_empty());
}

fn held(commit: &str, release_at: &str) -> Hold {
    Hold::for_push(
        "monorepo",
        "api-deploy",
        "main",
        commit,
        Some("Source"),
        Some("dev"),
        ts("2026-03-06T17:00:00Z"),
        "weekend",
        ts(release_at),
    )
}

#[test]
fn two_overlapping_release_ticks_start_a_hold_once() {
    let s = scheduler("", repo("c1"), MemoryPipelines::default());
    block_on(s.holds.put_newest(held("c7", "2026-03-09T08:00:00Z")))
        .unwrap_or_else(|e| panic!("{e}"));
    // Tick B lists the hold before tick A deletes it: B's claim must fail.
    let other = Scheduler {
        rules: Arc::clone(&s.rules),
        state: MemoryState::default(),
        repository: s.repository.clone(),
        pipelines: s.pipelines.clone(),
        holds: s.holds.clone(),
    };
    let hold = s.holds.snapshot().remove(0);
    let key = hold.key();
    assert!(
        block_on(s.holds.claim_release(
            &key,
            &crate::tick::release_claim(ts("2026-03-09T08:00:00Z")),
            ts("2026-03-09T08:00:00Z"),
        ))
        .unwrap_or(false)
    );
    let b = decisions(&other, "2026-03-09T08:01:00Z");
    assert_eq!(b[0].reason, Some(SkipReason::AlreadyClaimed));
    let a = decisions(&s, "2026-03-09T08:00:00Z");
    assert_eq!(a[0].decision, Decision::Released);
    let starts = s.pipelines.starts();
    assert_eq!(starts.len(), 1);
    assert_eq!(
        starts[0]
            .source_revision
            .as_ref()
            .map(|r| r.commit_id.as_str()),
        Some("c7")
    );
    assert_eq!(starts[0].client_request_token, hold.release_token());
}

#[test]
fn a_hold_is_kept_before_its_release_time_and_while_a_freeze_is_on_again() {
    let calendar = r#"
freezes:
  - name: maintenance
    pipelines: [api-deploy]
    dates: { from: "2026-03-09T07:00", to: "2026-03-09T12:00" }
"#;
    let s = scheduler(calendar, repo("c1"), MemoryPipelines::default());
    block_on(s.holds.put_newest(held("c7", "2026-03-09T08:00:00Z")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(decisions(&s, "2026-03-09T06:00:00Z").is_empty());
    let d = decisions(&s, "2026-03-09T08:00:00Z");
    assert_eq!(d[0].decision, Decision::Held);
    assert_eq!(d[0].reason, Some(SkipReason::StillFrozen));
    assert_eq!(d[0].freeze.as_deref(), Some("maintenance"));
    assert!(s.pipelines.starts().is_empty());
    assert_eq!(
        decisions(&s, "2026-03-09T12:00:00Z")[0].decision,
        Decision::Released
    );
}

#[test]
fn a_missing_branch_is_a_skip_not_a_failure() {
    let s = scheduler(
        HOURLY,
        MemoryRepository::default(),
        MemoryPipelines::default(),
    );
    let d = decisions(&s, "2026-03-02T10:00:00Z");
    assert_eq!(d[0].reason, Some(SkipReason::BranchNotFound));
}
