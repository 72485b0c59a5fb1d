use std::sync::{Arc, Mutex};

use super::*;
use crate::plan::Reason;
use crate::push::{Reference, ReferenceChange};
use crate::rules::DiffFailurePolicy;

fn push() -> Push {
    Push {
        event_id: "event-1".into(),
        repository: "mono".into(),
        reference: Reference::Branch("main".into()),
        change: ReferenceChange::ReferenceUpdated,
        commit_id: "c0ffee".into(),
        old_commit_id: Some("beef".into()),
        time: None,
        pushed_by: None,
    }
}

fn decision(pipeline: &str, decision: Decision, reason: Reason) -> PipelineDecision {
    PipelineDecision {
        pipeline: pipeline.into(),
        decision,
        reason,
        matched: Some("api/main.go".into()),
        glob: Some("api/**".into()),
        freeze: None,
    }
}

/// A plan of a push to main diffed against its previous commit, with `decisions`.
fn diffed_plan(decisions: Vec<PipelineDecision>) -> RoutingPlan {
    RoutingPlan {
        push: push(),
        repository_configured: true,
        diff_base: DiffBase::PreviousCommit {
            commit: "beef".into(),
        },
        pages_read: 1,
        paths_read: 1,
        diff_complete: true,
        on_diff_failure: DiffFailurePolicy::StartCandidates,
        decisions,
        evaluated_at: None,
    }
}

/// The JSON lines `log_plan` writes, as the Lambda's JSON log format writes them.
fn logged(plan: &RoutingPlan, starts: &[StartOutcome]) -> Vec<serde_json::Value> {
    logged_with(plan, starts, &[])
}

/// The JSON lines of `log_plan` with hold outcomes.
fn logged_with(
    plan: &RoutingPlan,
    starts: &[StartOutcome],
    holds: &[HoldOutcome],
) -> Vec<serde_json::Value> {
    let buffer = Arc::new(Mutex::new(Vec::<u8>::new()));
    let writer = {
        let buffer = Arc::clone(&buffer);
        move || SharedWriter(Arc::clone(&buffer))
    };
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_writer(writer)
        .finish();
    tracing::subscriber::with_default(subscriber, || log_plan(plan, starts, holds));
    let text =
        String::from_utf8(buffer.lock().map(|b| b.clone()).unwrap_or_default()).unwrap_or_default();
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect()
}

struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn reason_names_match_their_json() {
    for reason in Reason::ALL {
        let json = serde_json::to_value(reason).unwrap_or_default();
        assert_eq!(json.as_str(), Some(reason.as_str()));
    }
    for decision in Decision::ALL {
        let json = serde_json::to_value(decision).unwrap_or_default();
        assert_eq!(json.as_str(), Some(decision.as_str()));
    }
}

#[test]
fn log_lines_use_the_json_names_and_values() {
    let plan = diffed_plan(vec![
        decision("api", Decision::Start, Reason::PathMatched),
        decision("web", Decision::Start, Reason::PathMatched),
        decision("docs", Decision::Skip, Reason::NoMatchingPath),
    ]);
    let starts = [
        StartOutcome::Started {
            pipeline: "api".into(),
            execution_id: "exec-1".into(),
        },
        StartOutcome::Failed {
            pipeline: "web".into(),
            error: "throttled".into(),
        },
    ];
    let lines = logged(&plan, &starts);
    assert_eq!(lines.len(), 3, "{lines:?}");
    for (line, decision) in lines.iter().zip(&plan.decisions) {
        let json = serde_json::to_value(decision).unwrap_or_default();
        let fields = json
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>());
        for field in fields.unwrap_or_default() {
            assert_eq!(line[&field], json[&field], "{field} in {line}");
        }
    }
    assert_eq!(lines[0]["execution_id"], "exec-1");
    assert_eq!(lines[1]["level"], "ERROR");
    assert_eq!(lines[1]["error"], "throttled");
    assert_eq!(lines[2]["decision"], "skip");
    assert_eq!(lines[2]["reason"], "no_matching_path");
}

