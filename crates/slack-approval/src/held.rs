//! Held pushes in Slack: the announcement of a push that a change freeze held, with its
//! "Release now" button, and the messages that replace it once released.
//!
//! commit-filter publishes each push's routing summary to SNS; the `approval-requester`
//! reads the `frozen` decisions of it ([`frozen_pushes`]) and posts one announcement per
//! decision ([`Announcements::announce`]) to the pipeline's approval channel (the one
//! `approvals.yaml` gives it). The announcement shows the hold as stored (the newest held
//! commit, how many pushes were folded into it, who pushed last, when it is released);
//! when the hold cannot be read, it shows the push of the summary instead. A pipeline
//! that `approvals.yaml` does not list gets no announcement (nobody could release it from
//! Slack). Every held push posts a new message: a repeated push during the same freeze
//! posts again, with the count so far, and any of the messages' buttons releases the one
//! hold (the others then answer "already released").
//!
//! The button's value is [`HoldKey::button_value`]; the click is handled by
//! [`crate::release`].

use std::sync::Arc;

use pipeline_schedules::{Hold, HoldKey, HoldStore};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::ApprovalsConfig;
use crate::log::LogDecision;
use crate::message::{field, plain, section};
use crate::ports::{SlackApi, SlackError};
use crate::requests::{Announced, RequesterOutput};
use crate::text::{escape_mrkdwn, single_line, truncate_chars};
use crate::timestamp::Timestamp;

/// `action_id` of the "Release now" button.
pub const RELEASE_ACTION_ID: &str = "hold_release_now";

/// `block_id` of the announcement's actions block.
pub const HOLD_BLOCK_ID: &str = "held_push";

/// One `frozen` decision of a routing summary: a pipeline a freeze held for a push.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrozenPush {
    /// The CodeCommit repository.
    pub repository: String,
    /// The pipeline held.
    pub pipeline: String,
    /// The branch pushed to.
    pub branch: String,
    /// The pushed commit.
    pub commit_id: String,
    /// Who pushed, when the event says.
    pub pushed_by: Option<String>,
    /// The freeze.
    pub freeze: String,
    /// When the hold is released, as the summary gives it (RFC 3339).
    pub release_at: String,
}

impl FrozenPush {
    /// The hold this push was folded into.
    pub fn key(&self) -> HoldKey {
        HoldKey::new(&self.pipeline, &self.branch)
    }
}

/// A routing summary that cannot be read (serde's error in the message, not a `source`,
/// so that it is printed once).
#[derive(Debug, thiserror::Error)]
#[error("routing summary: {0}")]
pub struct SummaryError(serde_json::Error);

impl From<serde_json::Error> for SummaryError {
    fn from(error: serde_json::Error) -> Self {
        Self(error)
    }
}

#[derive(Deserialize)]
struct RawSummary {
    push: RawPush,
    decisions: Vec<RawDecision>,
}

#[derive(Deserialize)]
struct RawPush {
    repository: String,
    reference: RawReference,
    commit_id: String,
    #[serde(default)]
    pushed_by: Option<String>,
}

#[derive(Deserialize)]
struct RawReference {
    name: String,
}

#[derive(Deserialize)]
struct RawDecision {
    pipeline: String,
    decision: String,
    #[serde(default)]
    freeze: Option<String>,
    #[serde(default)]
    release_at: Option<String>,
}

/// Whether an SNS message is a routing summary (an object with `push` and `decisions`),
/// as opposed to a CodePipeline approval notification.
pub fn is_routing_summary(message: &str) -> bool {
    serde_json::from_str::<Value>(message)
        .is_ok_and(|v| v.get("push").is_some() && v.get("decisions").is_some())
}

/// The `frozen` decisions of a routing summary (the JSON commit-filter publishes), in
/// the summary's order. A `frozen` decision without its freeze is skipped.
pub fn frozen_pushes(summary: &str) -> Result<Vec<FrozenPush>, SummaryError> {
    let raw: RawSummary = serde_json::from_str(summary)?;
    let push = raw.push;
    Ok(raw
        .decisions
        .into_iter()
        .filter(|d| d.decision == "frozen")
        .filter_map(|d| {
            Some(FrozenPush {
                repository: push.repository.clone(),
                pipeline: d.pipeline,
                branch: push.reference.name.clone(),
                commit_id: push.commit_id.clone(),
                pushed_by: push.pushed_by.clone(),
                freeze: d.freeze?,
                release_at: d.release_at.unwrap_or_default(),
            })
        })
        .collect())
}

