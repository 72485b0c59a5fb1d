//! One decision per Slack request: what the `approval-handler` must do and answer.
//!
//! The handler stays thin:
//!
//! ```text
//! let interaction = match verify_and_parse(&request, &secret, now) {
//!     Ok(interaction) => interaction,
//!     Err(outcome) => return reply(outcome.http_reply()),      // 401 / 400
//! };
//! // Slack API look-ups (usergroups.users.list, users.lookupByEmail), only when needed:
//! let (groups, author): (Vec<String>, Option<String>) = match facts_to_resolve(&config, &interaction) {
//!     Some(needed) => resolve(needed).await,
//!     None => (Vec::new(), None),
//! };
//! let facts = ResolvedFacts { user_group_ids: &groups, commit_author_slack_id: author.as_deref(), author_lookup_failed: false };
//! let outcome = decide_interaction(interaction, &config, &facts, Timestamp::from_unix(now));
//! match &outcome {
//!     Outcome::Approve(v) | Outcome::Reject(v) => {
//!         // PutApprovalResult(v.approval, v.status, v.summary), then post v.update_body
//!         // to v.response_url; on ApprovalAlreadyCompleted / InvalidApprovalToken /
//!         // *NotFound post v.ended_elsewhere_update(..) and an ephemeral note instead.
//!     }
//!     Outcome::OpenReasonModal(m) => { /* views.open with m.views_open_body */ }
//!     Outcome::RefuseEphemeral(r) => { /* post r.ephemeral_body to r.response_url */ }
//!     Outcome::HttpError { .. } | Outcome::Acknowledge { .. } => {}
//! }
//! reply(outcome.http_reply())
//! ```
//!
//! [`decide`] does all three steps in one call when the facts are known up front.
//!
//! HTTP statuses: a request that is not provably Slack's (any signature, header or
//! timestamp problem) gets 401; a body that cannot be decoded (bad base64) or a payload
//! that is malformed after a valid signature gets 400; everything else gets 200, because
//! Slack shows any other status to the user as an error. A user who may not decide gets
//! 200 and an ephemeral message (or, in the modal, an error under the reason field), and
//! nothing is approved. The payload's `token` field is never read.

use serde_json::{Value, json};

use crate::approval::{ApprovalRef, ApprovalStatus};
use crate::authorize::{Approver, Decision, DenyReason, authorize};
use crate::config::ApprovalsConfig;
use crate::interaction::{BlockActions, Interaction, SlackUser, ViewSubmission, parse_interaction};
use crate::message::{
    APPROVE_ACTION_ID, EndedReason, ModalMetadata, REASON_BLOCK_ID, REASON_CALLBACK_ID,
    REJECT_ACTION_ID, decided_update, ended_elsewhere_update, ephemeral, reason_modal,
};
use crate::summary::approval_summary;
use crate::timestamp::Timestamp;
use crate::verify::{HttpRequest, SigningSecret, VerifyError, verify_request};

/// What to answer Slack's HTTP request with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpReply {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` of `body`.
    pub content_type: &'static str,
    /// Response body (empty for a plain acknowledgement).
    pub body: String,
}

const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";

impl HttpReply {
    /// `200` with an empty body: Slack's acknowledgement (closes a modal).
    pub fn ok() -> Self {
        Self {
            status: 200,
            content_type: TEXT,
            body: String::new(),
        }
    }

    /// `status` with a JSON body.
    pub fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            content_type: JSON,
            body: body.to_string(),
        }
    }
}

/// Facts the handler looked up for the decision (empty by default).
#[derive(Clone, Copy, Debug, Default)]
pub struct ResolvedFacts<'a> {
    /// Which of the pipeline's approver groups the user is a member of.
    pub user_group_ids: &'a [String],
    /// Slack id of the author of the commit being approved, when it could be mapped.
    pub commit_author_slack_id: Option<&'a str>,
    /// Whether looking up the author failed (as opposed to finding no Slack user): where
    /// the pipeline forbids self-approval, the decision is then refused.
    pub author_lookup_failed: bool,
}

