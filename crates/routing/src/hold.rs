//! Holding the `frozen` pipelines of a plan: one hold per pipeline and branch, written
//! through the [`HoldStore`] port instead of a start.

use pipeline_schedules::jiff::Timestamp;
use pipeline_schedules::{Hold, HoldKey, HoldStore, HoldStoreError, HoldWrite};
use serde::Serialize;

use crate::plan::RoutingPlan;
use crate::ports::{PipelineStarter, SourceError, SourceRevision, StartRequest};
use crate::rules::RoutingRules;

/// What holding one pipeline did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HoldOutcome {
    /// The hold was written (created, moved to this commit, or kept at a newer one).
    Held {
        /// The pipeline.
        pipeline: String,
        /// The branch (or tag) of the hold.
        branch: String,
        /// The commit of this push.
        commit_id: String,
        /// The freeze.
        freeze: String,
        /// When the hold is released.
        release_at: Timestamp,
        /// What the write did.
        write: HoldWrite,
    },
    /// The hold could not be written.
    Failed {
        /// The pipeline.
        pipeline: String,
        /// Why.
        error: String,
    },
}

impl HoldOutcome {
    /// The pipeline.
    pub fn pipeline(&self) -> &str {
        match self {
            HoldOutcome::Held { pipeline, .. } | HoldOutcome::Failed { pipeline, .. } => pipeline,
        }
    }
}

/// The holds a plan asks for: one per `frozen` decision, at the push's commit, ordered
/// by the instant the plan judged freezes at (the push's event time).
pub fn holds_of(rules: &RoutingRules, plan: &RoutingPlan) -> Vec<Hold> {
    let push = &plan.push;
    let repository = rules.repository(&push.repository);
    let at = plan
        .evaluated_at
        .or(push.time)
        .unwrap_or(Timestamp::UNIX_EPOCH);
    plan.frozen()
        .filter_map(|decision| {
            let freeze = decision.freeze.as_ref()?;
            let source_action = repository
                .and_then(|r| r.pipelines.iter().find(|p| p.name == decision.pipeline))
                .and_then(|p| p.source_action.as_deref());
            Some(Hold::for_push(
                &push.repository,
                &decision.pipeline,
                push.reference.name(),
                &push.commit_id,
                source_action,
                push.pushed_by.as_deref(),
                at,
                &freeze.name,
                freeze.release_at,
            ))
        })
        .collect()
}

/// Writes the plan's holds through `store`; each write keeps the newest commit.
pub async fn hold_pipelines<H: HoldStore + Sync>(
    rules: &RoutingRules,
    plan: &RoutingPlan,
    store: &H,
) -> Vec<HoldOutcome> {
    let mut outcomes = Vec::new();
    for hold in holds_of(rules, plan) {
        let pipeline = hold.pipeline.clone();
        let (branch, commit_id) = (hold.branch.clone(), hold.commit_id.clone());
        let (freeze, release_at) = (hold.freeze.clone(), hold.release_at);
        outcomes.push(match store.put_newest(hold).await {
            Ok(write) => HoldOutcome::Held {
                pipeline,
                branch,
                commit_id,
                freeze,
                release_at,
                write,
            },
            Err(error) => HoldOutcome::Failed {
                pipeline,
                error: error.to_string(),
            },
        });
    }
    outcomes
}

/// What [`release_hold`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReleaseOutcome {
    /// The pipeline was started at the held commit and the hold deleted.
    Released {
        /// The hold as it was released (boxed: it is most of the enum's size).
        hold: Box<Hold>,
        /// What was asked of the starter.
        request: StartRequest,
        /// The execution id.
        execution_id: String,
    },
    /// No hold for that pipeline and branch.
    Missing,
    /// Another releaser holds the claim: nothing was started.
    ClaimedElsewhere,
}

/// Why a release failed: the hold stays (claimed by `claim_token`, so the same releaser
/// can retry; the start is idempotent by [`Hold::release_token`]).
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// The hold store failed.
    #[error(transparent)]
    Store(#[from] HoldStoreError),
    /// The pipeline could not be started.
    #[error("could not start {pipeline}: {error}")]
    Start {
        /// The pipeline.
        pipeline: String,
        /// Why.
        error: SourceError,
    },
}

/// The start a hold's release makes: its pipeline, `clientRequestToken` =
/// [`Hold::release_token`], and `sourceRevisions` at the held commit when the pipeline
/// has a `source_action`.
pub fn release_request(hold: &Hold) -> StartRequest {
    StartRequest {
        pipeline: hold.pipeline.clone(),
        client_request_token: hold.release_token(),
        source_revision: hold.source_action.as_ref().map(|action| SourceRevision {
            action_name: action.clone(),
            commit_id: hold.commit_id.clone(),
        }),
    }
}