/// What an announcement shows: the stored hold, or the push when it could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldView {
    /// The hold.
    pub key: HoldKey,
    /// The repository.
    pub repository: String,
    /// The commit a release starts.
    pub commit_id: String,
    /// Pushes folded into the hold (`None` when only the push is known).
    pub pushes: Option<u32>,
    /// Who made the newest push.
    pub pushed_by: Option<String>,
    /// The freeze.
    pub freeze: String,
    /// When the hold is released (Unix seconds), when known.
    pub release_at: Option<i64>,
}

impl HeldView {
    /// The view of a stored hold.
    pub fn of_hold(hold: &Hold) -> Self {
        Self {
            key: hold.key(),
            repository: hold.repository.clone(),
            commit_id: hold.commit_id.clone(),
            pushes: Some(hold.pushes),
            pushed_by: hold.pushed_by.clone(),
            freeze: hold.freeze.clone(),
            release_at: Some(hold.release_at.as_second()),
        }
    }

    /// The view of a push alone (the hold could not be read).
    pub fn of_push(push: &FrozenPush) -> Self {
        Self {
            key: push.key(),
            repository: push.repository.clone(),
            commit_id: push.commit_id.clone(),
            pushes: None,
            pushed_by: push.pushed_by.clone(),
            freeze: push.freeze.clone(),
            release_at: Timestamp::parse(&push.release_at).ok().map(Timestamp::unix),
        }
    }
}

/// The first 7 characters of a commit id.
pub fn short_commit(commit_id: &str) -> &str {
    commit_id
        .char_indices()
        .nth(7)
        .map_or(commit_id, |(i, _)| &commit_id[..i])
}

fn held_blocks(view: &HeldView) -> Vec<Value> {
    let pushes = match view.pushes {
        Some(1) => "1 push".to_owned(),
        Some(n) => format!("{n} pushes"),
        None => "at least 1 push".to_owned(),
    };
    let released = view.release_at.map_or_else(
        || "when the freeze ends".to_owned(),
        |t| Timestamp::from_unix(t).slack_date(),
    );
    vec![
        json!({
            "type": "header",
            "text": plain(&truncate_chars(&format!("Held by freeze: {}", view.key.pipeline), 150)),
        }),
        json!({
            "type": "section",
            "fields": [
                field("Pipeline", &escape_mrkdwn(&view.key.pipeline)),
                field("Branch", &escape_mrkdwn(&view.key.branch)),
                field("Freeze", &escape_mrkdwn(&view.freeze)),
                field("Held commit", &format!("`{}` ({})", escape_mrkdwn(short_commit(&view.commit_id)), pushes)),
                field("Pushed by", &escape_mrkdwn(&single_line(view.pushed_by.as_deref().unwrap_or("unknown")))),
                field("Released", &released),
            ],
        }),
    ]
}

/// The `chat.postMessage` body announcing a held push in `channel`, with the "Release
/// now" button (primary, with a confirm dialog) whose value is the hold's
/// [`HoldKey::button_value`].
pub fn hold_announcement(channel: &str, view: &HeldView) -> Value {
    let mut blocks = held_blocks(view);
    blocks.push(json!({
        "type": "actions",
        "block_id": HOLD_BLOCK_ID,
        "elements": [{
            "type": "button",
            "action_id": RELEASE_ACTION_ID,
            "text": plain("Release now"),
            "style": "primary",
            "value": view.key.button_value(),
            "confirm": {
                "title": plain("Release the held push?"),
                "text": plain(&truncate_chars(&format!("{} starts now at {}, before the freeze ends.", view.key.pipeline, short_commit(&view.commit_id)), 300)),
                "confirm": plain("Release now"),
                "deny": plain("Cancel"),
            },
        }],
    }));
    json!({
        "channel": channel,
        "text": format!(
            "{} on {} is held by freeze {} at {}",
            view.key.pipeline, view.key.branch, view.freeze, short_commit(&view.commit_id)
        ),
        "blocks": blocks,
    })
}

/// The message's blocks without its actions block: what stays after a click.
fn kept_blocks(original_blocks: &[Value], key: &HoldKey) -> Vec<Value> {
    let kept: Vec<Value> = original_blocks
        .iter()
        .filter(|b| b.get("type").and_then(Value::as_str) != Some("actions"))
        .cloned()
        .collect();
    if kept.is_empty() {
        vec![json!({
            "type": "header",
            "text": plain(&truncate_chars(&format!("Held by freeze: {}", key.pipeline), 150)),
        })]
    } else {
        kept
    }
}