/// The look-ups [`decide_interaction`] can use, as told by [`facts_to_resolve`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactsToResolve {
    /// The user to look up.
    pub user_id: String,
    /// The pipeline's approver groups: resolve which of them the user is a member of.
    /// Empty when the user is a listed approver or the pipeline has no groups.
    pub approver_groups: Vec<String>,
    /// The commit whose author to map to a Slack user: set when the pipeline forbids
    /// self-approval and the message did not already carry the author.
    pub commit_id: Option<String>,
}

/// The user was refused: nothing is decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Why, as a code and in words.
    pub reason: DenyReason,
    /// The text shown to the user.
    pub text: String,
    /// Who was refused.
    pub user_id: String,
    /// Where to post [`Refusal::ephemeral_body`] (button clicks only; in the modal the
    /// text is shown under the reason field through the HTTP reply).
    pub response_url: Option<String>,
    /// The ephemeral `response_url` body.
    pub ephemeral_body: Value,
    /// The HTTP reply.
    pub reply: HttpReply,
}

/// Reject was clicked by an allowed user: ask for a reason.
#[derive(Clone, Debug, PartialEq)]
pub struct ReasonModal {
    /// The approval to be rejected.
    pub approval: ApprovalRef,
    /// Who clicked.
    pub user: SlackUser,
    /// The `views.open` body (its `trigger_id` expires 3 s after the click).
    pub views_open_body: Value,
    /// Where to tell the clicker if the modal cannot be opened.
    pub response_url: Option<String>,
}

/// An allowed user decided: call `PutApprovalResult`, then update the message.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The approval.
    pub approval: ApprovalRef,
    /// Approved or rejected.
    pub status: ApprovalStatus,
    /// The `PutApprovalResult` summary (at most 512 characters).
    pub summary: String,
    /// Who decided.
    pub decided_by: SlackUser,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// When (the `now` given to the decision).
    pub decided_at: Timestamp,
    /// Where to post [`Verdict::update_body`].
    pub response_url: Option<String>,
    /// The message's channel, for `chat.update` when the `response_url` has expired.
    pub channel_id: Option<String>,
    /// The message's `ts`.
    pub message_ts: Option<String>,
    /// The message's blocks as Slack sent them (empty after the modal).
    pub original_blocks: Vec<Value>,
    /// The replacement message: buttons gone, who decided and when.
    pub update_body: Value,
    /// The HTTP reply.
    pub reply: HttpReply,
}

impl Verdict {
    /// The replacement message for when `PutApprovalResult` says the approval had ended.
    pub fn ended_elsewhere_update(&self, reason: EndedReason) -> Value {
        ended_elsewhere_update(&self.approval, &self.original_blocks, reason)
    }
}

/// What the handler must do for one request.
#[must_use]
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Answer `status` (401 or 400) with [`INVALID_REQUEST`] and do nothing else; the
    /// reason goes to the log only, so that no caller learns which check failed.
    HttpError {
        /// 401 when the request is not provably Slack's, 400 when it is malformed.
        status: u16,
        /// Which check failed, for the log (no secrets, no payload).
        reason: String,
    },
    /// Answer 200 and do nothing: not an interaction of the approval flow.
    Acknowledge {
        /// Why nothing is done, for the log.
        note: &'static str,
    },
    /// The user may not decide; tell them, decide nothing.
    RefuseEphemeral(Box<Refusal>),
    /// Open the reject-reason modal.
    OpenReasonModal(Box<ReasonModal>),
    /// Approve.
    Approve(Box<Verdict>),
    /// Reject.
    Reject(Box<Verdict>),
}

