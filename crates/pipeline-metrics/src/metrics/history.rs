//! A small hand-written history for the metrics and report tests: JSON events through
//! the real parser, with the numbers each test expects worked out in its comments.

use serde_json::json;

use super::Execution;
use crate::row::{self, Row, Source};

/// Builds a small history, as JSON events through the real parser, for the metrics and
/// report tests.
pub(crate) struct History {
    pub rows: Vec<Row>,
    next_id: u32,
}

pub(crate) const PROD: &str = "deploy-prod";
pub(crate) const BUILD: &str = "build";

pub(crate) fn sha(c: &str) -> String {
    c.repeat(20)
}

impl History {
    pub(crate) fn new() -> Self {
        History {
            rows: Vec::new(),
            next_id: 0,
        }
    }

    fn push(&mut self, detail_type: &str, time: &str, detail: serde_json::Value) {
        self.next_id += 1;
        let event = json!({
            "version": "0",
            "id": format!("evt-{:04}", self.next_id),
            "detail-type": detail_type,
            "source": "aws.codepipeline",
            "account": "123456789012",
            "time": time,
            "region": "eu-west-1",
            "resources": [],
            "detail": detail,
        });
        self.rows
            .push(row::from_json(&event.to_string(), Source::Live).unwrap());
    }

    /// A pipeline event: `start` is the execution's start-time.
    pub(crate) fn pipeline(
        &mut self,
        p: &str,
        x: &str,
        start: &str,
        time: &str,
        state: &str,
        attempt: u32,
    ) {
        self.push(
            crate::event::PIPELINE_DETAIL_TYPE,
            time,
            json!({"pipeline": p, "execution-id": x, "start-time": start, "state": state,
                   "version": 3.0, "pipeline-execution-attempt": f64::from(attempt)}),
        );
    }

    pub(crate) fn stage(&mut self, p: &str, x: &str, stage: &str, time: &str, state: &str) {
        self.push(
            crate::event::STAGE_DETAIL_TYPE,
            time,
            json!({"pipeline": p, "execution-id": x, "stage": stage, "state": state,
                   "version": 3, "pipeline-execution-attempt": 1}),
        );
    }

    pub(crate) fn action(
        &mut self,
        p: &str,
        x: &str,
        stage: &str,
        action: &str,
        time: &str,
        state: &str,
    ) {
        let category = if stage == "Source" { "Source" } else { "Build" };
        let provider = if stage == "Source" {
            "CodeCommit"
        } else {
            "CodeBuild"
        };
        let mut detail = json!({"pipeline": p, "execution-id": x, "stage": stage,
            "action": action, "state": state, "version": 3.0,
            "type": {"owner": "AWS", "category": category, "provider": provider, "version": "1"}});
        if state == "FAILED" {
            detail["execution-result"] = json!({"external-execution-summary": "tests failed",
                                                "error-code": "JobFailed"});
        }
        self.push(crate::event::ACTION_DETAIL_TYPE, time, detail);
    }

    pub(crate) fn source(&mut self, p: &str, x: &str, time: &str, commit: &str) {
        self.push(
            crate::event::ACTION_DETAIL_TYPE,
            time,
            json!({"pipeline": p, "execution-id": x, "stage": "Source", "action": "Source",
                   "state": "SUCCEEDED", "version": 3.0,
                   "type": {"owner": "AWS", "category": "Source", "provider": "CodeCommit", "version": 1},
                   "execution-result": {"external-execution-id": sha(commit)}}),
        );
    }

    /// The last row again (a redelivery: same event id).
    pub(crate) fn redeliver_last(&mut self) {
        let last = self.rows.last().unwrap().clone();
        self.rows.push(last);
    }

    /// An execution with a source action (if `commit`), a deploy/test action and
    /// pipeline events from `start` to each `(time, state, attempt)`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run(
        &mut self,
        p: &str,
        x: &str,
        start: &str,
        commit: Option<&str>,
        step: (&str, &str),
        steps: &[(&str, &str)],
        states: &[(&str, &str, u32)],
    ) {
        self.pipeline(p, x, start, start, "STARTED", 1);
        if let Some(c) = commit {
            self.source(p, x, start, c);
        }
        for (time, state) in steps {
            self.action(p, x, step.0, step.1, time, state);
        }
        for (time, state, attempt) in states {
            self.pipeline(p, x, start, time, state, *attempt);
        }
    }
}