/// The replacement once released from Slack: "Released by <@user> at <commit>
/// (execution …)", the button gone.
pub fn released_update(
    original_blocks: &[Value],
    key: &HoldKey,
    user_id: &str,
    commit_id: &str,
    execution_id: &str,
    at: Timestamp,
) -> Value {
    let line = format!(
        ":rocket: *Released* by <@{}> at `{}` (execution `{}`), {}",
        escape_mrkdwn(user_id),
        escape_mrkdwn(short_commit(commit_id)),
        escape_mrkdwn(execution_id),
        at.slack_date()
    );
    let mut blocks = kept_blocks(original_blocks, key);
    blocks.push(section(&line));
    json!({
        "replace_original": true,
        "text": format!("{key} released by {user_id} at {} (execution {execution_id})", short_commit(commit_id)),
        "blocks": blocks,
    })
}

/// The text for a hold that is gone (released by the scheduler, another click, or never
/// written).
pub const ALREADY_RELEASED: &str =
    ":white_check_mark: Already released: this hold is no longer held, so nothing was started.";

/// The text for a hold whose release someone else is running.
pub const RELEASED_ELSEWHERE: &str = ":hourglass: Being released elsewhere (the scheduler or another click): nothing more was started.";

/// The replacement when the hold was gone or being released elsewhere.
pub fn already_released_update(original_blocks: &[Value], key: &HoldKey, text: &str) -> Value {
    let mut blocks = kept_blocks(original_blocks, key);
    blocks.push(section(text));
    json!({
        "replace_original": true,
        "text": format!("{key}: {text}"),
        "blocks": blocks,
    })
}

/// The announcement workflow of the `approval-requester`: the approvals file, Slack and
/// the hold store (read only).
pub struct Announcements<S, H> {
    /// The approvals file: the channel of each pipeline.
    pub config: Arc<ApprovalsConfig>,
    /// Slack.
    pub slack: S,
    /// The holds (read to show the hold as stored).
    pub holds: H,
}

impl<S, H> Announcements<S, H>
where
    S: SlackApi + Sync,
    H: HoldStore + Sync,
{
    /// Posts one announcement per `frozen` decision of `summary`. A summary without
    /// any is logged and ignored; a pipeline the approvals file does not list is logged
    /// and not posted. Slack's failure is an error (SNS retries the message).
    pub async fn announce(
        &self,
        summary: &str,
        output: &mut RequesterOutput,
    ) -> Result<(), AnnounceError> {
        let frozen = frozen_pushes(summary)?;
        if frozen.is_empty() {
            tracing::info!(
                decision = LogDecision::Ignored.as_str(),
                "routing summary without frozen decisions"
            );
            output
                .skipped
                .push("routing summary without frozen decisions".to_owned());
            return Ok(());
        }
        for push in frozen {
            let key = push.key();
            let channel = match self.config.pipeline(&push.pipeline) {
                Some(_) => self.config.channel_for(&push.pipeline),
                None => None,
            };
            let Some(channel) = channel else {
                tracing::info!(decision = LogDecision::NotPosted.as_str(), pipeline = %push.pipeline, branch = %push.branch, "held push not announced: the pipeline is not in the approvals file");
                output
                    .skipped
                    .push(format!("{key}: pipeline not in the approvals file"));
                continue;
            };
            let view = match self.holds.get(&key).await {
                Ok(Some(hold)) => HeldView::of_hold(&hold),
                Ok(None) => {
                    tracing::info!(decision = LogDecision::NotPosted.as_str(), pipeline = %push.pipeline, branch = %push.branch, "held push not announced: no hold is stored (released already, or not written)");
                    output.skipped.push(format!("{key}: no hold stored"));
                    continue;
                }
                Err(error) => {
                    tracing::warn!(pipeline = %push.pipeline, branch = %push.branch, error = %error, "hold not read; announcing the push as the summary tells it");
                    HeldView::of_push(&push)
                }
            };
            let posted = self
                .slack
                .post_message(&hold_announcement(channel, &view))
                .await?;
            tracing::info!(decision = LogDecision::Announced.as_str(), pipeline = %push.pipeline, branch = %push.branch, freeze = %view.freeze, commit = %view.commit_id, channel = %posted.channel, ts = %posted.ts, "held push announced");
            output.announced.push(Announced {
                pipeline: push.pipeline.clone(),
                branch: push.branch.clone(),
                commit_id: view.commit_id.clone(),
                channel: posted.channel,
                ts: posted.ts,
            });
        }
        Ok(())
    }
}