impl Outcome {
    /// The HTTP reply to send Slack once the outcome's work is done.
    pub fn http_reply(&self) -> HttpReply {
        match self {
            Self::HttpError { status, .. } => HttpReply {
                status: *status,
                content_type: TEXT,
                body: INVALID_REQUEST.to_owned(),
            },
            Self::Acknowledge { .. } | Self::OpenReasonModal(_) => HttpReply::ok(),
            Self::RefuseEphemeral(r) => r.reply.clone(),
            Self::Approve(v) | Self::Reject(v) => v.reply.clone(),
        }
    }

    /// A short name for logs: `http_error`, `acknowledge`, `refuse`, `open_reason_modal`,
    /// `approve` or `reject`.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::HttpError { .. } => "http_error",
            Self::Acknowledge { .. } => "acknowledge",
            Self::RefuseEphemeral(_) => "refuse",
            Self::OpenReasonModal(_) => "open_reason_modal",
            Self::Approve(_) => "approve",
            Self::Reject(_) => "reject",
        }
    }
}

/// The body of every 401 and 400: the same words whatever the check that failed.
pub const INVALID_REQUEST: &str = "invalid request";

fn http_error(status: u16, reason: impl Into<String>) -> Outcome {
    Outcome::HttpError {
        status,
        reason: reason.into(),
    }
}

/// The HTTP status for a verification failure: 400 when the body cannot be decoded,
/// 401 for everything else.
pub fn verify_error_status(error: &VerifyError) -> u16 {
    match error {
        VerifyError::BadBase64 => 400,
        _ => 401,
    }
}

/// Verifies the request's signature and parses its payload; the error is the
/// [`Outcome::HttpError`] to answer with (its reason is for the log only).
pub fn verify_and_parse(
    request: &HttpRequest<'_>,
    secret: &SigningSecret,
    now: i64,
) -> Result<Interaction, Outcome> {
    let body = verify_request(request, secret, now).map_err(|e| {
        http_error(
            verify_error_status(&e),
            format!("request not accepted: {e}"),
        )
    })?;
    parse_interaction(&body).map_err(|e| http_error(400, format!("malformed payload: {e}")))
}

/// Verifies, parses and decides in one call, with facts resolved beforehand.
pub fn decide(
    request: &HttpRequest<'_>,
    secret: &SigningSecret,
    now: i64,
    config: &ApprovalsConfig,
    facts: &ResolvedFacts<'_>,
) -> Outcome {
    match verify_and_parse(request, secret, now) {
        Ok(interaction) => {
            decide_interaction(interaction, config, facts, Timestamp::from_unix(now))
        }
        Err(outcome) => outcome,
    }
}

/// The approval an interaction of the flow is about, and the user's id; `None` when it
/// is not one (or its button value / modal metadata is not ours).
pub fn approval_of(interaction: &Interaction) -> Option<(ApprovalRef, &str)> {
    match interaction {
        Interaction::BlockActions(a)
            if a.action_id == APPROVE_ACTION_ID || a.action_id == REJECT_ACTION_ID =>
        {
            let approval = ApprovalRef::from_button_value(a.value.as_deref()?).ok()?;
            Some((approval, &a.user.id))
        }
        Interaction::ViewSubmission(v) if v.callback_id.as_deref() == Some(REASON_CALLBACK_ID) => {
            let meta = ModalMetadata::decode(v.private_metadata.as_deref()?).ok()?;
            Some((meta.approval, &v.user.id))
        }
        _ => None,
    }
}

/// What the handler should look up before [`decide_interaction`], or `None` when nothing
/// would change the decision.
pub fn facts_to_resolve(
    config: &ApprovalsConfig,
    interaction: &Interaction,
) -> Option<FactsToResolve> {
    let (approval, user_id) = approval_of(interaction)?;
    let pipeline = config.pipeline(&approval.pipeline)?;
    let listed = pipeline.approvers.iter().any(|u| u == user_id);
    let approver_groups = if listed {
        Vec::new()
    } else {
        pipeline.approver_groups.clone()
    };
    let commit_id = if config.self_approval_forbidden(pipeline) && approval.commit_author.is_none()
    {
        approval.commit_id.clone()
    } else {
        None
    };
    if approver_groups.is_empty() && commit_id.is_none() {
        return None;
    }
    Some(FactsToResolve {
        user_id: user_id.to_owned(),
        approver_groups,
        commit_id,
    })
}

