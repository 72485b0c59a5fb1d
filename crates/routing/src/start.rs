//! Starting the pipelines a plan chose: idempotently, at the evaluated commit.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::plan::RoutingPlan;
use crate::ports::{PipelineStarter, SourceRevision, StartRequest};
use crate::rules::RoutingRules;

/// What happened when a pipeline was started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StartOutcome {
    /// CodePipeline accepted the start.
    Started {
        /// The pipeline.
        pipeline: String,
        /// The execution id CodePipeline returned.
        execution_id: String,
    },
    /// The start failed (after the client's retries).
    Failed {
        /// The pipeline.
        pipeline: String,
        /// Why.
        error: String,
    },
}

impl StartOutcome {
    /// The pipeline this outcome is about.
    pub fn pipeline(&self) -> &str {
        match self {
            StartOutcome::Started { pipeline, .. } | StartOutcome::Failed { pipeline, .. } => {
                pipeline
            }
        }
    }
}

/// The `clientRequestToken` for starting `pipeline` because of event `event_id`: the same
/// event (redelivered, or retried after a partial failure) never starts a pipeline twice.
/// 64 hex characters, within CodePipeline's `[a-zA-Z0-9-]{1,128}`.
pub fn client_request_token(event_id: &str, pipeline: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(event_id.as_bytes());
    hasher.update([0u8]);
    hasher.update(pipeline.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The start requests for the plan's started pipelines.
pub fn start_requests(rules: &RoutingRules, plan: &RoutingPlan) -> Vec<StartRequest> {
    let repository = rules.repository(&plan.push.repository);
    plan.starts()
        .map(|decision| {
            let source_action = repository
                .and_then(|r| r.pipelines.iter().find(|p| p.name == decision.pipeline))
                .and_then(|p| p.source_action.clone());
            StartRequest {
                pipeline: decision.pipeline.clone(),
                client_request_token: client_request_token(&plan.push.event_id, &decision.pipeline),
                source_revision: source_action.map(|action_name| SourceRevision {
                    action_name,
                    commit_id: plan.push.commit_id.clone(),
                }),
            }
        })
        .collect()
}

/// Starts every pipeline the plan chose, one after another; a failure does not stop the
/// others.
pub async fn start_pipelines<P: PipelineStarter + Sync>(
    rules: &RoutingRules,
    plan: &RoutingPlan,
    starter: &P,
) -> Vec<StartOutcome> {
    let mut outcomes = Vec::new();
    for request in start_requests(rules, plan) {
        outcomes.push(match starter.start(&request).await {
            Ok(execution_id) => StartOutcome::Started {
                pipeline: request.pipeline,
                execution_id,
            },
            Err(error) => StartOutcome::Failed {
                pipeline: request.pipeline,
                error: error.message,
            },
        });
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_distinct_and_valid() {
        let a = client_request_token("event-1", "api");
        assert_eq!(a, client_request_token("event-1", "api"));
        assert_ne!(a, client_request_token("event-1", "web"));
        assert_ne!(a, client_request_token("event-2", "api"));
        // No ambiguity between ("ab", "c") and ("a", "bc").
        assert_ne!(
            client_request_token("ab", "c"),
            client_request_token("a", "bc")
        );
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
