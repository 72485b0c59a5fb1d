//! Block Kit bodies for every message of an approval's life:
//!
//! - [`approval_request`]: the `chat.postMessage` body with the approval's details, links
//!   and the Approve (primary) / Reject (danger) buttons, each behind a confirm dialog;
//! - [`reason_modal`]: the `views.open` body asking a rejecter for a reason;
//! - [`decided_update`]: the replacement once decided (buttons gone, who and when);
//! - [`ended_elsewhere_update`]: the replacement when the approval was decided in the
//!   console, expired or disappeared;
//! - [`ephemeral`]: a reply only the clicker sees.
//!
//! Text from outside (custom data, commit messages, names) is escaped for mrkdwn and cut to
//! Slack's limits, so it can neither mention `@channel` nor make Slack refuse the message.
//! Updates are `response_url` bodies (`replace_original: true`); their `text` and `blocks`
//! work for `chat.update` too.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::approval::{ApprovalRef, ApprovalRefError, ApprovalStatus};
use crate::interaction::SlackUser;
use crate::notification::ApprovalNotification;
use crate::text::{escape_mrkdwn, link, single_line, truncate_chars};
use crate::timestamp::Timestamp;

/// `action_id` of the Approve button.
pub const APPROVE_ACTION_ID: &str = "codepipeline_approve";
/// `action_id` of the Reject button.
pub const REJECT_ACTION_ID: &str = "codepipeline_reject";
/// `block_id` of the actions block holding both buttons.
pub const ACTIONS_BLOCK_ID: &str = "codepipeline_approval";
/// `callback_id` of the reject-reason modal.
pub const REASON_CALLBACK_ID: &str = "codepipeline_reject_reason";
/// `block_id` of the modal's reason input.
pub const REASON_BLOCK_ID: &str = "reject_reason";
/// `action_id` of the modal's reason input.
pub const REASON_ACTION_ID: &str = "reason";
/// Longest reason the modal accepts, in characters (leaves room in the 512-char summary).
pub const MAX_REASON_CHARS: usize = 300;
/// Slack's limit on a modal's `private_metadata`, in characters.
pub const MAX_PRIVATE_METADATA_CHARS: usize = 3000;

/// Slack limits, in characters.
const HEADER_MAX: usize = 150;
const SECTION_MAX: usize = 3000;
const FIELD_MAX: usize = 2000;
const CONFIRM_TEXT_MAX: usize = 300;
/// A message has at most 50 blocks; updates keep at most this many of the original.
const KEPT_BLOCKS_MAX: usize = 46;

/// The commit an approval is for, as the requester found it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full commit id.
    pub id: String,
    /// Commit message (only its first line is shown).
    pub message: String,
    /// Author's name as in the commit.
    pub author_name: String,
    /// Author's Slack user id, when it could be mapped (used against self-approval).
    pub author_slack_id: Option<String>,
    /// Link to the commit in the console, when known.
    pub url: Option<String>,
}

impl CommitInfo {
    /// The first 7 characters of the id.
    pub fn short_id(&self) -> &str {
        let end = self
            .id
            .char_indices()
            .nth(7)
            .map_or(self.id.len(), |(i, _)| i);
        &self.id[..end]
    }
}

/// A message that cannot be built within Slack's limits.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The approval reference does not fit a button value.
    #[error(transparent)]
    ApprovalRef(#[from] ApprovalRefError),
    /// The modal's private metadata is too long.
    #[error("modal metadata is {len} characters; Slack allows at most {max}")]
    MetadataTooLong {
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The modal's private metadata is not ours.
    #[error("modal metadata is not valid: {0}")]
    BadMetadata(String),
}

/// How an approval ended other than by a decision from this message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndedReason {
    /// Decided already, in the console or by an earlier click
    /// (`ApprovalAlreadyCompletedException`).
    AlreadyDecided,
    /// The token is no longer valid: the approval expired or its execution moved on
    /// (`InvalidApprovalTokenException`).
    Expired,
    /// The pipeline, stage or action is gone (`PipelineNotFoundException`,
    /// `StageNotFoundException`, `ActionNotFoundException`).
    NotFound,
}

impl EndedReason {
    /// One sentence for the updated message.
    pub const fn text(self) -> &'static str {
        match self {
            Self::AlreadyDecided => {
                ":information_source: This approval was already decided, in the console or by someone else. Nothing was changed from Slack."
            }
            Self::Expired => {
                ":hourglass: This approval has expired or its pipeline run has moved on. Nothing was changed from Slack."
            }
            Self::NotFound => {
                ":grey_question: This pipeline, stage or action no longer exists. Nothing was changed from Slack."
            }
        }
    }
}