/// Which `response_url`s a payload may name. The default is strict: Slack's own hosts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResponseUrlPolicy {
    /// `https://` on a `slack.com` or `slack-gov.com` host only.
    #[default]
    SlackOnly,
    /// Slack's hosts, and also `http://` on a loopback address (`127.0.0.1`, `[::1]`,
    /// `localhost`). For a handler whose Slack API itself is a local server (local runs and
    /// tests); a deployed handler never uses it.
    SlackOrLoopback,
}

impl ResponseUrlPolicy {
    /// Whether the handler may post to `url`.
    pub fn allows(self, url: &str) -> bool {
        match self {
            Self::SlackOnly => is_slack_response_url(url),
            Self::SlackOrLoopback => is_slack_response_url(url) || is_loopback_http_url(url),
        }
    }
}

/// `http://` or `https://` on `127.0.0.1`, `[::1]` or `localhost` (any port).
pub fn is_loopback_http_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains(['@', '\\']) {
        return false;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((host, port)) if port.is_empty() || port.starts_with(':') => host,
            _ => return false,
        }
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    matches!(
        host.to_ascii_lowercase().as_str(),
        "127.0.0.1" | "::1" | "localhost"
    )
}

/// Decides a verified, parsed interaction, accepting only Slack's `response_url`s.
pub fn decide_interaction(
    interaction: Interaction,
    config: &ApprovalsConfig,
    facts: &ResolvedFacts<'_>,
    now: Timestamp,
) -> Outcome {
    decide_interaction_with(
        interaction,
        config,
        facts,
        now,
        ResponseUrlPolicy::SlackOnly,
    )
}

/// Decides a verified, parsed interaction, with the given `response_url` policy.
pub fn decide_interaction_with(
    interaction: Interaction,
    config: &ApprovalsConfig,
    facts: &ResolvedFacts<'_>,
    now: Timestamp,
    urls: ResponseUrlPolicy,
) -> Outcome {
    match interaction {
        Interaction::BlockActions(click) => on_click(click, config, facts, now, urls),
        Interaction::ViewSubmission(submission) => on_submit(submission, config, facts, now, urls),
        Interaction::Other { .. } => Outcome::Acknowledge {
            note: "interaction type not used by approvals",
        },
    }
}

/// `https://` URL on a `slack.com` or `slack-gov.com` host: where `response_url`s point.
/// Anything else is refused so that a payload can never make the handler post elsewhere.
fn is_slack_response_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.contains(['@', ':', '\\']) {
        return false;
    }
    let host = host.to_ascii_lowercase();
    ["slack.com", "slack-gov.com"].iter().any(|domain| {
        host.strip_suffix(domain)
            .is_some_and(|sub| sub.ends_with('.'))
    })
}

/// The commit author to check self-approval against: the caller's fact, unless the
/// message says the user is the author.
/// [`authorize`], refusing where self-approval is forbidden but the author is unknown
/// because its look-up failed.
fn authorize_with_facts(
    config: &ApprovalsConfig,
    approval: &ApprovalRef,
    who: &Approver<'_>,
    author: Option<&str>,
    facts: &ResolvedFacts<'_>,
) -> Decision {
    let decision = authorize(config, approval, who, author);
    let forbidden = config
        .pipeline(&approval.pipeline)
        .is_some_and(|p| config.self_approval_forbidden(p));
    if decision == Decision::Allowed && author.is_none() && facts.author_lookup_failed && forbidden
    {
        return Decision::Denied {
            reason: DenyReason::AuthorUnverified,
        };
    }
    decision
}

