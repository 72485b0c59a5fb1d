//! [`StoreAndStart`]: the approval-handler's "Release now" ([`slack_approval::HoldReleases`])
//! as `pipeline_routing::release_hold` over a hold store (the scheduler table's
//! [`crate::holds_store::DynamoHoldStore`]) and a pipeline starter
//! ([`crate::codepipeline_runs::CodePipelineRuns`]): claim, start at the held commit
//! with the hold's release token, record the release. A retry with the same claim token
//! after the release was recorded (the click continued from the queue) answers as that
//! release (`pipeline_routing::released_by`); the claim's time is the wall clock's.

use pipeline_routing::{PipelineStarter, ReleaseOutcome, release_hold, released_by};
use pipeline_schedules::jiff::Timestamp;
use pipeline_schedules::{HoldKey, HoldStore};
use slack_approval::{HoldReleased, HoldReleases, ReleaseFailed};

/// A hold store and a starter, releasing holds the way the scheduler does.
#[derive(Clone, Debug)]
pub struct StoreAndStart<H, P> {
    holds: H,
    starter: P,
}

impl<H, P> StoreAndStart<H, P> {
    /// Over a hold store and a pipeline starter.
    pub fn new(holds: H, starter: P) -> Self {
        Self { holds, starter }
    }
}

impl<H, P> HoldReleases for StoreAndStart<H, P>
where
    H: HoldStore + Sync,
    P: PipelineStarter + Sync,
{
    async fn release(
        &self,
        key: &HoldKey,
        claim_token: &str,
    ) -> Result<HoldReleased, ReleaseFailed> {
        let now = Timestamp::now();
        match release_hold(&self.holds, &self.starter, key, claim_token, now).await {
            Ok(ReleaseOutcome::Released {
                hold, execution_id, ..
            }) => Ok(HoldReleased::Released {
                commit_id: hold.commit_id,
                execution_id,
            }),
            Ok(ReleaseOutcome::Missing) => match released_by(&self.holds, key, claim_token).await {
                Ok(Some(hold)) => Ok(HoldReleased::Released {
                    execution_id: hold
                        .released
                        .map(|record| record.execution_id)
                        .unwrap_or_default(),
                    commit_id: hold.commit_id,
                }),
                Ok(None) => Ok(HoldReleased::Missing),
                Err(error) => Err(ReleaseFailed(error.to_string())),
            },
            Ok(ReleaseOutcome::ClaimedElsewhere) => Ok(HoldReleased::ClaimedElsewhere),
            Err(error) => Err(ReleaseFailed(error.to_string())),
        }
    }
}