pub(crate) fn plain(text: &str) -> Value {
    json!({"type": "plain_text", "text": text, "emoji": true})
}

pub(crate) fn mrkdwn(text: &str) -> Value {
    json!({"type": "mrkdwn", "text": text})
}

pub(crate) fn section(text: &str) -> Value {
    json!({"type": "section", "text": mrkdwn(&truncate_chars(text, SECTION_MAX))})
}

pub(crate) fn field(label: &str, value: &str) -> Value {
    mrkdwn(&truncate_chars(&format!("*{label}*\n{value}"), FIELD_MAX))
}

fn button(
    action_id: &str,
    label: &str,
    style: &str,
    value: &str,
    confirm_title: &str,
    confirm_text: &str,
) -> Value {
    json!({
        "type": "button",
        "action_id": action_id,
        "text": plain(label),
        "style": style,
        "value": value,
        "confirm": {
            "title": plain(confirm_title),
            "text": mrkdwn(&truncate_chars(confirm_text, CONFIRM_TEXT_MAX)),
            "confirm": plain(label),
            "deny": plain("Cancel"),
            "style": style,
        },
    })
}

/// `*stage / action* of *pipeline*`, escaped.
fn what(approval: &ApprovalRef) -> String {
    format!(
        "*{} / {}* of *{}*",
        escape_mrkdwn(&approval.stage),
        escape_mrkdwn(&approval.action),
        escape_mrkdwn(&approval.pipeline)
    )
}

/// The `chat.postMessage` body asking `channel` to approve or reject.
///
/// Both buttons carry the same value, the [`ApprovalRef`] (with the commit id and its
/// author's Slack id when `commit` has them); their `action_id` says which was clicked.
pub fn approval_request(
    channel: &str,
    notification: &ApprovalNotification,
    commit: Option<&CommitInfo>,
) -> Result<Value, MessageError> {
    let (approval, mut blocks) = request_blocks(notification, commit);
    let value = approval.to_button_value()?;
    blocks.push(json!({
        "type": "actions",
        "block_id": ACTIONS_BLOCK_ID,
        "elements": [
            button(
                APPROVE_ACTION_ID,
                "Approve",
                "primary",
                &value,
                "Approve?",
                &format!("Approve {}? The pipeline goes on.", what(&approval)),
            ),
            button(
                REJECT_ACTION_ID,
                "Reject",
                "danger",
                &value,
                "Reject?",
                &format!(
                    "Reject {}? The action fails and the pipeline stops. You will be asked for a reason.",
                    what(&approval)
                ),
            ),
        ],
    }));
    Ok(request_message(channel, &approval, blocks))
}

/// The message for an approval that nobody can decide from Slack (the approvals file
/// does not list the pipeline, or allows another stage or action): the same details,
/// no buttons, and `why` (with where to decide instead) in their place.
pub fn approval_notice(
    channel: &str,
    notification: &ApprovalNotification,
    commit: Option<&CommitInfo>,
    why: &str,
) -> Value {
    let (approval, mut blocks) = request_blocks(notification, commit);
    blocks.push(json!({
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": format!(":information_source: {}", escape_mrkdwn(why))}],
    }));
    request_message(channel, &approval, blocks)
}

fn request_message(channel: &str, approval: &ApprovalRef, blocks: Vec<Value>) -> Value {
    json!({
        "channel": channel,
        "text": format!("Approval needed: {}", approval.describe()),
        "blocks": blocks,
        "unfurl_links": false,
        "unfurl_media": false,
    })
}

/// The approval (with the commit, when known) and the blocks above the buttons.
fn request_blocks(
    notification: &ApprovalNotification,
    commit: Option<&CommitInfo>,
) -> (ApprovalRef, Vec<Value>) {
    let a = &notification.approval;
    let mut approval = notification.approval_ref();
    if let Some(commit) = commit {
        approval.commit_id = Some(commit.id.clone()).filter(|id| !id.is_empty());
        approval.commit_author = commit.author_slack_id.clone();
    }
    let mut blocks = vec![
        json!({
            "type": "header",
            "text": plain(&truncate_chars(&format!("Approval needed: {}", a.pipeline_name), HEADER_MAX)),
        }),
        json!({
            "type": "section",
            "fields": [
                field("Pipeline", &link(&notification.console_link, &a.pipeline_name)),
                field("Stage", &escape_mrkdwn(&a.stage_name)),
                field("Action", &escape_mrkdwn(&a.action_name)),
                field("Region", &escape_mrkdwn(&notification.region)),
                field("Expires", &a.expires.slack_date()),
            ],
        }),
    ];
    if let Some(data) = &a.custom_data {
        blocks.push(section(&format!("*Comments*\n{}", escape_mrkdwn(data))));
    }
    if let Some(commit) = commit {
        blocks.push(section(&commit_text(commit)));
    }
    let mut links = vec![link(
        &a.approval_review_link,
        "Review in the CodePipeline console",
    )];
    if let Some(external) = &a.external_entity_link {
        links.push(link(external, "Open the URL for review"));
    }
    blocks.push(section(&links.join("   ·   ")));
    (approval, blocks)
}