fn author_for<'a>(
    approval: &'a ApprovalRef,
    facts: &ResolvedFacts<'a>,
    user_id: &str,
) -> Option<&'a str> {
    let carried = approval.commit_author.as_deref();
    if carried == Some(user_id) {
        carried
    } else {
        facts.commit_author_slack_id.or(carried)
    }
}

fn on_click(
    click: BlockActions,
    config: &ApprovalsConfig,
    facts: &ResolvedFacts<'_>,
    now: Timestamp,
    urls: ResponseUrlPolicy,
) -> Outcome {
    let status = match click.action_id.as_str() {
        APPROVE_ACTION_ID => ApprovalStatus::Approved,
        REJECT_ACTION_ID => ApprovalStatus::Rejected,
        _ => {
            return Outcome::Acknowledge {
                note: "not an approval button",
            };
        }
    };
    let Some(value) = click.value.as_deref() else {
        return http_error(400, "malformed payload: the button has no value");
    };
    let approval = match ApprovalRef::from_button_value(value) {
        Ok(approval) => approval,
        Err(e) => return http_error(400, format!("malformed payload: button value: {e}")),
    };
    if !urls.allows(&click.response_url) {
        return http_error(400, "malformed payload: response_url is not a Slack URL");
    }
    let who = Approver {
        user_id: &click.user.id,
        team_id: click.team_id.as_deref(),
        user_team_id: click.user.team_id.as_deref(),
        app_id: Some(&click.api_app_id),
        group_ids: facts.user_group_ids,
    };
    let author = author_for(&approval, facts, &click.user.id);
    if let Decision::Denied { reason } =
        authorize_with_facts(config, &approval, &who, author, facts)
    {
        let text = reason.to_string();
        return Outcome::RefuseEphemeral(Box::new(Refusal {
            ephemeral_body: ephemeral(&text),
            text,
            reason,
            user_id: click.user.id,
            response_url: Some(click.response_url),
            reply: HttpReply::ok(),
        }));
    }
    match status {
        ApprovalStatus::Approved => {
            let update_body = decided_update(
                &approval,
                &click.message_blocks,
                status,
                &click.user,
                now,
                None,
            );
            Outcome::Approve(Box::new(Verdict {
                summary: approval_summary(status, &click.user, None),
                approval,
                status,
                decided_by: click.user,
                reason: None,
                decided_at: now,
                response_url: Some(click.response_url),
                channel_id: click.channel_id,
                message_ts: click.message_ts,
                original_blocks: click.message_blocks,
                update_body,
                reply: HttpReply::ok(),
            }))
        }
        ApprovalStatus::Rejected => {
            let Some(trigger_id) = click.trigger_id.as_deref() else {
                return http_error(
                    400,
                    "malformed payload: no trigger_id to open the reason modal",
                );
            };
            let meta = ModalMetadata {
                approval,
                response_url: Some(click.response_url),
                channel_id: click.channel_id,
                message_ts: click.message_ts,
            };
            match reason_modal(trigger_id, &meta) {
                Ok(views_open_body) => Outcome::OpenReasonModal(Box::new(ReasonModal {
                    approval: meta.approval,
                    user: click.user,
                    views_open_body,
                    response_url: meta.response_url,
                })),
                Err(e) => http_error(400, format!("malformed payload: {e}")),
            }
        }
    }
}

