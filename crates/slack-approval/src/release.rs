//! The "Release now" click on a held push's announcement ([`crate::held`]): verify,
//! authorize, release, replace the message.
//!
//! The request is verified as every click is ([`verify_and_parse`]: signature, ±300 s,
//! 401 [`crate::decide::INVALID_REQUEST`] otherwise). Only the pipeline's approvers may
//! release ([`authorize_release`]: its `approvers`, or members of its `approver_groups`,
//! within the allowed workspace and app); anyone else gets an ephemeral refusal and
//! nothing changes. An approver's click releases the hold through the [`HoldReleases`]
//! port (claim, start at the held commit, delete: `pipeline_routing::release_hold` in
//! Lambda), with the claim token `slack:{user}:{trigger_id}`, and the message is
//! replaced: "Released by …", or "already released" when the hold is gone or another
//! releaser holds it.
//!
//! Slack's 3 seconds: the look-ups and the release share the request's [`Budget`]. The
//! release is started only with [`Limits::put_reserve`] left; what does not fit (or does
//! not answer in time) continues from the queue ([`Continuation`], [`Resume::Start`]):
//! the continuation verifies the request again and releases with the same claim token,
//! so a claim the first attempt took is its own, and the start is idempotent (its
//! `clientRequestToken` is the hold's release token). A first attempt cut off after the
//! release was recorded is answered by the continuation as that release ("Released by
//! …"), not "already released": the port tells a retry of the same claim token.

use std::future::Future;
use std::sync::Arc;

use pipeline_schedules::HoldKey;
use serde_json::Value;

use crate::authorize::{Approver, Decision, authorize_release};
use crate::clicks::log_http_error;
use crate::config::ApprovalsConfig;
use crate::continuation::{Budget, Continuation, Continuations, Limits, Resume, WORKING, within};
use crate::decide::{HttpReply, Outcome, ResponseUrlPolicy, verify_and_parse};
use crate::held::{
    ALREADY_RELEASED, RELEASE_ACTION_ID, RELEASED_ELSEWHERE, already_released_update,
    released_update,
};
use crate::interaction::{BlockActions, Interaction};
use crate::log::LogDecision;
use crate::message::ephemeral;
use crate::ports::{PostedMessage, SlackApi};
use crate::timestamp::Timestamp;
use crate::verify::{HttpRequest, SigningSecret};

/// What releasing a hold did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HoldReleased {
    /// The pipeline was started at the held commit and the hold deleted.
    Released {
        /// The commit started.
        commit_id: String,
        /// The execution id.
        execution_id: String,
    },
    /// There is no such hold (released already, or never written).
    Missing,
    /// Another releaser (the scheduler, another click) holds the claim.
    ClaimedElsewhere,
}

/// A release that failed: the hold stays, and can be released again.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("hold not released: {0}")]
pub struct ReleaseFailed(pub String);

/// Releases holds: claim, start at the held commit, record the release (the hold store
/// and CodePipeline in Lambda, through `pipeline_routing::release_hold`).
pub trait HoldReleases {
    /// Releases the hold of `key` for `claim_token`; the same token may retry. A retry
    /// after the release finished (the answer was cut off) answers
    /// [`HoldReleased::Released`] as the release was, and starts nothing;
    /// [`HoldReleased::Missing`] is for a hold another claim released, or none.
    fn release(
        &self,
        key: &HoldKey,
        claim_token: &str,
    ) -> impl Future<Output = Result<HoldReleased, ReleaseFailed>> + Send;
}

/// The text for the clicker when the release failed.
pub const RELEASE_FAILED: &str = ":warning: The hold could not be released just now; it is still held and will be released when the freeze ends. Try again in a moment.";

/// The text for a button that names no hold.
pub const NOT_A_HOLD: &str =
    ":grey_question: This button names no held push, so nothing was changed.";

/// The "Release now" workflow: configuration, the signing secret and its ports.
pub struct ReleaseClicks<S, R, L> {
    /// The approvals file: who may release which pipeline's holds.
    pub config: Arc<ApprovalsConfig>,
    /// Verifies requests.
    pub secret: SigningSecret,
    /// Slack (group members, the message).
    pub slack: S,
    /// Releases holds.
    pub releases: R,
    /// Which `response_url`s may be posted to.
    pub urls: ResponseUrlPolicy,
    /// Where work that cannot finish within the request goes.
    pub later: L,
    /// The request's budget and the limit of each call.
    pub limits: Limits,
}