/// Releases the hold of `key`: claims it for `claim_token` (so overlapping releasers start
/// it once), starts its pipeline at the held commit ([`release_request`]), then deletes
/// it.
pub async fn release_hold<H, P>(
    store: &H,
    starter: &P,
    key: &HoldKey,
    claim_token: &str,
) -> Result<ReleaseOutcome, ReleaseError>
where
    H: HoldStore + Sync,
    P: PipelineStarter + Sync,
{
    let Some(hold) = store.get(key).await? else {
        return Ok(ReleaseOutcome::Missing);
    };
    if !store.claim_release(key, claim_token).await? {
        return Ok(match store.get(key).await? {
            Some(_) => ReleaseOutcome::ClaimedElsewhere,
            None => ReleaseOutcome::Missing,
        });
    }
    let request = release_request(&hold);
    let execution_id = match starter.start(&request).await {
        Ok(execution_id) => execution_id,
        Err(error) => {
            // Give the claim back so that the next tick or click tries again; if even that
            // fails, the hold stays claimed and the error says so.
            store.release_claim(key, claim_token).await?;
            return Err(ReleaseError::Start {
                pipeline: hold.pipeline.clone(),
                error,
            });
        }
    };
    store.delete(key).await?;
    tracing::info!(
        decision = "released",
        pipeline = %hold.pipeline,
        branch = %hold.branch,
        commit = %hold.commit_id,
        freeze = %hold.freeze,
        pushes = hold.pushes,
        execution_id = %execution_id,
        "hold released"
    );
    Ok(ReleaseOutcome::Released {
        hold: Box::new(hold),
        request,
        execution_id,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use pipeline_schedules::MemoryHoldStore;

    use super::*;

    #[derive(Default)]
    struct Starter(Mutex<Vec<StartRequest>>);

    impl PipelineStarter for Starter {
        async fn start(&self, request: &StartRequest) -> Result<String, SourceError> {
            if let Ok(mut started) = self.0.lock() {
                started.push(request.clone());
            }
            Ok("exec-1".to_owned())
        }
    }

    #[tokio::test]
    async fn a_release_starts_the_held_commit_once_and_deletes_the_hold() {
        let at = Timestamp::UNIX_EPOCH;
        let hold = Hold::for_push(
            "r",
            "api",
            "main",
            "c9",
            Some("Source"),
            None,
            at,
            "weekend",
            at,
        );
        let store = MemoryHoldStore::with([hold.clone()]);
        let starter = Starter::default();
        let key = hold.key();
        // Another releaser claimed it first: nothing starts.
        assert!(store.claim_release(&key, "tick-1").await.unwrap_or(false));
        let outcome = release_hold(&store, &starter, &key, "tick-2").await;
        assert!(
            matches!(outcome, Ok(ReleaseOutcome::ClaimedElsewhere)),
            "{outcome:?}"
        );
        // The claimant releases it.
        let outcome = release_hold(&store, &starter, &key, "tick-1").await;
        assert!(
            matches!(outcome, Ok(ReleaseOutcome::Released { .. })),
            "{outcome:?}"
        );
        let started = starter.0.lock().map(|s| s.clone()).unwrap_or_default();
        assert_eq!(started.len(), 1);
        assert_eq!(started[0].client_request_token, hold.release_token());
        assert_eq!(
            started[0].source_revision,
            Some(SourceRevision {
                action_name: "Source".into(),
                commit_id: "c9".into()
            })
        );
        let outcome = release_hold(&store, &starter, &key, "tick-1").await;
        assert!(
            matches!(outcome, Ok(ReleaseOutcome::Missing)),
            "{outcome:?}"
        );
    }

    /// Fails every start, like a throttled or unreachable CodePipeline.
    struct FailingStarter;

    impl PipelineStarter for FailingStarter {
        async fn start(&self, _request: &StartRequest) -> Result<String, SourceError> {
            Err(SourceError::new("ThrottlingException"))
        }
    }

    #[tokio::test]
    async fn a_failed_start_gives_the_claim_back_so_the_next_release_starts_it() {
        let at = Timestamp::UNIX_EPOCH;
        let hold = Hold::for_push("r", "api", "main", "c9", None, None, at, "weekend", at);
        let store = MemoryHoldStore::with([hold.clone()]);
        let key = hold.key();
        let outcome = release_hold(&store, &FailingStarter, &key, "tick-1").await;
        assert!(
            matches!(outcome, Err(ReleaseError::Start { .. })),
            "{outcome:?}"
        );
        let kept = store.get(&key).await.ok().flatten();
        assert_eq!(kept.map(|h| h.claimed_by), Some(None));
        // The next tick (another token) starts it.
        let starter = Starter::default();
        let outcome = release_hold(&store, &starter, &key, "tick-2").await;
        assert!(
            matches!(outcome, Ok(ReleaseOutcome::Released { .. })),
            "{outcome:?}"
        );
        assert_eq!(starter.0.lock().map(|s| s.len()).unwrap_or(0), 1);
    }
}
