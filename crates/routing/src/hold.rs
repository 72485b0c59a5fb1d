//! Holding the `frozen` pipelines of a plan: one hold per pipeline and branch, written
//! through the [`HoldStore`] port instead of a start.

use pipeline_schedules::jiff::Timestamp;
use pipeline_schedules::{Hold, HoldKey, HoldStore, HoldStoreError, HoldWrite, ReleaseRecord};
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
    /// The pipeline was started at the held commit and the hold recorded as released.
    Released {
        /// The hold as it was released (boxed: it is most of the enum's size).
        hold: Box<Hold>,
        /// What was asked of the starter.
        request: StartRequest,
        /// The execution id.
        execution_id: String,
    },
    /// No hold waits for that pipeline and branch (never held, or released already:
    /// [`released_by`] tells whether by this claim).
    Missing,
    /// Another releaser holds the claim: nothing was started.
    ClaimedElsewhere,
}

/// Why a release failed: nothing was started, the hold stays and its claim was given
/// back (or, if even that failed, lapses after [`pipeline_schedules::RELEASE_LEASE`]).
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

/// Releases the hold of `key` at `now`: claims it for `claim_token` (so overlapping
/// releasers start it once; a claim lapses after [`pipeline_schedules::RELEASE_LEASE`]),
/// starts its pipeline at the held commit ([`release_request`]), then records the
/// release on the hold ([`HoldStore::mark_released`]).
///
/// - A failed start gives the claim back: the next tick or click tries again.
/// - A store failure after the start leaves the hold claimed and not recorded: the
///   release is still [`ReleaseOutcome::Released`] (the pipeline runs), logged with
///   `recorded = false`; once the claim lapses the next releaser starts it again with the
///   same `clientRequestToken` ([`Hold::release_token`]), which CodePipeline answers with
///   the same execution, and records it.
/// - A newer push folded in during the release (the commit moved): the started commit is
///   released, the newer one stays held and the claim is given back.
/// - Once released, every later call is [`ReleaseOutcome::Missing`] and starts nothing;
///   [`released_by`] tells a retry of the same claim from another releaser.
pub async fn release_hold<H, P>(
    store: &H,
    starter: &P,
    key: &HoldKey,
    claim_token: &str,
    now: Timestamp,
) -> Result<ReleaseOutcome, ReleaseError>
where
    H: HoldStore + Sync,
    P: PipelineStarter + Sync,
{
    let Some(hold) = store.get(key).await? else {
        return Ok(ReleaseOutcome::Missing);
    };
    if !store.claim_release(key, claim_token, now).await? {
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
            // fails, the claim lapses after the lease.
            store.release_claim(key, claim_token).await?;
            return Err(ReleaseError::Start {
                pipeline: hold.pipeline.clone(),
                error,
            });
        }
    };
    let record = ReleaseRecord {
        claim_token: claim_token.to_owned(),
        execution_id: execution_id.clone(),
        at: now,
    };
    match store.mark_released(key, &hold.commit_id, record).await {
        // The caller logs the release as its decision (the tick, the Slack click, the CLI);
        // these lines add what only the store knows: whether the release was recorded.
        Ok(true) => tracing::debug!(
            pipeline = %hold.pipeline,
            branch = %hold.branch,
            commit = %hold.commit_id,
            freeze = %hold.freeze,
            pushes = hold.pushes,
            execution_id = %execution_id,
            recorded = true,
            "hold released"
        ),
        Ok(false) => {
            // A newer push moved the hold while it was being released (or the claim lapsed
            // and another releaser has it): what was started stays started, the newer
            // commit stays held for the next release.
            let given_back = store.release_claim(key, claim_token).await;
            tracing::info!(
                pipeline = %hold.pipeline,
                branch = %hold.branch,
                commit = %hold.commit_id,
                freeze = %hold.freeze,
                pushes = hold.pushes,
                execution_id = %execution_id,
                recorded = false,
                hold_kept = true,
                claim_given_back = given_back.is_ok(),
                "hold released at the commit read; a newer push stays held"
            );
        }
        Err(error) => tracing::warn!(
            pipeline = %hold.pipeline,
            branch = %hold.branch,
            commit = %hold.commit_id,
            freeze = %hold.freeze,
            pushes = hold.pushes,
            execution_id = %execution_id,
            recorded = false,
            %error,
            "hold released, but not recorded: it stays claimed until the lease lapses, then the next release starts the same execution (same clientRequestToken) and records it"
        ),
    }
    Ok(ReleaseOutcome::Released {
        hold: Box::new(hold),
        request,
        execution_id,
    })
}