/// Whether an interaction is a "Release now" click.
pub fn is_release_click(interaction: &Interaction) -> bool {
    matches!(interaction, Interaction::BlockActions(a) if a.action_id == RELEASE_ACTION_ID)
}

/// The claim token of a click: `slack:{user}:{trigger_id}` (the message's `ts` when the
/// payload has no `trigger_id`).
pub fn claim_token(click: &BlockActions) -> String {
    let click_id = click
        .trigger_id
        .as_deref()
        .or(click.message_ts.as_deref())
        .unwrap_or("click");
    format!("slack:{}:{click_id}", click.user.id)
}

/// The click, when a request is a "Release now" click, or why the request was refused.
enum Parsed {
    Release(Box<BlockActions>),
    Refused(Outcome),
    NotOurs,
}

fn parse(request: &HttpRequest<'_>, secret: &SigningSecret, now: i64) -> Parsed {
    match verify_and_parse(request, secret, now) {
        Ok(Interaction::BlockActions(click)) if click.action_id == RELEASE_ACTION_ID => {
            Parsed::Release(Box::new(click))
        }
        Ok(_) => Parsed::NotOurs,
        Err(outcome) => Parsed::Refused(outcome),
    }
}

impl<S, R, L> ReleaseClicks<S, R, L>
where
    S: SlackApi + Sync,
    R: HoldReleases + Sync,
    L: Continuations + Sync,
{
    /// Handles `request` at Unix time `now` when it is a "Release now" click, or one that
    /// is not Slack's (401 / 400, logged); `None` for any other verified interaction
    /// (the approval clicks: [`crate::Clicks`]).
    pub async fn handle(&self, request: &HttpRequest<'_>, now: i64) -> Option<HttpReply> {
        let budget = Budget::starting_now(&self.limits);
        let click = match parse(request, &self.secret, now) {
            Parsed::Release(click) => click,
            Parsed::NotOurs => return None,
            Parsed::Refused(outcome) => {
                log_http_error(&outcome);
                return Some(outcome.http_reply());
            }
        };
        if self.run(&click, now, &budget).await {
            return Some(HttpReply::ok());
        }
        let continuation = Continuation::of(request, now, Resume::Start);
        let queue = Budget::unlimited(self.limits.call);
        match within(&queue, self.later.enqueue(&continuation)).await {
            Ok(()) => {
                tracing::info!(decision = LogDecision::Continued.as_str(), user_id = %click.user.id, "release not done within the budget; continues from the queue");
            }
            Err(error) => {
                tracing::error!(decision = LogDecision::NotContinued.as_str(), user_id = %click.user.id, error = %error, "release not done within the budget, and not queued");
            }
        }
        Some(HttpReply::json(
            200,
            &serde_json::json!({"response_type": "ephemeral", "replace_original": false, "text": WORKING}),
        ))
    }

    /// Whether `continuation` is a "Release now" click (then [`ReleaseClicks::resume`]
    /// finishes it).
    pub fn resumes(&self, continuation: &Continuation) -> bool {
        let headers = continuation.header_pairs();
        let request = continuation.request(&headers);
        matches!(
            parse(&request, &self.secret, continuation.received_at),
            Parsed::Release(_)
        )
    }

    /// Finishes a release queued by [`ReleaseClicks::handle`]: verifies the request again
    /// at the time it arrived, then authorizes and releases without the request's
    /// deadline.
    pub async fn resume(&self, continuation: &Continuation) {
        let headers = continuation.header_pairs();
        let request = continuation.request(&headers);
        let now = continuation.received_at;
        match parse(&request, &self.secret, now) {
            Parsed::Release(click) => {
                let budget = Budget::unlimited(self.limits.continuation_call);
                let _ = self.run(&click, now, &budget).await;
            }
            Parsed::Refused(Outcome::HttpError { status, reason }) => {
                tracing::warn!(decision = LogDecision::HttpError.as_str(), status, reason = %reason, "continuation refused");
            }
            Parsed::Refused(_) | Parsed::NotOurs => {
                tracing::warn!("continuation is not a release click; nothing done");
            }
        }
    }

    /// Authorizes and releases; `false` when the budget ran out before the release was
    /// decided (the caller queues the click).
    async fn run(&self, click: &BlockActions, now: i64, budget: &Budget) -> bool {
        let user = &click.user.id;
        let response_url = self
            .urls
            .allows(&click.response_url)
            .then_some(click.response_url.as_str());
        let Some(key) = click.value.as_deref().and_then(HoldKey::from_button_value) else {
            tracing::info!(decision = LogDecision::Acknowledged.as_str(), user_id = %user, "release button without a hold key; nothing done");
            self.tell(response_url, NOT_A_HOLD, budget).await;
            return true;
        };
        let groups = self.groups_of(&key.pipeline, user, budget).await;
        let who = Approver {
            user_id: user,
            team_id: click.team_id.as_deref(),
            user_team_id: click.user.team_id.as_deref(),
            app_id: Some(click.api_app_id.as_str()),
            group_ids: &groups,
        };
        let decision = authorize_release(&self.config, &key.pipeline, &who);
        // Look-ups cut short by the deadline may have changed the decision.
        if budget.spent() {
            return false;
        }
        if let Decision::Denied { reason } = decision {
            tracing::info!(decision = LogDecision::Refused.as_str(), user_id = %user, pipeline = %key.pipeline, branch = %key.branch, reason = reason.code(), "user may not release the hold; nothing changed");
            self.tell(response_url, &reason.to_string(), budget).await;
            return true;
        }
        if !budget.has(self.limits.put_reserve) {
            return false;
        }
        let token = claim_token(click);
        // The whole release (claim, start, delete) within what is left: a release cut
        // short is finished by the continuation, with the same claim token.
        let limit = budget.left().min(self.limits.continuation_call);
        let result = match tokio::time::timeout(limit, self.releases.release(&key, &token)).await {
            Ok(result) => result,
            Err(_) => return false,
        };
        let at = Timestamp::from_unix(now);
        let body = match result {
            Ok(HoldReleased::Released {
                commit_id,
                execution_id,
            }) => {
                tracing::info!(decision = LogDecision::Released.as_str(), user_id = %user, pipeline = %key.pipeline, branch = %key.branch, commit = %commit_id, execution_id = %execution_id, "hold released from Slack");
                released_update(
                    &click.message_blocks,
                    &key,
                    user,
                    &commit_id,
                    &execution_id,
                    at,
                )
            }
            Ok(gone @ (HoldReleased::Missing | HoldReleased::ClaimedElsewhere)) => {
                let text = if gone == HoldReleased::Missing {
                    ALREADY_RELEASED
                } else {
                    RELEASED_ELSEWHERE
                };
                tracing::info!(decision = LogDecision::AlreadyReleased.as_str(), user_id = %user, pipeline = %key.pipeline, branch = %key.branch, claimed_elsewhere = (gone == HoldReleased::ClaimedElsewhere), "hold already released or being released; nothing started");
                already_released_update(&click.message_blocks, &key, text)
            }
            Err(error) => {
                tracing::error!(decision = LogDecision::ReleaseFailed.as_str(), user_id = %user, pipeline = %key.pipeline, branch = %key.branch, error = %error, "hold not released");
                self.tell(response_url, RELEASE_FAILED, budget).await;
                return true;
            }
        };
        self.replace(click, response_url, &body, budget).await;
        true
    }

    /// The pipeline's approver groups the user is in (only when not listed by id).
    async fn groups_of(&self, pipeline: &str, user: &str, budget: &Budget) -> Vec<String> {
        let Some(settings) = self.config.pipeline(pipeline) else {
            return Vec::new();
        };
        if settings.approvers.iter().any(|u| u == user) {
            return Vec::new();
        }
        for group in &settings.approver_groups {
            match within(budget, self.slack.group_members(group)).await {
                Ok(members) if members.iter().any(|m| m == user) => return vec![group.clone()],
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(group = %group, error = %error, "user group members not resolved")
                }
            }
        }
        Vec::new()
    }

    async fn tell(&self, response_url: Option<&str>, text: &str, budget: &Budget) {
        if let Some(url) = response_url
            && let Err(error) = within(budget, self.slack.respond(url, &ephemeral(text))).await
        {
            tracing::error!(error = %error, "response_url post failed");
        }
    }

    /// Replaces the message: through the `response_url`, else (or when that fails)
    /// `chat.update`.
    async fn replace(
        &self,
        click: &BlockActions,
        response_url: Option<&str>,
        body: &Value,
        budget: &Budget,
    ) {
        if let Some(url) = response_url {
            match within(budget, self.slack.respond(url, body)).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(error = %error, "response_url post failed; trying chat.update")
                }
            }
        }
        if let (Some(channel), Some(ts)) = (&click.channel_id, &click.message_ts) {
            let at = PostedMessage {
                channel: channel.clone(),
                ts: ts.clone(),
            };
            if let Err(error) = within(budget, self.slack.update_message(&at, body)).await {
                tracing::error!(error = %error, "chat.update failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::memory::{MemoryQueue, RecordingSlack};
    use crate::verify::sign;

    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const NOW: i64 = 1_793_699_100;

    /// Releases once per key, recording the calls; `answer` says what the release does.
    struct FakeReleases {
        answer: Result<HoldReleased, ReleaseFailed>,
        delay: Duration,
        calls: Mutex<Vec<(HoldKey, String)>>,
    }

    impl FakeReleases {
        fn answering(answer: Result<HoldReleased, ReleaseFailed>) -> Self {
            Self {
                answer,
                delay: Duration::ZERO,
                calls: Mutex::new(Vec::new()),
            }
        }
        fn calls(&self) -> Vec<(HoldKey, String)> {
            self.calls.lock().unwrap().clone()
        }
    }

    impl HoldReleases for FakeReleases {
        async fn release(
            &self,
            key: &HoldKey,
            claim_token: &str,
        ) -> Result<HoldReleased, ReleaseFailed> {
            self.calls
                .lock()
                .unwrap()
                .push((key.clone(), claim_token.to_owned()));
            tokio::time::sleep(self.delay).await;
            self.answer.clone()
        }
    }

    fn clicks(releases: FakeReleases) -> ReleaseClicks<RecordingSlack, FakeReleases, MemoryQueue> {
        let config = ApprovalsConfig::from_yaml(
            "version: 1\nteam_id: T0ACME\npipelines:\n  - name: api\n    channel: C0API\n    approvers: [U0ALICE]\n    approver_groups: [S0OPS]\n    stage: Production\n",
            "approvals.yaml",
        )
        .unwrap();
        ReleaseClicks {
            config: Arc::new(config),
            secret: SigningSecret::new(SECRET).unwrap(),
            slack: RecordingSlack::with_directory(
                Vec::new(),
                vec![("S0OPS".into(), vec!["U0BOB".into()])],
            ),
            releases,
            urls: ResponseUrlPolicy::SlackOnly,
            later: MemoryQueue::default(),
            limits: Limits::SLACK,
        }
    }

    fn body(action_id: &str, user: &str, value: &str) -> String {
        let payload = json!({
            "type": "block_actions",
            "user": {"id": user, "team_id": "T0ACME"},
            "team": {"id": "T0ACME"},
            "api_app_id": "A0APP",
            "trigger_id": "111.222.abc",
            "response_url": "https://hooks.slack.com/actions/T0ACME/1/x",
            "container": {"channel_id": "C0API", "message_ts": "1.000001"},
            "message": {"ts": "1.000001", "blocks": [{"type": "header"}, {"type": "actions"}]},
            "actions": [{"action_id": action_id, "value": value}],
        });
        form_urlencoded::Serializer::new(String::new())
            .append_pair("payload", &payload.to_string())
            .finish()
    }

    async fn click(
        c: &ReleaseClicks<RecordingSlack, FakeReleases, MemoryQueue>,
        body: &str,
        signature: Option<&str>,
    ) -> Option<HttpReply> {
        let ts = NOW.to_string();
        let signed = sign(&c.secret, &ts, body.as_bytes());
        let headers = [
            ("x-slack-request-timestamp", ts.as_str()),
            ("x-slack-signature", signature.unwrap_or(&signed)),
        ];
        let request = HttpRequest {
            headers: &headers,
            body,
            is_base64_encoded: false,
        };
        c.handle(&request, NOW).await
    }

    fn released() -> Result<HoldReleased, ReleaseFailed> {
        Ok(HoldReleased::Released {
            commit_id: "e3b1f6a2c9d8".into(),
            execution_id: "exec-1".into(),
        })
    }

    #[tokio::test]
    async fn an_approver_releases_and_the_message_says_who_and_which_execution() {
        let c = clicks(FakeReleases::answering(released()));
        let reply = click(&c, &body(RELEASE_ACTION_ID, "U0ALICE", "api#main"), None)
            .await
            .unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(
            c.releases.calls(),
            [(
                HoldKey::new("api", "main"),
                "slack:U0ALICE:111.222.abc".to_owned()
            )]
        );
        let calls = c.slack.calls();
        let update = &calls.last().unwrap().body;
        assert_eq!(update["replace_original"], true);
        let text = update["blocks"].to_string();
        assert!(
            text.contains("Released* by <@U0ALICE> at `e3b1f6a` (execution `exec-1`)"),
            "{text}"
        );
        assert!(!text.contains("actions"), "the button is gone: {text}");
    }

    #[tokio::test]
    async fn a_group_member_may_release_but_a_stranger_is_refused_and_nothing_is_released() {
        let c = clicks(FakeReleases::answering(released()));
        click(&c, &body(RELEASE_ACTION_ID, "U0BOB", "api#main"), None).await;
        assert_eq!(c.releases.calls().len(), 1);

        let c = clicks(FakeReleases::answering(released()));
        let reply = click(&c, &body(RELEASE_ACTION_ID, "U0MALLORY", "api#main"), None)
            .await
            .unwrap();
        assert_eq!(reply.status, 200);
        assert!(c.releases.calls().is_empty());
        let calls = c.slack.calls();
        let refusal = &calls.last().unwrap().body;
        assert_eq!(refusal["response_type"], "ephemeral");
        assert!(
            refusal["text"]
                .as_str()
                .unwrap()
                .contains("not an approver")
        );
    }

    #[tokio::test]
    async fn a_hold_that_is_gone_or_claimed_elsewhere_says_so() {
        for (answer, text) in [
            (HoldReleased::Missing, ALREADY_RELEASED),
            (HoldReleased::ClaimedElsewhere, RELEASED_ELSEWHERE),
        ] {
            let c = clicks(FakeReleases::answering(Ok(answer)));
            click(&c, &body(RELEASE_ACTION_ID, "U0ALICE", "api#main"), None).await;
            let calls = c.slack.calls();
            let update = &calls.last().unwrap().body;
            assert_eq!(update["replace_original"], true);
            assert!(update["blocks"].to_string().contains(text));
        }
        let c = clicks(FakeReleases::answering(Err(ReleaseFailed("down".into()))));
        click(&c, &body(RELEASE_ACTION_ID, "U0ALICE", "api#main"), None).await;
        let calls = c.slack.calls();
        assert_eq!(calls.last().unwrap().body["text"], RELEASE_FAILED);
    }

    #[tokio::test]
    async fn bad_signatures_get_401_and_other_clicks_are_not_ours() {
        let c = clicks(FakeReleases::answering(released()));
        let reply = click(
            &c,
            &body(RELEASE_ACTION_ID, "U0ALICE", "api#main"),
            Some("v0=00"),
        )
        .await
        .unwrap();
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (401, "invalid request")
        );
        assert!(c.releases.calls().is_empty());
        assert!(c.slack.calls().is_empty());
        let approve = body("codepipeline_approve", "U0ALICE", "x");
        assert_eq!(click(&c, &approve, None).await, None);
    }

    #[tokio::test]
    async fn a_release_slower_than_the_budget_continues_from_the_queue_with_the_same_claim() {
        let mut releases = FakeReleases::answering(released());
        releases.delay = Duration::from_secs(3);
        let c = clicks(releases);
        let reply = click(&c, &body(RELEASE_ACTION_ID, "U0ALICE", "api#main"), None)
            .await
            .unwrap();
        assert!(reply.body.contains("Working on it"), "{reply:?}");
        let queued = c.later.take();
        assert_eq!(queued.len(), 1);
        assert!(c.resumes(&queued[0]));
        c.resume(&queued[0]).await;
        let calls = c.releases.calls();
        assert_eq!(calls.len(), 2);
        assert_eq!(
            calls[0], calls[1],
            "the continuation claims with the same token"
        );
        let slack = c.slack.calls();
        assert!(
            slack.last().unwrap().body["blocks"]
                .to_string()
                .contains("Released")
        );
    }
}
