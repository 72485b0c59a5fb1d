//! Plans as a table for people.

use std::fmt::Write;

use pipeline_routing::{DiffBase, RoutingPlan};

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

/// The plan as a text table: one line per pipeline, what it would do and why.
pub fn plan_table(plan: &RoutingPlan) -> String {
    let push = &plan.push;
    let mut out = String::new();
    let base = match &plan.diff_base {
        DiffBase::PreviousCommit { commit } => {
            format!("{}..{}", short(commit), short(&push.commit_id))
        }
        DiffBase::MergeBase { branch, commit } => format!(
            "{}..{} (merge base with {branch})",
            short(commit),
            short(&push.commit_id)
        ),
        DiffBase::FirstParent { commit } => format!(
            "{}..{} (first parent)",
            short(commit),
            short(&push.commit_id)
        ),
        DiffBase::EmptyTree => format!("(root)..{} (every file)", short(&push.commit_id)),
        DiffBase::NotNeeded => format!("{} (no diff needed)", short(&push.commit_id)),
        DiffBase::Unavailable { error } => format!("diff unavailable: {error}"),
    };
    let _ = writeln!(out, "{} {} {}", push.repository, push.reference, base);
    if !plan.repository_configured {
        let _ = writeln!(out, "the rules do not name this repository: nothing starts");
        return out;
    }
    let _ = writeln!(
        out,
        "{} changed path(s) read in {} page(s)\n",
        plan.paths_read, plan.pages_read
    );
    let width = plan
        .decisions
        .iter()
        .map(|d| d.pipeline.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(
        out,
        "{:width$}  {:8}  {:20}  MATCHED",
        "PIPELINE", "DECISION", "REASON"
    );
    for decision in &plan.decisions {
        let mut matched = match (&decision.matched, &decision.glob) {
            (Some(m), Some(g)) => format!("{m} ({g})"),
            (Some(m), None) => m.clone(),
            _ => String::new(),
        };
        if let Some(freeze) = &decision.freeze {
            let until = match decision.decision {
                pipeline_routing::Decision::Frozen => {
                    format!("held until {}", freeze.release_at)
                }
                _ => format!("skipped, the freeze ends {}", freeze.window_end),
            };
            matched = format!("freeze `{}`: {until}; {matched}", freeze.name);
        }
        let _ = writeln!(
            out,
            "{:width$}  {:8}  {:20}  {}",
            decision.pipeline,
            decision.decision.as_str(),
            decision.reason.as_str(),
            matched
        );
    }
    out
}