/// The fixture history (times UTC, 2026-03-02 to 2026-03-05):
///
/// deploy-prod (production), action Deploy/DeployToProd:
/// - P1 start 03-02 10:00, SUCCEEDED 10:10, commit c1 (600 s)
/// - P2 start 03-02 14:00, FAILED 14:05, commit c2
/// - P3 start 03-03 09:00, FAILED 09:20, commit c3
/// - P4 start 03-03 11:00, SUCCEEDED 11:15, commit c4 (900 s)
/// - P5 start 03-04 08:00, SUPERSEDED 08:03
/// - P6 start 03-04 08:02, SUCCEEDED 08:14, commit c6 (720 s)
/// - P7 start 03-05 16:00, still running
///
/// build, action Test/UnitTests:
/// - B1 start 03-02 09:30, SUCCEEDED 09:40, commit c1 (600 s)
/// - B2 start 03-03 10:40, FAILED 10:50, RESUMED 10:52 (attempt 2), SUCCEEDED 10:58,
///   commit c4 (1080 s)
/// - B3 start 03-05 12:00, STOPPING 12:00:50, STOPPED 12:01
///
/// Redelivered: P1's SUCCEEDED and P2's DeployToProd FAILED.
pub(crate) fn history() -> History {
    let mut h = History::new();
    let deploy = ("Deploy", "DeployToProd");
    let test = ("Test", "UnitTests");
    h.run(
        BUILD,
        "B1",
        "2026-03-02T09:30:00Z",
        Some("c1"),
        test,
        &[("2026-03-02T09:38:00Z", "SUCCEEDED")],
        &[("2026-03-02T09:40:00Z", "SUCCEEDED", 1)],
    );
    h.run(
        PROD,
        "P1",
        "2026-03-02T10:00:00Z",
        Some("c1"),
        deploy,
        &[("2026-03-02T10:09:00Z", "SUCCEEDED")],
        &[("2026-03-02T10:10:00Z", "SUCCEEDED", 1)],
    );
    h.redeliver_last();
    h.stage(PROD, "P1", "Deploy", "2026-03-02T10:09:30Z", "SUCCEEDED");
    h.run(
        PROD,
        "P2",
        "2026-03-02T14:00:00Z",
        Some("c2"),
        deploy,
        &[("2026-03-02T14:04:00Z", "FAILED")],
        &[("2026-03-02T14:05:00Z", "FAILED", 1)],
    );
    h.stage(PROD, "P2", "Deploy", "2026-03-02T14:04:30Z", "FAILED");
    // Redeliver P2's DeployToProd FAILED (the row before the pipeline FAILED and stage).
    let dup = h.rows[h.rows.len() - 3].clone();
    h.rows.push(dup);
    h.run(
        PROD,
        "P3",
        "2026-03-03T09:00:00Z",
        Some("c3"),
        deploy,
        &[("2026-03-03T09:19:00Z", "FAILED")],
        &[("2026-03-03T09:20:00Z", "FAILED", 1)],
    );
    h.run(
        BUILD,
        "B2",
        "2026-03-03T10:40:00Z",
        Some("c4"),
        test,
        &[
            ("2026-03-03T10:49:00Z", "FAILED"),
            ("2026-03-03T10:57:00Z", "SUCCEEDED"),
        ],
        &[
            ("2026-03-03T10:50:00Z", "FAILED", 1),
            ("2026-03-03T10:52:00Z", "RESUMED", 2),
            ("2026-03-03T10:58:00Z", "SUCCEEDED", 2),
        ],
    );
    h.run(
        PROD,
        "P4",
        "2026-03-03T11:00:00Z",
        Some("c4"),
        deploy,
        &[("2026-03-03T11:14:00Z", "SUCCEEDED")],
        &[("2026-03-03T11:15:00Z", "SUCCEEDED", 1)],
    );
    h.run(
        PROD,
        "P5",
        "2026-03-04T08:00:00Z",
        None,
        deploy,
        &[],
        &[("2026-03-04T08:03:00Z", "SUPERSEDED", 1)],
    );
    h.run(
        PROD,
        "P6",
        "2026-03-04T08:02:00Z",
        Some("c6"),
        deploy,
        &[("2026-03-04T08:13:00Z", "SUCCEEDED")],
        &[("2026-03-04T08:14:00Z", "SUCCEEDED", 1)],
    );
    h.run(
        BUILD,
        "B3",
        "2026-03-05T12:00:00Z",
        None,
        test,
        &[],
        &[
            ("2026-03-05T12:00:50Z", "STOPPING", 1),
            ("2026-03-05T12:01:00Z", "STOPPED", 1),
        ],
    );
    h.run(PROD, "P7", "2026-03-05T16:00:00Z", None, deploy, &[], &[]);
    h
}

/// The execution with id `id`.
pub(crate) fn find<'a>(execs: &'a [Execution], id: &str) -> &'a Execution {
    execs.iter().find(|e| e.execution_id == id).unwrap()
}