fn commit_text(commit: &CommitInfo) -> String {
    let id = match &commit.url {
        Some(url) => link(url, commit.short_id()),
        None => format!("`{}`", escape_mrkdwn(commit.short_id())),
    };
    let mut text = format!("*Commit* {id}");
    if !commit.author_name.trim().is_empty() {
        text.push_str(" by ");
        text.push_str(&escape_mrkdwn(&single_line(&commit.author_name)));
    }
    if let Some(slack_id) = &commit.author_slack_id {
        text.push_str(&format!(" (<@{}>)", escape_mrkdwn(slack_id)));
    }
    let subject = commit.message.lines().find(|l| !l.trim().is_empty());
    if let Some(subject) = subject {
        text.push_str("\n>");
        text.push_str(&escape_mrkdwn(&truncate_chars(&single_line(subject), 300)));
    }
    text
}

/// What the reject-reason modal carries from the click to its submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModalMetadata {
    /// The approval being rejected.
    #[serde(rename = "r")]
    pub approval: ApprovalRef,
    /// The click's `response_url`, to update the message after the submission.
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub response_url: Option<String>,
    /// The message's channel (for `chat.update` once the `response_url` has expired).
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// The message's `ts`.
    #[serde(rename = "ts", default, skip_serializing_if = "Option::is_none")]
    pub message_ts: Option<String>,
}

impl ModalMetadata {
    /// Compact JSON within Slack's 3000-character limit.
    pub fn encode(&self) -> Result<String, MessageError> {
        let text =
            serde_json::to_string(self).map_err(|e| MessageError::BadMetadata(e.to_string()))?;
        let len = text.chars().count();
        if len > MAX_PRIVATE_METADATA_CHARS {
            return Err(MessageError::MetadataTooLong {
                len,
                max: MAX_PRIVATE_METADATA_CHARS,
            });
        }
        Ok(text)
    }

    /// Reads what [`ModalMetadata::encode`] wrote.
    pub fn decode(text: &str) -> Result<Self, MessageError> {
        let len = text.chars().count();
        if len > MAX_PRIVATE_METADATA_CHARS {
            return Err(MessageError::MetadataTooLong {
                len,
                max: MAX_PRIVATE_METADATA_CHARS,
            });
        }
        let meta: Self =
            serde_json::from_str(text).map_err(|e| MessageError::BadMetadata(e.to_string()))?;
        meta.approval.check()?;
        Ok(meta)
    }
}

/// The `views.open` body of the modal asking why `meta.approval` is rejected.
pub fn reason_modal(trigger_id: &str, meta: &ModalMetadata) -> Result<Value, MessageError> {
    let private_metadata = meta.encode()?;
    Ok(json!({
        "trigger_id": trigger_id,
        "view": {
            "type": "modal",
            "callback_id": REASON_CALLBACK_ID,
            "private_metadata": private_metadata,
            "title": plain("Reject approval"),
            "submit": plain("Reject"),
            "close": plain("Cancel"),
            "blocks": [
                section(&format!(
                    "Rejecting {} stops the pipeline.",
                    what(&meta.approval)
                )),
                {
                    "type": "input",
                    "block_id": REASON_BLOCK_ID,
                    "label": plain("Reason"),
                    "hint": plain("Saved with your name in the pipeline's history."),
                    "element": {
                        "type": "plain_text_input",
                        "action_id": REASON_ACTION_ID,
                        "multiline": true,
                        "max_length": MAX_REASON_CHARS,
                        "placeholder": plain("Why should this not go on?"),
                    },
                },
            ],
        },
    }))
}