/// Why a routing summary could not be announced.
#[derive(Debug, thiserror::Error)]
pub enum AnnounceError {
    /// The summary could not be read; retrying will not help.
    #[error(transparent)]
    Summary(#[from] SummaryError),
    /// Slack refused or did not answer; worth retrying. (Slack's error in the message,
    /// not a `source`, so that it is printed once.)
    #[error("Slack: {0}")]
    Slack(SlackError),
}

impl From<SlackError> for AnnounceError {
    fn from(error: SlackError) -> Self {
        Self::Slack(error)
    }
}

impl AnnounceError {
    /// A stable name for the kind of error.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::Summary(_) => "MalformedRoutingSummary",
            Self::Slack(_) => "SlackUnavailable",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::RecordingSlack;
    use pipeline_schedules::MemoryHoldStore;
    use pipeline_schedules::jiff::Timestamp as Jiff;

    const SUMMARY: &str =
        include_str!("../../../events/approval-requester/routing-summary-frozen.json");

    fn config() -> Arc<ApprovalsConfig> {
        Arc::new(
            ApprovalsConfig::from_yaml(
                "version: 1\npipelines:\n  - name: api\n    channel: C0API\n    approvers: [U0ALICE]\n",
                "approvals.yaml",
            )
            .unwrap(),
        )
    }

    fn sns_message() -> String {
        let event: Value = serde_json::from_str(SUMMARY).unwrap();
        event["Records"][0]["Sns"]["Message"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn frozen_decisions_are_read_from_the_summary() {
        let message = sns_message();
        assert!(is_routing_summary(&message));
        assert!(!is_routing_summary(r#"{"approval": {}}"#));
        let frozen = frozen_pushes(&message).unwrap();
        let pipelines: Vec<&str> = frozen.iter().map(|f| f.pipeline.as_str()).collect();
        assert_eq!(pipelines, ["api", "docs"]);
        assert_eq!(frozen[0].freeze, "release-week");
        assert_eq!(frozen[0].branch, "main");
        assert_eq!(frozen[0].release_at, "2026-11-06T23:00:00Z");
    }

    #[test]
    fn the_announcement_carries_the_hold_and_its_button() {
        let hold = Hold::for_push(
            "monorepo",
            "api",
            "main",
            "e3b1f6a2c9d84e7f",
            Some("Source"),
            Some("arn:aws:iam::1:user/dev"),
            Jiff::UNIX_EPOCH,
            "release-week",
            Jiff::UNIX_EPOCH,
        );
        let body = hold_announcement("C0API", &HeldView::of_hold(&hold));
        assert_eq!(body["channel"], "C0API");
        let text = body["blocks"].to_string();
        for expected in [
            "release-week",
            "e3b1f6a",
            "1 push",
            "user/dev",
            "1970-01-01",
        ] {
            assert!(text.contains(expected), "{expected} missing: {text}");
        }
        let button = &body["blocks"][2]["elements"][0];
        assert_eq!(button["action_id"], RELEASE_ACTION_ID);
        assert_eq!(
            HoldKey::from_button_value(button["value"].as_str().unwrap()),
            Some(hold.key())
        );
    }

    #[tokio::test]
    async fn only_listed_pipelines_with_a_hold_are_announced() {
        let hold = Hold::for_push(
            "monorepo",
            "api",
            "main",
            "e3b1f6a2c9d84e7f0a5b3c2d1e9f8a7b6c5d4e3f",
            None,
            None,
            Jiff::UNIX_EPOCH,
            "release-week",
            Jiff::UNIX_EPOCH,
        );
        let announcements = Announcements {
            config: config(),
            slack: RecordingSlack::default(),
            holds: MemoryHoldStore::with([hold]),
        };
        let mut output = RequesterOutput::default();
        announcements
            .announce(&sns_message(), &mut output)
            .await
            .unwrap();
        // `docs` is frozen too, but not in the approvals file.
        assert_eq!(output.announced.len(), 1, "{output:?}");
        assert_eq!(output.announced[0].channel, "C0API");
        assert!(output.skipped[0].contains("docs"), "{output:?}");

        let mut output = RequesterOutput::default();
        let nothing_frozen = sns_message().replace("\"frozen\"", "\"skip\"");
        announcements
            .announce(&nothing_frozen, &mut output)
            .await
            .unwrap();
        assert!(output.announced.is_empty());
    }
}
