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
//! undoes the claim and tells the clicker to try again.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::approval::ApprovalStatus;
use crate::config::ApprovalsConfig;
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

/// The click workflow: configuration, the signing secret and the three ports.
pub struct Clicks<C, S, D> {
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
    /// Limit of each call, so that Slack gets its answer within 3 s.
    pub call_timeout: Duration,
}

async fn within<T, E: std::fmt::Display>(
    limit: Duration,
    call: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(limit, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {} ms", limit.as_millis())),
    }
}

/// One log line for a refused request: the status and which check failed (the caller
/// only gets [`crate::decide::INVALID_REQUEST`]).
fn log_http_error(outcome: &Outcome) {
    if let Outcome::HttpError { status, reason } = outcome {
        tracing::warn!(
            decision = LogDecision::HttpError.as_str(),
            status,
            reason = %reason,
            "request refused"
        );
    }
}

impl<C, S, D> Clicks<C, S, D>
where
    C: ApprovalResults + Sync,
    S: SlackApi + Sync,
    D: ApprovalStore + Sync,
{
    /// Verifies, decides and acts on one request at Unix time `now`; the reply is what
    /// Slack gets (401 not Slack's, 400 malformed, 200 otherwise).
    pub async fn handle(&self, request: &HttpRequest<'_>, now: i64) -> HttpReply {
        let interaction = match verify_and_parse(request, &self.secret, now) {
            Ok(interaction) => interaction,
            Err(outcome) => {
                log_http_error(&outcome);
                return outcome.http_reply();
            }
        };
        let resolved = self.resolve(&interaction).await;
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
        self.act(&outcome, now).await;
        outcome.http_reply()
    }

    /// The user's approver groups and the commit author's Slack id, when the decision
    /// needs them. Failures are logged; a failed author look-up is reported, so that a
    /// pipeline forbidding self-approval refuses rather than guesses.
    async fn resolve(&self, interaction: &Interaction) -> Resolved {
        let mut resolved = Resolved::default();
        let Some(needed) = facts_to_resolve(&self.config, interaction) else {
            return resolved;
        };
        for group in &needed.approver_groups {
            match within(self.call_timeout, self.slack.group_members(group)).await {
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
            let stored =
                match within(self.call_timeout, self.store.get(&approval.store_key())).await {
                    Ok(stored) => stored,
                    Err(error) => {
                        tracing::warn!(error = %error, "approval record not read");
                        resolved.author_lookup_failed = true;
                        None
                    }
                };
            if let Some(email) = stored.and_then(|m| m.author_email) {
                match within(self.call_timeout, self.slack.user_id_by_email(&email)).await {
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

    async fn act(&self, outcome: &Outcome, now: i64) {
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
                    self.respond(url, &refusal.ephemeral_body).await;
                }
            }
            Outcome::OpenReasonModal(modal) => {
                let a = &modal.approval;
                match within(
                    self.call_timeout,
                    self.slack.open_view(&modal.views_open_body),
                )
                .await
                {
                    Ok(()) => {
                        tracing::info!(decision = LogDecision::ReasonModalOpened.as_str(), user_id = %modal.user.id, pipeline = %a.pipeline, stage = %a.stage, action = %a.action, token_hash = hash_prefix(&token_hash(&a.token)), "reject reason modal opened")
                    }
                    Err(error) => {
                        tracing::error!(decision = LogDecision::ReasonModalNotOpened.as_str(), user_id = %modal.user.id, error = %error, "reject reason modal not opened");
                        if let Some(url) = &modal.response_url {
                            self.respond(url, &ephemeral(MODAL_NOT_OPENED)).await;
                        }
                    }
                }
            }
            Outcome::Approve(verdict) | Outcome::Reject(verdict) => {
                self.decide(verdict, now).await;
            }
        }
    }

    async fn respond(&self, url: &str, body: &Value) {
        if let Err(error) = within(self.call_timeout, self.slack.respond(url, body)).await {
            tracing::error!(error = %error, "response_url post failed");
        }
    }

    /// Replaces the message: through the `response_url`, else `chat.update`.
    async fn replace_message(&self, verdict: &Verdict, body: &Value) {
        if let Some(url) = &verdict.response_url {
            self.respond(url, body).await;
        } else if let (Some(channel), Some(ts)) = (&verdict.channel_id, &verdict.message_ts) {
            let at = PostedMessage {
                channel: channel.clone(),
                ts: ts.clone(),
            };
            if let Err(error) =
                within(self.call_timeout, self.slack.update_message(&at, body)).await
            {
                tracing::error!(error = %error, "chat.update failed");
            }
        }
    }

    async fn tell_clicker(&self, verdict: &Verdict, text: &str) {
        if let Some(url) = &verdict.response_url {
            self.respond(url, &ephemeral(text)).await;
        }
    }

    /// After the reject-reason modal Slack sends no message blocks: rebuild the
    /// replacement from the blocks stored when the message was posted, so that the
    /// channel keeps the approval's details.
    async fn with_stored_blocks(&self, verdict: &Verdict) -> Option<Verdict> {
        if !verdict.original_blocks.is_empty() {
            return None;
        }
        let hash = token_hash(&verdict.approval.token);
        let stored = match within(
            self.call_timeout,
            self.store.get(&verdict.approval.store_key()),
        )
        .await
        {
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

    /// Claim, put, release on failure, replace.
    async fn decide(&self, verdict: &Verdict, now: i64) {
        let restored = self.with_stored_blocks(verdict).await;
        let verdict = restored.as_ref().unwrap_or(verdict);
        let approval = &verdict.approval;
        let hash = token_hash(&approval.token);
        let key = approval.store_key();
        let user = &verdict.decided_by.id;
        let claim = ClaimRequest {
            key: &key,
            user_id: user,
            decision: verdict.status.as_str(),
            at: now,
            expires_at: now + KEEP_AFTER_EXPIRY_SECS,
        };
        let claimed = match within(self.call_timeout, self.store.claim(&claim)).await {
            Ok(Claim::Claimed) => true,
            Ok(Claim::AlreadyOver) => {
                tracing::info!(decision = LogDecision::AlreadyDecided.as_str(), user_id = %user, pipeline = %approval.pipeline, stage = %approval.stage, action = %approval.action, token_hash = hash_prefix(&hash), "approval already decided or ended; nothing sent to CodePipeline");
                self.tell_clicker(verdict, EndedReason::AlreadyDecided.text())
                    .await;
                return;
            }
            Err(error) => {
                // CodePipeline still refuses a second decision; only the guard is lost.
                tracing::warn!(token_hash = hash_prefix(&hash), error = %error, "approval store unavailable; deciding without the double-click guard");
                false
            }
        };
        let result = tokio::time::timeout(
            self.call_timeout,
            self.codepipeline
                .put_result(approval, verdict.status, &verdict.summary),
        )
        .await
        .unwrap_or_else(|_| {
            Err(PutResultError::Unknown(format!(
                "no answer within {} ms",
                self.call_timeout.as_millis()
            )))
        });
        if result.is_err()
            && claimed
            && let Err(error) = within(self.call_timeout, self.store.release(&key, user)).await
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
                self.replace_message(verdict, &verdict.update_body).await;
                return;
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
                self.tell_clicker(verdict, text).await;
                return;
            }
        };
        tracing::info!(decision = LogDecision::EndedElsewhere.as_str(), reason = ?ended, user_id = %user, pipeline = %approval.pipeline, stage = %approval.stage, action = %approval.action, token_hash = hash_prefix(&hash), "approval had already ended; nothing was changed");
        self.replace_message(verdict, &verdict.ended_elsewhere_update(ended))
            .await;
    }
}