/// The original blocks minus the actions block, or a minimal summary when Slack did not
/// send them back (modal submissions).
fn kept_blocks(approval: &ApprovalRef, original: &[Value]) -> Vec<Value> {
    let kept: Vec<Value> = original
        .iter()
        .filter(|b| b.get("type").and_then(Value::as_str) != Some("actions"))
        .take(KEPT_BLOCKS_MAX)
        .cloned()
        .collect();
    if !kept.is_empty() {
        return kept;
    }
    vec![
        json!({
            "type": "header",
            "text": plain(&truncate_chars(&format!("Approval: {}", approval.pipeline), HEADER_MAX)),
        }),
        json!({
            "type": "section",
            "fields": [
                field("Pipeline", &escape_mrkdwn(&approval.pipeline)),
                field("Stage", &escape_mrkdwn(&approval.stage)),
                field("Action", &escape_mrkdwn(&approval.action)),
            ],
        }),
    ]
}

/// The replacement for the approval message once decided: the details stay, the buttons
/// go, and a line says who decided, when, and why when a reason was given.
pub fn decided_update(
    approval: &ApprovalRef,
    original_blocks: &[Value],
    status: ApprovalStatus,
    user: &SlackUser,
    at: Timestamp,
    reason: Option<&str>,
) -> Value {
    let (icon, verb) = match status {
        ApprovalStatus::Approved => (":white_check_mark:", "Approved"),
        ApprovalStatus::Rejected => (":x:", "Rejected"),
    };
    let who = format!(
        "<@{}> ({})",
        escape_mrkdwn(&user.id),
        escape_mrkdwn(&single_line(user.display_name()))
    );
    let mut line = format!("{icon} *{verb}* by {who} at {}", at.slack_date());
    if let Some(reason) = reason.map(single_line).filter(|r| !r.is_empty()) {
        line.push_str("\n>");
        line.push_str(&escape_mrkdwn(&truncate_chars(&reason, 500)));
    }
    let mut blocks = kept_blocks(approval, original_blocks);
    blocks.push(section(&line));
    json!({
        "replace_original": true,
        "text": format!(
            "{verb} by {} ({}): {}",
            single_line(user.display_name()),
            user.id,
            approval.describe()
        ),
        "blocks": blocks,
    })
}

/// The replacement for the approval message when it ended without a decision from Slack.
pub fn ended_elsewhere_update(
    approval: &ApprovalRef,
    original_blocks: &[Value],
    reason: EndedReason,
) -> Value {
    let mut blocks = kept_blocks(approval, original_blocks);
    blocks.push(section(reason.text()));
    json!({
        "replace_original": true,
        "text": format!("{} {}", approval.describe(), reason.text()),
        "blocks": blocks,
    })
}

/// The replacement for the approval message when its action ended outside Slack (approved
/// or rejected in the console or CLI, timed out, or its run stopped): the details stay,
/// the buttons go, and `line` (mrkdwn written by the caller, not from outside) says how it
/// ended. A `chat.update` body once `channel` and `ts` are added.
pub fn closed_update(approval: &ApprovalRef, original_blocks: &[Value], line: &str) -> Value {
    let mut blocks = kept_blocks(approval, original_blocks);
    blocks.push(section(line));
    json!({
        "replace_original": true,
        "text": format!("{}: {}", approval.describe(), line),
        "blocks": blocks,
    })
}

/// A `response_url` body that only the clicker sees, leaving the message as it is.
pub fn ephemeral(text: &str) -> Value {
    json!({
        "response_type": "ephemeral",
        "replace_original": false,
        "text": truncate_chars(text, SECTION_MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_id_is_seven_chars_or_less() {
        let c = CommitInfo {
            id: "0123456789abcdef".into(),
            ..CommitInfo::default()
        };
        assert_eq!(c.short_id(), "0123456");
        let c = CommitInfo {
            id: "abc".into(),
            ..CommitInfo::default()
        };
        assert_eq!(c.short_id(), "abc");
    }

    #[test]
    fn metadata_round_trips_and_is_bounded() {
        let meta = ModalMetadata {
            approval: ApprovalRef {
                pipeline: "p".into(),
                stage: "s".into(),
                action: "a".into(),
                token: "t".into(),
                commit_id: None,
                commit_author: None,
            },
            response_url: Some("https://hooks.slack.com/actions/T/1/x".into()),
            channel_id: Some("C1".into()),
            message_ts: Some("1.2".into()),
        };
        let text = meta.encode().unwrap();
        assert_eq!(ModalMetadata::decode(&text).unwrap(), meta);
        assert!(ModalMetadata::decode("{}").is_err());
        assert!(ModalMetadata::decode(&"x".repeat(3001)).is_err());
        let mut big = meta;
        big.response_url = Some("x".repeat(3000));
        assert!(matches!(
            big.encode(),
            Err(MessageError::MetadataTooLong { .. })
        ));
    }
}
