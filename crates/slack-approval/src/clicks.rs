//! The handler's workflow for one verified Slack request: resolve what the decision
//! needs, decide ([`decide`](mod@crate::decide)), act through the
//! [`ports`](crate::ports), answer. Every problem after a valid signature ends in a
//! message the user can read in Slack.
//!
//! Acting on a verdict, in order:
//! 1. claim the approval in the store (a conditional write): a second click, or a click
//!    after the approval ended outside Slack, stops here with a note to the clicker;
//! 2. `PutApprovalResult` with the domain's summary;
//! 3. replace the message through the `response_url` (or `chat.update` without one).
//!
//! `ApprovalAlreadyCompletedException`, `InvalidApprovalTokenException` and the
//! `*NotFoundException`s replace the message with what happened; any other failure
//! tells the clicker to try again. Every answer that decided nothing releases the claim.
//!
//! Every call of a request is limited by one deadline ([`Budget`]); what cannot finish in
//! time continues after the 200 through the queue ([`crate::continuation`]), and
//! [`Clicks::resume`] finishes it.

use std::sync::Arc;

use serde_json::Value;

use crate::approval::ApprovalStatus;
use crate::config::ApprovalsConfig;
use crate::continuation::{Budget, Continuation, Continuations, Limits, Resume, WORKING, within};
use crate::decide::{
    HttpReply, Outcome, ResolvedFacts, ResponseUrlPolicy, Verdict, approval_of,
    decide_interaction_with, facts_to_resolve, verify_and_parse,
};
use crate::interaction::Interaction;
use crate::log::LogDecision;
use crate::message::{EndedReason, decided_update, ephemeral};
use crate::ports::{
    ApprovalResults, ApprovalStore, Claim, ClaimRequest, KEEP_AFTER_EXPIRY_SECS, PostedMessage,
    PutResultError, SlackApi, hash_prefix, token_hash,
};
use crate::timestamp::Timestamp;
use crate::verify::{HttpRequest, SigningSecret};

/// The text for the clicker when the decision could not be sent.
pub const TRY_AGAIN: &str = ":warning: CodePipeline could not be reached, so nothing was decided. Try again in a moment, or use the console.";

/// The text for the clicker when the reject-reason form could not be opened.
pub const MODAL_NOT_OPENED: &str = ":warning: The form for the rejection reason could not be opened, so nothing was decided. Click Reject again.";

/// The text for the clicker when CodePipeline did not answer in time.
pub const RESULT_UNKNOWN: &str = ":hourglass: CodePipeline did not answer in time, so it is not known whether your decision was recorded. If it was, this message updates by itself within a minute; if not, try again or use the console.";

/// What was looked up before deciding.
#[derive(Debug, Default)]
struct Resolved {
    /// The approver groups the user is in.
    groups: Vec<String>,
    /// The commit author's Slack id, when found.
    author: Option<String>,
    /// Whether the author look-up failed (not: found no Slack user).
    author_lookup_failed: bool,
}

/// The click workflow: configuration, the signing secret and the four ports.
pub struct Clicks<C, S, D, L> {
    /// The approvals file, loaded once per container.
    pub config: Arc<ApprovalsConfig>,
    /// Verifies requests.
    pub secret: SigningSecret,
    /// CodePipeline.
    pub codepipeline: C,
    /// Slack.
    pub slack: S,
    /// The approval messages' store.
    pub store: D,
    /// Which `response_url`s may be posted to.
    pub urls: ResponseUrlPolicy,
    /// Where work that cannot finish within the request goes.
    pub later: L,
    /// The request's budget and the limit of each call ([`Limits::SLACK`] in Lambda).
    pub limits: Limits,
}

/// How the work of a request ended.
enum Done {
    /// Finished (or ended in a message to the clicker).
    Finished,
    /// Not finished in time: continue from here.
    Later(Resume),
}

/// One log line for a refused request: the status and which check failed (the caller
/// only gets [`crate::decide::INVALID_REQUEST`]).
pub(crate) fn log_http_error(outcome: &Outcome) {
    if let Outcome::HttpError { status, reason } = outcome {
        tracing::warn!(
            decision = LogDecision::HttpError.as_str(),
            status,
            reason = %reason,
            "request refused"
        );
    }
}