/// The hold of `key` as `claim_token` released it, while its record is kept
/// ([`pipeline_schedules::holds::RELEASED_KEPT`]): `Some` for a retry of a release that
/// finished (the click cut off by Slack's deadline, continued from the queue), `None` when
/// no hold was released or another claim released it.
pub async fn released_by<H: HoldStore + Sync>(
    store: &H,
    key: &HoldKey,
    claim_token: &str,
) -> Result<Option<Hold>, HoldStoreError> {
    Ok(store.released(key).await?.filter(|hold| {
        hold.released
            .as_ref()
            .is_some_and(|record| record.claim_token == claim_token)
    }))
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
        assert!(
            store
                .claim_release(&key, "tick-1", at)
                .await
                .unwrap_or(false)
        );
        let outcome = release_hold(&store, &starter, &key, "tick-2", at).await;
        assert!(
            matches!(outcome, Ok(ReleaseOutcome::ClaimedElsewhere)),
            "{outcome:?}"
        );
        // The claimant releases it.
        let outcome = release_hold(&store, &starter, &key, "tick-1", at).await;
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
        let outcome = release_hold(&store, &starter, &key, "tick-1", at).await;
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
        let outcome = release_hold(&store, &FailingStarter, &key, "tick-1", at).await;
        assert!(
            matches!(outcome, Err(ReleaseError::Start { .. })),
            "{outcome:?}"
        );
        let kept = store.get(&key).await.ok().flatten();
        assert_eq!(kept.map(|h| h.claimed_by), Some(None));
        // The next tick (another token) starts it.
        let starter = Starter::default();
        let outcome = release_hold(&store, &starter, &key, "tick-2", at).await;
        assert!(
            matches!(outcome, Ok(ReleaseOutcome::Released { .. })),
            "{outcome:?}"
        );
        assert_eq!(starter.0.lock().map(|s| s.len()).unwrap_or(0), 1);
    }

    /// CodePipeline as far as `clientRequestToken` goes: a start with a token seen before
    /// is the same execution, not a new one.
    #[derive(Default)]
    struct IdempotentPipeline(Mutex<Vec<String>>);

    impl IdempotentPipeline {
        fn executions(&self) -> usize {
            self.0.lock().map(|tokens| tokens.len()).unwrap_or(0)
        }
    }

    impl PipelineStarter for IdempotentPipeline {
        async fn start(&self, request: &StartRequest) -> Result<String, SourceError> {
            let mut tokens = self.0.lock().map_err(|_| SourceError::new("poisoned"))?;
            let token = &request.client_request_token;
            let index = match tokens.iter().position(|t| t == token) {
                Some(index) => index,
                None => {
                    tokens.push(token.clone());
                    tokens.len() - 1
                }
            };
            Ok(format!("exec-{index}"))
        }
    }

    /// A memory store whose `mark_released` fails (DynamoDB throttled) `failures` times.
    struct FlakyRecords {
        inner: MemoryHoldStore,
        failures: Mutex<u32>,
    }

    impl HoldStore for FlakyRecords {
        async fn put_newest(&self, hold: Hold) -> Result<HoldWrite, HoldStoreError> {
            self.inner.put_newest(hold).await
        }
        async fn list(&self) -> Result<Vec<Hold>, HoldStoreError> {
            self.inner.list().await
        }
        async fn get(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
            self.inner.get(key).await
        }
        async fn claim_release(
            &self,
            key: &HoldKey,
            token: &str,
            now: Timestamp,
        ) -> Result<bool, HoldStoreError> {
            self.inner.claim_release(key, token, now).await
        }
        async fn mark_released(
            &self,
            key: &HoldKey,
            commit_id: &str,
            record: ReleaseRecord,
        ) -> Result<bool, HoldStoreError> {
            let fail = match self.failures.lock() {
                Ok(mut left) if *left > 0 => {
                    *left -= 1;
                    true
                }
                _ => false,
            };
            if fail {
                return Err(HoldStoreError::Unavailable {
                    message: "UpdateItem: ProvisionedThroughputExceededException".into(),
                });
            }
            self.inner.mark_released(key, commit_id, record).await
        }
        async fn released(&self, key: &HoldKey) -> Result<Option<Hold>, HoldStoreError> {
            self.inner.released(key).await
        }
        async fn release_claim(&self, key: &HoldKey, token: &str) -> Result<(), HoldStoreError> {
            self.inner.release_claim(key, token).await
        }
        async fn delete(&self, key: &HoldKey) -> Result<(), HoldStoreError> {
            self.inner.delete(key).await
        }
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[tokio::test]
    async fn a_release_not_recorded_is_recovered_after_the_lease_and_runs_once() {
        let at = ts("2026-11-30T08:00:00Z");
        let hold = Hold::for_push("r", "api", "main", "c9", None, None, at, "weekend", at);
        let key = hold.key();
        let store = FlakyRecords {
            inner: MemoryHoldStore::with([hold.clone()]),
            failures: Mutex::new(1),
        };
        let pipeline = IdempotentPipeline::default();
        // Started, but the store failed to record it: the release still says so.
        let first = release_hold(&store, &pipeline, &key, "slack:U1:t1", at).await;
        assert!(
            matches!(&first, Ok(ReleaseOutcome::Released { execution_id, .. }) if execution_id == "exec-0"),
            "{first:?}"
        );
        // Within the lease the hold is still claimed: a tick starts nothing.
        let tick = release_hold(
            &store,
            &pipeline,
            &key,
            "tick-1",
            ts("2026-11-30T08:10:00Z"),
        )
        .await;
        assert!(
            matches!(tick, Ok(ReleaseOutcome::ClaimedElsewhere)),
            "{tick:?}"
        );
        // After it, the next tick takes the claim, and its start is the same execution.
        let later = ts("2026-11-30T08:16:00Z");
        let tick = release_hold(&store, &pipeline, &key, "tick-2", later).await;
        assert!(
            matches!(&tick, Ok(ReleaseOutcome::Released { execution_id, .. }) if execution_id == "exec-0"),
            "{tick:?}"
        );
        assert_eq!(pipeline.executions(), 1, "one execution for the hold");
        assert_eq!(store.get(&key).await.ok().flatten(), None, "no longer held");
        let again = release_hold(&store, &pipeline, &key, "tick-3", later).await;
        assert!(matches!(again, Ok(ReleaseOutcome::Missing)), "{again:?}");
        // The record says who released it: the tick that recorded it.
        let by_tick = released_by(&store, &key, "tick-2").await.ok().flatten();
        assert_eq!(by_tick.map(|h| h.commit_id), Some("c9".to_owned()));
        assert_eq!(
            released_by(&store, &key, "slack:U1:t1")
                .await
                .ok()
                .flatten(),
            None
        );
    }

    #[tokio::test]
    async fn a_push_folded_in_during_the_release_stays_held() {
        let at = ts("2026-11-30T08:00:00Z");
        let first = Hold::for_push("r", "api", "main", "c1", None, None, at, "weekend", at);
        let key = first.key();
        let store = MemoryHoldStore::with([first]);

        /// Folds a newer push into the hold while the pipeline is being started.
        struct PushDuringStart<'a>(&'a MemoryHoldStore);
        impl PipelineStarter for PushDuringStart<'_> {
            async fn start(&self, _request: &StartRequest) -> Result<String, SourceError> {
                let at = "2026-11-30T08:00:01Z"
                    .parse()
                    .unwrap_or(Timestamp::UNIX_EPOCH);
                let newer = Hold::for_push("r", "api", "main", "c2", None, None, at, "weekend", at);
                self.0
                    .put_newest(newer)
                    .await
                    .map_err(|e| SourceError::new(e.to_string()))?;
                Ok("exec-c1".to_owned())
            }
        }

        let outcome = release_hold(&store, &PushDuringStart(&store), &key, "tick-1", at).await;
        assert!(
            matches!(&outcome, Ok(ReleaseOutcome::Released { hold, .. }) if hold.commit_id == "c1"),
            "{outcome:?}"
        );
        let kept = store.get(&key).await.ok().flatten();
        assert_eq!(
            kept.map(|h| (h.commit_id, h.claimed_by)),
            Some(("c2".to_owned(), None)),
            "the newer push waits, unclaimed, for the next release"
        );
    }
}