#[test]
fn a_frozen_line_names_the_freeze_release_and_hold_write_as_the_json_does() {
    let ts = |text: &str| {
        text.parse::<pipeline_schedules::jiff::Timestamp>()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let mut frozen = decision("api", Decision::Frozen, Reason::FreezeHold);
    frozen.freeze = Some(crate::plan::FreezeNote {
        name: "release-week".into(),
        window_end: ts("2026-11-06T23:00:00Z"),
        release_at: ts("2026-11-09T08:00:00Z"),
    });
    let mut skipped = decision("web", Decision::Skip, Reason::FreezeSkip);
    skipped.freeze = frozen.freeze.clone();
    let plan = diffed_plan(vec![frozen, skipped]);
    let holds = [HoldOutcome::Held {
        pipeline: "api".into(),
        branch: "main".into(),
        commit_id: "c0ffee".into(),
        freeze: "release-week".into(),
        release_at: ts("2026-11-09T08:00:00Z"),
        write: pipeline_schedules::HoldWrite::Created,
    }];
    let lines = logged_with(&plan, &[], &holds);
    assert_eq!(lines.len(), 2, "{lines:?}");
    for (line, decision) in lines.iter().zip(&plan.decisions) {
        let json = serde_json::to_value(decision).unwrap_or_default();
        for field in ["decision", "reason", "freeze", "window_end", "release_at"] {
            assert!(!json[field].is_null(), "{field} missing from {json}");
            assert_eq!(line[field], json[field], "{field} in {line}");
        }
    }
    assert_eq!(lines[0]["decision"], "frozen");
    assert_eq!(lines[0]["reason"], "freeze_hold");
    assert_eq!(lines[0]["release_at"], "2026-11-09T08:00:00Z");
    let write = serde_json::to_value(pipeline_schedules::HoldWrite::Created).unwrap_or_default();
    assert_eq!(lines[0]["hold_write"], write);
    assert_eq!(lines[1]["decision"], "skip");
    assert_eq!(lines[1]["reason"], "freeze_skip");
    assert!(lines[1]["hold_write"].is_null());
}

#[test]
fn the_unavailable_diff_line_names_the_policy_as_the_rules_file_does() {
    let plan = RoutingPlan {
        push: push(),
        repository_configured: true,
        diff_base: DiffBase::Unavailable {
            error: "throttled".into(),
        },
        pages_read: 0,
        paths_read: 0,
        diff_complete: false,
        on_diff_failure: DiffFailurePolicy::StartNone,
        decisions: Vec::new(),
        evaluated_at: None,
    };
    let lines = logged(&plan, &[]);
    let json = serde_json::to_value(plan.on_diff_failure).unwrap_or_default();
    assert_eq!(lines[0]["on_diff_failure"], json);
    assert_eq!(lines[0]["on_diff_failure"], "start-none");
}

#[test]
fn the_readme_reasons_table_lists_every_reason() {
    let readme = include_str!("../../../../README.md");
    let table: Vec<&str> = readme
        .split("### Decisions and their reasons")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .collect();
    assert!(table.len() > 2, "no reasons table in the README");
    assert!(table[0].contains("| reason | decision |"), "{}", table[0]);
    for reason in Reason::ALL {
        let name = format!("`{}`", reason.as_str());
        assert!(
            table.iter().any(|row| row
                .split('|')
                .nth(1)
                .is_some_and(|cell| cell.contains(&name))),
            "the README's reasons table does not list {name}"
        );
    }
    // The decision column says `start`/`skip`/`frozen` as the JSON does.
    for row in &table[2..] {
        let cell = row.split('|').nth(2).unwrap_or_default();
        assert!(
            Decision::ALL.iter().any(|d| cell.contains(d.as_str())),
            "{row}"
        );
    }
}