impl<C, S, D, L> Clicks<C, S, D, L>
where
    C: ApprovalResults + Sync,
    S: SlackApi + Sync,
    D: ApprovalStore + Sync,
    L: Continuations + Sync,
{
    /// Verifies, decides and acts on one request at Unix time `now`, within the budget
    /// from [`Clicks::limits`]; the reply is what Slack gets (401 not Slack's, 400
    /// malformed, 200 otherwise). What cannot be done in time is queued, and the reply
    /// then says [`WORKING`].
    pub async fn handle(&self, request: &HttpRequest<'_>, now: i64) -> HttpReply {
        let budget = Budget::starting_now(&self.limits);
        let interaction = match verify_and_parse(request, &self.secret, now) {
            Ok(interaction) => interaction,
            Err(outcome) => {
                log_http_error(&outcome);
                return outcome.http_reply();
            }
        };
        let is_click = matches!(interaction, Interaction::BlockActions(_));
        let (outcome, done) = self.run(interaction, now, &budget, Resume::Start).await;
        match done {
            Done::Finished => outcome.http_reply(),
            Done::Later(resume) => {
                let continuation = Continuation::of(request, now, resume);
                // The queue gets what the budget kept back for it, not what is left.
                let queue = Budget::unlimited(self.limits.call);
                match within(&queue, self.later.enqueue(&continuation)).await {
                    Ok(()) => {
                        tracing::info!(decision = LogDecision::Continued.as_str(), resume = ?resume, "not done within the budget; continues from the queue");
                    }
                    Err(error) => {
                        tracing::error!(decision = LogDecision::NotContinued.as_str(), resume = ?resume, error = %error, "not done within the budget, and not queued");
                    }
                }
                working_reply(is_click)
            }
        }
    }

    /// Finishes a continuation queued by [`Clicks::handle`]: verifies the request again
    /// at the time it arrived, then resumes where it stopped, without the request's
    /// deadline (each call limited to [`Limits::continuation_call`]); the message is updated through
    /// the `response_url`.
    pub async fn resume(&self, continuation: &Continuation) {
        let headers = continuation.header_pairs();
        let request = continuation.request(&headers);
        let now = continuation.received_at;
        let interaction = match verify_and_parse(&request, &self.secret, now) {
            Ok(interaction) => interaction,
            Err(outcome) => {
                log_http_error(&outcome);
                return;
            }
        };
        let budget = Budget::unlimited(self.limits.continuation_call);
        // Without a deadline nothing is handed off again.
        let _ = self
            .run(interaction, now, &budget, continuation.resume)
            .await;
    }

    /// Resolves, decides and acts from `resume` on.
    async fn run(
        &self,
        interaction: Interaction,
        now: i64,
        budget: &Budget,
        resume: Resume,
    ) -> (Outcome, Done) {
        let resolved = self.resolve(&interaction, budget).await;
        let facts = ResolvedFacts {
            user_group_ids: &resolved.groups,
            commit_author_slack_id: resolved.author.as_deref(),
            author_lookup_failed: resolved.author_lookup_failed,
        };
        let outcome = decide_interaction_with(
            interaction,
            &self.config,
            &facts,
            Timestamp::from_unix(now),
            self.urls,
        );
        let is_verdict = matches!(outcome, Outcome::Approve(_) | Outcome::Reject(_));
        // Look-ups cut short by the deadline may have changed the decision: decide again
        // later, with all of them.
        if budget.spent() && is_verdict | matches!(outcome, Outcome::RefuseEphemeral(_)) {
            return (outcome, Done::Later(Resume::Start));
        }
        let done = match (&outcome, resume) {
            (Outcome::Approve(verdict) | Outcome::Reject(verdict), _) => {
                self.decide(verdict, now, budget, resume).await
            }
            (_, Resume::Start) => {
                self.act(&outcome, budget).await;
                Done::Finished
            }
            (other, _) => {
                tracing::warn!(outcome = other.kind(), resume = ?resume, "continuation no longer decides; nothing done");
                Done::Finished
            }
        };
        (outcome, done)
    }

    /// The user's approver groups and the commit author's Slack id, when the decision
    /// needs them. Failures are logged; a failed author look-up is reported, so that a
    /// pipeline forbidding self-approval refuses rather than guesses.
    async fn resolve(&self, interaction: &Interaction, budget: &Budget) -> Resolved {
        let mut resolved = Resolved::default();
        let Some(needed) = facts_to_resolve(&self.config, interaction) else {
            return resolved;
        };
        for group in &needed.approver_groups {
            match within(budget, self.slack.group_members(group)).await {
                Ok(members) if members.contains(&needed.user_id) => {
                    // One approver group is enough: no more look-ups against the 3 s.
                    resolved.groups.push(group.clone());
                    break;
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(group = %group, error = %error, "user group members not resolved")
                }
            }
        }
        if needed.commit_id.is_some()
            && let Some((approval, _)) = approval_of(interaction)
        {
            let stored = match within(budget, self.store.get(&approval.store_key())).await {
                Ok(stored) => stored,
                Err(error) => {
                    tracing::warn!(error = %error, "approval record not read");
                    resolved.author_lookup_failed = true;
                    None
                }
            };
            if let Some(email) = stored.and_then(|m| m.author_email) {
                match within(budget, self.slack.user_id_by_email(&email)).await {
                    Ok(author) => resolved.author = author,
                    Err(error) => {
                        tracing::warn!(error = %error, "commit author not mapped to a Slack user");
                        resolved.author_lookup_failed = true;
                    }
                }
            }
        }
        resolved
    }

    /// Acts on an outcome that is not a verdict.
    async fn act(&self, outcome: &Outcome, budget: &Budget) {
        match outcome {
            Outcome::HttpError { .. } => log_http_error(outcome),
            Outcome::Acknowledge { note } => {
                tracing::info!(
                    decision = LogDecision::Acknowledged.as_str(),
                    note,
                    "acknowledged"
                );
            }
            Outcome::RefuseEphemeral(refusal) => {
                tracing::info!(decision = LogDecision::Refused.as_str(), user_id = %refusal.user_id, reason = refusal.reason.code(), "user may not decide; nothing was decided");
                if let Some(url) = &refusal.response_url {
                    self.respond(url, &refusal.ephemeral_body, budget).await;
                }
            }
            Outcome::OpenReasonModal(modal) => {
                let a = &modal.approval;
                match within(budget, self.slack.open_view(&modal.views_open_body)).await {
                    Ok(()) => {
                        tracing::info!(decision = LogDecision::ReasonModalOpened.as_str(), user_id = %modal.user.id, pipeline = %a.pipeline, stage = %a.stage, action = %a.action, token_hash = hash_prefix(&token_hash(&a.token)), "reject reason modal opened")
                    }
                    Err(error) => {
                        tracing::error!(decision = LogDecision::ReasonModalNotOpened.as_str(), user_id = %modal.user.id, error = %error, "reject reason modal not opened");
                        if let Some(url) = &modal.response_url {
                            self.respond(url, &ephemeral(MODAL_NOT_OPENED), budget)
                                .await;
                        }
                    }
                }
            }
            Outcome::Approve(_) | Outcome::Reject(_) => {}
        }
    }

    async fn respond(&self, url: &str, body: &Value, budget: &Budget) {
        if let Err(error) = within(budget, self.slack.respond(url, body)).await {
            tracing::error!(error = %error, "response_url post failed");
        }
    }

    /// Replaces the message: through the `response_url`, else `chat.update`.
    async fn replace_message(&self, verdict: &Verdict, body: &Value, budget: &Budget) {
        if let Some(url) = &verdict.response_url {
            self.respond(url, body, budget).await;
        } else if let (Some(channel), Some(ts)) = (&verdict.channel_id, &verdict.message_ts) {
            let at = PostedMessage {
                channel: channel.clone(),
                ts: ts.clone(),
            };
            if let Err(error) = within(budget, self.slack.update_message(&at, body)).await {
                tracing::error!(error = %error, "chat.update failed");
            }
        }
    }

    async fn tell_clicker(&self, verdict: &Verdict, text: &str, budget: &Budget) {
        if let Some(url) = &verdict.response_url {
            self.respond(url, &ephemeral(text), budget).await;
        }
    }

    /// After the reject-reason modal Slack sends no message blocks: rebuild the
    /// replacement from the blocks stored when the message was posted, so that the
    /// channel keeps the approval's details.
    async fn with_stored_blocks(&self, verdict: &Verdict, budget: &Budget) -> Option<Verdict> {
        if !verdict.original_blocks.is_empty() {
            return None;
        }
        let hash = token_hash(&verdict.approval.token);
        let stored = match within(budget, self.store.get(&verdict.approval.store_key())).await {
            Ok(stored) => stored?,
            Err(error) => {
                tracing::warn!(token_hash = hash_prefix(&hash), error = %error, "approval record not read; the message is replaced without its details");
                return None;
            }
        };
        let mut restored = verdict.clone();
        restored.update_body = decided_update(
            &verdict.approval,
            &stored.blocks,
            verdict.status,
            &verdict.decided_by,
            verdict.decided_at,
            verdict.reason.as_deref(),
        );
        restored.original_blocks = stored.blocks;
        Some(restored)
    }

    /// Claim, put, release when nothing was decided, replace, from `resume` on; what
    /// the budget cannot cover is handed back as [`Done::Later`].
    async fn decide(&self, verdict: &Verdict, now: i64, budget: &Budget, resume: Resume) -> Done {
        let restored = self.with_stored_blocks(verdict, budget).await;
        let verdict = restored.as_ref().unwrap_or(verdict);
        let approval = &verdict.approval;
        let hash = token_hash(&approval.token);
        let key = approval.store_key();
        let user = &verdict.decided_by.id;
        let claimed = match resume {
            Resume::Replace => {
                self.replace_message(verdict, &verdict.update_body, budget)
                    .await;
                return Done::Finished;
            }
            Resume::Put { claimed } => claimed,
            Resume::Start => {
                // Claim only with time left to send the decision after it.
                if !budget.has(self.limits.put_reserve) {
                    return Done::Later(Resume::Start);
                }
                let claim = ClaimRequest {
                    key: &key,
                    user_id: user,
                    decision: verdict.status.as_str(),
                    at: now,
                    expires_at: now + KEEP_AFTER_EXPIRY_SECS,
                };
                match within(budget, self.store.claim(&claim)).await {
                    Ok(Claim::Claimed) => true,
                    Ok(Claim::AlreadyOver) => {
                        tracing::info!(decision = LogDecision::AlreadyDecided.as_str(), user_id = %user, pipeline = %approval.pipeline, stage = %approval.stage, action = %approval.action, token_hash = hash_prefix(&hash), "approval already decided or ended; nothing sent to CodePipeline");
                        self.tell_clicker(verdict, EndedReason::AlreadyDecided.text(), budget)
                            .await;
                        return Done::Finished;
                    }
                    Err(error) => {
                        // CodePipeline still refuses a second decision; only the guard is lost.
                        tracing::warn!(token_hash = hash_prefix(&hash), error = %error, "approval store unavailable; deciding without the double-click guard");
                        false
                    }
                }
            }
        };
        // PutApprovalResult is started only with its reserve left, never cut short.
        if !budget.has(self.limits.put_reserve) {
            return Done::Later(Resume::Put { claimed });
        }
        let limit = budget.call_limit();
        let result = tokio::time::timeout(
            limit,
            self.codepipeline
                .put_result(approval, verdict.status, &verdict.summary),
        )
        .await
        .unwrap_or_else(|_| {
            Err(PutResultError::Unknown(format!(
                "no answer within {} ms",
                limit.as_millis()
            )))
        });
        if result.is_err()
            && claimed
            && let Err(error) = within(budget, self.store.release(&key, user)).await
        {
            // Every answer that decided nothing releases the claim, so that a click naming
            // the wrong approval never locks the right one's approvers out.
            tracing::error!(token_hash = hash_prefix(&hash), error = %error, "claim not released; the approval can still be decided in the console");
        }
        let ended = match result {
            Ok(()) => {
                let decision = match verdict.status {
                    ApprovalStatus::Approved => LogDecision::Approved,
                    ApprovalStatus::Rejected => LogDecision::Rejected,
                };
                tracing::info!(decision = decision.as_str(), user_id = %user, pipeline = %approval.pipeline, stage = %approval.stage, action = %approval.action, token_hash = hash_prefix(&hash), with_reason = verdict.reason.is_some(), "approval decided from Slack");
                if !budget.has(self.limits.respond_reserve) {
                    return Done::Later(Resume::Replace);
                }
                self.replace_message(verdict, &verdict.update_body, budget)
                    .await;
                return Done::Finished;
            }
            Err(PutResultError::AlreadyCompleted) => EndedReason::AlreadyDecided,
            Err(PutResultError::InvalidToken) => EndedReason::Expired,
            Err(PutResultError::NotFound(_)) => EndedReason::NotFound,
            Err(error @ (PutResultError::Unknown(_) | PutResultError::Other(_))) => {
                // Unknown: the request may have been recorded. Either way the claim was
                // released, so that the approval-ended event (if it was recorded) closes
                // the message, and a retry is possible (if it was not).
                let (decision, text) = match error {
                    PutResultError::Unknown(_) => (LogDecision::ResultUnknown, RESULT_UNKNOWN),
                    _ => (LogDecision::PutFailed, TRY_AGAIN),
                };
                tracing::error!(decision = decision.as_str(), user_id = %user, pipeline = %approval.pipeline, stage = %approval.stage, action = %approval.action, token_hash = hash_prefix(&hash), error = %error, "PutApprovalResult did not confirm the decision");
                self.tell_clicker(verdict, text, budget).await;
                return Done::Finished;
            }
        };
        tracing::info!(decision = LogDecision::EndedElsewhere.as_str(), reason = ?ended, user_id = %user, pipeline = %approval.pipeline, stage = %approval.stage, action = %approval.action, token_hash = hash_prefix(&hash), "approval had already ended; nothing was changed");
        self.replace_message(verdict, &verdict.ended_elsewhere_update(ended), budget)
            .await;
        Done::Finished
    }
}

/// The 200 for a request whose work continues from the queue: for a click, [`WORKING`]
/// (Slack shows the clicker nothing of it; the message updates through the
/// `response_url`); for a modal, an empty 200 that closes it.
fn working_reply(is_click: bool) -> HttpReply {
    if is_click {
        HttpReply::json(
            200,
            &serde_json::json!({"response_type": "ephemeral", "replace_original": false, "text": WORKING}),
        )
    } else {
        HttpReply::ok()
    }
}
