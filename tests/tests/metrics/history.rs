//! Event histories, and running them through the function into a folder.

use super::*;
use integration_tests::pipeline_events;

// report

/// An EventBridge CodePipeline event.
pub(crate) fn event(id: &str, time: &str, detail_type: &str, detail: Value) -> String {
    pipeline_events::event(id, time, detail_type, detail).to_string()
}

/// A small history: its numbers are computed by hand in
/// `metrics_report_on_a_folder_matches_hand_computed_numbers`.
pub(crate) struct History {
    pub(crate) events: Vec<String>,
    counter: u32,
}

impl History {
    pub(crate) fn new() -> Self {
        Self {
            events: Vec::new(),
            counter: 0,
        }
    }

    pub(crate) fn id(&mut self) -> String {
        self.counter += 1;
        format!("e2e0a000-0000-4000-8000-{:012}", self.counter)
    }

    pub(crate) fn pipeline(
        &mut self,
        pipeline: &str,
        exec: &str,
        state: &str,
        time: &str,
        start: &str,
    ) {
        let id = self.id();
        let detail = pipeline_events::pipeline_detail(pipeline, exec, state, start, 1);
        self.events.push(event(&id, time, "Pipeline", detail));
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn action(
        &mut self,
        pipeline: &str,
        exec: &str,
        stage: &str,
        action: &str,
        category: &str,
        provider: &str,
        state: &str,
        time: &str,
        result: Value,
    ) {
        let id = self.id();
        self.events.push(event(
            &id,
            time,
            "Action",
            json!({"pipeline": pipeline, "execution-id": exec, "stage": stage, "action": action,
                   "state": state, "version": 1.0,
                   "type": {"owner": "AWS", "category": category, "provider": provider, "version": "1"},
                   "execution-result": result}),
        ));
    }

    pub(crate) fn source(&mut self, pipeline: &str, exec: &str, time: &str, commit: &str) {
        self.action(
            pipeline,
            exec,
            "Source",
            "Source",
            "Source",
            "CodeCommit",
            "SUCCEEDED",
            time,
            json!({"external-execution-id": commit, "external-execution-summary": "change"}),
        );
    }

    pub(crate) fn deploy(&mut self, exec: &str, state: &str, time: &str) {
        let result = if state == "FAILED" {
            json!({"external-execution-summary": "Deployment failed", "error-code": "JobFailed"})
        } else {
            json!({"external-execution-summary": "Deployed"})
        };
        self.action(
            "deploy-prod",
            exec,
            "Deploy",
            "DeployToProd",
            "Deploy",
            "CodeDeploy",
            state,
            time,
            result,
        );
    }
}

impl History {
    /// A run of `pipeline`: STARTED at `start`, its source action 30 s later (with
    /// `commit`, if any), deploy-prod's deploy action one minute before `end` (in the
    /// run's final state), then `state` at `end`.
    pub(crate) fn run(
        &mut self,
        pipeline: &str,
        exec: &str,
        start: &str,
        commit: Option<&str>,
        state: &str,
        end: &str,
    ) {
        let shifted = |at: &str, seconds: i64| {
            let t: Timestamp = at.parse().unwrap();
            (t + jiff::SignedDuration::from_secs(seconds)).to_string()
        };
        self.pipeline(pipeline, exec, "STARTED", start, start);
        if let Some(commit) = commit {
            self.source(pipeline, exec, &shifted(start, 30), commit);
        }
        if pipeline == "deploy-prod" {
            self.deploy(exec, state, &shifted(end, -60));
        }
        self.pipeline(pipeline, exec, state, end, start);
    }
}

/// Runs the history through the function into a folder, the last event delivered twice
/// (in a second batch), as `pipeline-router invoke metrics-extractor` would.
pub(crate) async fn extract_into(dir: &Path, events: &[String]) {
    let batch: Vec<(String, String)> = events
        .iter()
        .enumerate()
        .map(|(i, body)| (format!("m{i}"), body.clone()))
        .collect();
    for chunk in batch.chunks(10) {
        let outcome = cli_metrics::invoke_metrics_extractor(sqs_event(chunk), dir)
            .await
            .unwrap();
        assert!(outcome.failures.is_empty(), "{outcome:?}");
    }
    let last = batch.last().unwrap().clone();
    let outcome =
        cli_metrics::invoke_metrics_extractor(sqs_event(&[("redelivery".to_owned(), last.1)]), dir)
            .await
            .unwrap();
    assert_eq!(outcome.written.len(), 1);
}