fn on_submit(
    submission: ViewSubmission,
    config: &ApprovalsConfig,
    facts: &ResolvedFacts<'_>,
    now: Timestamp,
    urls: ResponseUrlPolicy,
) -> Outcome {
    if submission.callback_id.as_deref() != Some(REASON_CALLBACK_ID) {
        return Outcome::Acknowledge {
            note: "not the reject-reason modal",
        };
    }
    let Some(metadata) = submission.private_metadata.as_deref() else {
        return http_error(400, "malformed payload: the modal has no private_metadata");
    };
    let meta = match ModalMetadata::decode(metadata) {
        Ok(meta) => meta,
        Err(e) => return http_error(400, format!("malformed payload: {e}")),
    };
    if meta
        .response_url
        .as_deref()
        .is_some_and(|url| !urls.allows(url))
    {
        return http_error(400, "malformed payload: response_url is not a Slack URL");
    }
    let who = Approver {
        user_id: &submission.user.id,
        team_id: submission.team_id.as_deref(),
        user_team_id: submission.user.team_id.as_deref(),
        app_id: Some(&submission.api_app_id),
        group_ids: facts.user_group_ids,
    };
    let author = author_for(&meta.approval, facts, &submission.user.id);
    if let Decision::Denied { reason } =
        authorize_with_facts(config, &meta.approval, &who, author, facts)
    {
        let text = reason.to_string();
        let reply = HttpReply::json(
            200,
            &json!({"response_action": "errors", "errors": {REASON_BLOCK_ID: text}}),
        );
        return Outcome::RefuseEphemeral(Box::new(Refusal {
            ephemeral_body: ephemeral(&text),
            text,
            reason,
            user_id: submission.user.id,
            response_url: None,
            reply,
        }));
    }
    let status = ApprovalStatus::Rejected;
    let reason = submission
        .reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let update_body = decided_update(
        &meta.approval,
        &[],
        status,
        &submission.user,
        now,
        reason.as_deref(),
    );
    Outcome::Reject(Box::new(Verdict {
        summary: approval_summary(status, &submission.user, reason.as_deref()),
        approval: meta.approval,
        status,
        decided_by: submission.user,
        reason,
        decided_at: now,
        response_url: meta.response_url,
        channel_id: meta.channel_id,
        message_ts: meta.message_ts,
        original_blocks: Vec::new(),
        update_body,
        reply: HttpReply::ok(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_urls_must_be_slacks() {
        for ok in [
            "https://hooks.slack.com/actions/T1/1/x",
            "https://HOOKS.SLACK.COM/actions",
            "https://hooks.slack-gov.com/actions/T1/1/x",
        ] {
            assert!(is_slack_response_url(ok), "{ok}");
        }
        for bad in [
            "http://hooks.slack.com/actions",
            "https://hooks.slack.com.evil.test/",
            "https://evilslack.com/",
            "https://slack.com@evil.test/",
            "https://hooks.slack.com:8443/",
            "https://evil.test/?https://hooks.slack.com/",
            "https://evil.test\\@hooks.slack.com/",
            "",
        ] {
            assert!(!is_slack_response_url(bad), "{bad}");
        }
    }

    #[test]
    fn loopback_urls_only_when_the_policy_says_so() {
        for ok in [
            "http://127.0.0.1:8080/actions/1",
            "http://localhost/x",
            "http://[::1]:9000/",
        ] {
            assert!(ResponseUrlPolicy::SlackOrLoopback.allows(ok), "{ok}");
            assert!(!ResponseUrlPolicy::SlackOnly.allows(ok), "{ok}");
        }
        for bad in [
            "http://127.0.0.1.evil.test/",
            "http://evil.test/?http://127.0.0.1/",
            "http://user@127.0.0.1/",
            "http://[::1]evil/",
            "ftp://127.0.0.1/",
            "http://10.0.0.1/",
        ] {
            assert!(!ResponseUrlPolicy::SlackOrLoopback.allows(bad), "{bad}");
        }
        assert!(ResponseUrlPolicy::SlackOrLoopback.allows("https://hooks.slack.com/actions/1"));
    }

    #[test]
    fn statuses_of_verify_errors() {
        assert_eq!(verify_error_status(&VerifyError::BadBase64), 400);
        assert_eq!(verify_error_status(&VerifyError::Mismatch), 401);
        assert_eq!(
            verify_error_status(&VerifyError::Stale {
                timestamp: 0,
                now: 0
            }),
            401
        );
    }
}
