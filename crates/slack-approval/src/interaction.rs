//! Slack interaction payloads: a button click (`block_actions`) and the submission of the
//! reject-reason modal (`view_submission`).
//!
//! Slack POSTs them as `application/x-www-form-urlencoded` with one field, `payload`,
//! holding the JSON. Parsing takes only what the approval flow needs and ignores every
//! other field, including the deprecated verification `token` (the signature checked in
//! [`crate::verify`] replaces it). Missing required fields are errors naming the path,
//! like: missing field `actions[0].action_id`.
//!
//! Read from a `block_actions` payload: `user.id`, `user.username` / `user.name`,
//! `user.team_id`, `team.id`, `api_app_id`, `trigger_id`, `response_url`,
//! `actions[0].action_id` / `.block_id` / `.value`, `container.channel_id` (or
//! `channel.id`), `container.message_ts` (or `message.ts`), and `message.blocks`.
//!
//! Read from a `view_submission` payload: the user, team and app as above, `view.id`,
//! `view.callback_id`, `view.private_metadata`, and the reason typed into the modal at
//! `view.state.values.<REASON_BLOCK_ID>.<REASON_ACTION_ID>.value`.

use std::borrow::Cow;

use serde_json::Value;

use crate::fields::{FieldError, Obj};
use crate::message::{REASON_ACTION_ID, REASON_BLOCK_ID};

/// The Slack user who clicked or submitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlackUser {
    /// User id (`U…` or `W…`): the only thing authorization trusts.
    pub id: String,
    /// `user.username`, when given.
    pub username: Option<String>,
    /// `user.name` (legacy, often the same as `username`), when given.
    pub name: Option<String>,
    /// `user.team_id`, when given (an empty string is kept: it is not a workspace).
    pub team_id: Option<String>,
}

impl SlackUser {
    /// The best name to show: `username`, else `name`, else the id.
    pub fn display_name(&self) -> &str {
        self.username
            .as_deref()
            .or(self.name.as_deref())
            .unwrap_or(&self.id)
    }
}

/// A click on a button of a message.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockActions {
    /// Who clicked.
    pub user: SlackUser,
    /// `team.id` as given (an empty string is kept), or `user.team_id` when the payload's
    /// `team` is absent or `null` (org-wide installs send `team: null`).
    pub team_id: Option<String>,
    /// The app the message belongs to.
    pub api_app_id: String,
    /// Opens a modal within 3 s of the click.
    pub trigger_id: Option<String>,
    /// Where to post message updates and ephemeral replies (5 posts in 30 minutes).
    pub response_url: String,
    /// `actions[0].action_id`: which button.
    pub action_id: String,
    /// `actions[0].block_id`.
    pub block_id: Option<String>,
    /// `actions[0].value`: the button's value.
    pub value: Option<String>,
    /// The channel of the message.
    pub channel_id: Option<String>,
    /// The `ts` of the message.
    pub message_ts: Option<String>,
    /// The message's blocks as Slack sent them back (empty when absent).
    pub message_blocks: Vec<Value>,
}

/// The submission of a modal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewSubmission {
    /// Who submitted.
    pub user: SlackUser,
    /// `team.id` as given, or `user.team_id` when `team` is absent or `null`.
    pub team_id: Option<String>,
    /// The app the modal belongs to.
    pub api_app_id: String,
    /// `view.id`.
    pub view_id: Option<String>,
    /// `view.callback_id`: which modal.
    pub callback_id: Option<String>,
    /// `view.private_metadata`, as set when the modal was opened.
    pub private_metadata: Option<String>,
    /// The reason typed into the reject-reason modal, when given.
    pub reason: Option<String>,
}

/// An interaction payload.
#[derive(Clone, Debug, PartialEq)]
pub enum Interaction {
    /// A button click.
    BlockActions(BlockActions),
    /// A modal submission.
    ViewSubmission(ViewSubmission),
    /// Any other type (`view_closed`, `shortcut`, ...), which the approval flow ignores.
    Other {
        /// The payload's `type`.
        kind: String,
    },
}

/// A body that is not an interaction payload.
#[derive(Debug, thiserror::Error)]
pub enum InteractionError {
    /// The form has no `payload` field.
    #[error("body has no `payload` form field")]
    NoPayload,
    /// The form has more than one `payload` field.
    #[error("body has more than one `payload` form field")]
    DuplicatePayload,
    /// `payload` is not JSON.
    #[error("payload is not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    /// A field is missing, empty or of the wrong type.
    #[error("payload: {0}")]
    Field(#[from] FieldError),
}

/// The `payload` field of a form-encoded body.
pub fn payload_from_form(body: &[u8]) -> Result<Cow<'_, str>, InteractionError> {
    let mut payload = None;
    for (key, value) in form_urlencoded::parse(body) {
        if key == "payload" {
            if payload.is_some() {
                return Err(InteractionError::DuplicatePayload);
            }
            payload = Some(value);
        }
    }
    payload.ok_or(InteractionError::NoPayload)
}

/// Parses a form-encoded interaction body (`payload=<json>`).
pub fn parse_interaction(body: &[u8]) -> Result<Interaction, InteractionError> {
    let payload = payload_from_form(body)?;
    parse_payload(&payload)
}

/// Parses the JSON of an interaction payload.
pub fn parse_payload(json: &str) -> Result<Interaction, InteractionError> {
    let doc: Value = serde_json::from_str(json)?;
    let root = Obj::root(&doc)?;
    match root.str("type")? {
        "block_actions" => Ok(Interaction::BlockActions(block_actions(root)?)),
        "view_submission" => Ok(Interaction::ViewSubmission(view_submission(root)?)),
        other => Ok(Interaction::Other {
            kind: other.chars().take(64).collect(),
        }),
    }
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

fn user_and_team(root: Obj<'_>) -> Result<(SlackUser, Option<String>), FieldError> {
    let user = Obj::child(root.object("user")?, "user");
    let user = SlackUser {
        id: user.str("id")?.to_owned(),
        username: owned(user.opt_str("username")?),
        name: owned(user.opt_str("name")?),
        team_id: owned(user.opt_str_as_given("team_id")?),
    };
    // A `team` object that is present speaks for the request, empty or not; only a
    // missing or null `team` falls back to the user's workspace.
    let team_id = match root.opt_object("team")? {
        Some(team) => owned(Obj::child(team, "team").opt_str_as_given("id")?),
        None => user.team_id.clone(),
    };
    Ok((user, team_id))
}

fn block_actions(root: Obj<'_>) -> Result<BlockActions, FieldError> {
    let (user, team_id) = user_and_team(root)?;
    let action = Obj::child(root.first_object("actions")?, "actions[0]");
    let container = root
        .opt_object("container")?
        .map(|c| Obj::child(c, "container"));
    let channel = root
        .opt_object("channel")?
        .map(|c| Obj::child(c, "channel"));
    let message = root
        .opt_object("message")?
        .map(|m| Obj::child(m, "message"));

    let channel_id = match container {
        Some(c) => c.opt_str("channel_id")?,
        None => None,
    };
    let channel_id = match (channel_id, channel) {
        (Some(id), _) => Some(id),
        (None, Some(c)) => c.opt_str("id")?,
        (None, None) => None,
    };
    let message_ts = match container {
        Some(c) => c.opt_str("message_ts")?,
        None => None,
    };
    let message_ts = match (message_ts, message) {
        (Some(ts), _) => Some(ts),
        (None, Some(m)) => m.opt_str("ts")?,
        (None, None) => None,
    };
    let message_blocks = match message {
        Some(m) => m.opt_array("blocks")?.cloned().unwrap_or_default(),
        None => Vec::new(),
    };

    Ok(BlockActions {
        user,
        team_id,
        api_app_id: root.str("api_app_id")?.to_owned(),
        trigger_id: owned(root.opt_str("trigger_id")?),
        response_url: root.str("response_url")?.to_owned(),
        action_id: action.str("action_id")?.to_owned(),
        block_id: owned(action.opt_str("block_id")?),
        value: owned(action.opt_str("value")?),
        channel_id: owned(channel_id),
        message_ts: owned(message_ts),
        message_blocks,
    })
}

fn view_submission(root: Obj<'_>) -> Result<ViewSubmission, FieldError> {
    let (user, team_id) = user_and_team(root)?;
    let view = Obj::child(root.object("view")?, "view");
    let reason = match view.opt_object("state")? {
        Some(state) => reason_from_state(Obj::child(state, "view.state"))?,
        None => None,
    };
    Ok(ViewSubmission {
        user,
        team_id,
        api_app_id: root.str("api_app_id")?.to_owned(),
        view_id: owned(view.opt_str("id")?),
        callback_id: owned(view.opt_str("callback_id")?),
        private_metadata: owned(view.opt_str("private_metadata")?),
        reason,
    })
}

fn reason_from_state(state: Obj<'_>) -> Result<Option<String>, FieldError> {
    let Some(values) = state.opt_object("values")? else {
        return Ok(None);
    };
    let values = Obj::child(values, "view.state.values");
    let Some(block) = values.opt_object(REASON_BLOCK_ID)? else {
        return Ok(None);
    };
    let block_path = format!("view.state.values.{REASON_BLOCK_ID}");
    let block = Obj::child(block, &block_path);
    let Some(input) = block.opt_object(REASON_ACTION_ID)? else {
        return Ok(None);
    };
    let input_path = format!("{block_path}.{REASON_ACTION_ID}");
    let input = Obj::child(input, &input_path);
    Ok(owned(input.opt_str("value")?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(payload: &Value) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("payload", &payload.to_string())
            .finish()
    }

    fn click() -> Value {
        json!({
            "type": "block_actions",
            "token": "ignored",
            "user": {"id": "U123", "username": "jane", "name": "jane", "team_id": "T1"},
            "api_app_id": "A1",
            "team": {"id": "T1", "domain": "acme"},
            "trigger_id": "123.456",
            "container": {"type": "message", "message_ts": "1.2", "channel_id": "C1"},
            "channel": {"id": "C1", "name": "deploys"},
            "message": {"ts": "1.2", "blocks": [{"type": "section"}]},
            "response_url": "https://hooks.slack.com/actions/T1/1/abc",
            "actions": [{"action_id": "a", "block_id": "b", "value": "v", "type": "button"}]
        })
    }

    #[test]
    fn parses_a_click() {
        let Interaction::BlockActions(a) = parse_interaction(form(&click()).as_bytes()).unwrap()
        else {
            panic!("not a click")
        };
        assert_eq!(a.user.id, "U123");
        assert_eq!(a.user.display_name(), "jane");
        assert_eq!(a.team_id.as_deref(), Some("T1"));
        assert_eq!(a.action_id, "a");
        assert_eq!(a.value.as_deref(), Some("v"));
        assert_eq!(a.channel_id.as_deref(), Some("C1"));
        assert_eq!(a.message_ts.as_deref(), Some("1.2"));
        assert_eq!(a.message_blocks.len(), 1);
    }

    #[test]
    fn team_falls_back_to_the_users_team_and_channel_to_channel_id() {
        let mut p = click();
        p["team"] = Value::Null;
        p.as_object_mut().unwrap().remove("container");
        let Interaction::BlockActions(a) = parse_payload(&p.to_string()).unwrap() else {
            panic!("not a click")
        };
        assert_eq!(a.team_id.as_deref(), Some("T1"));
        assert_eq!(a.channel_id.as_deref(), Some("C1"));
        assert_eq!(a.message_ts.as_deref(), Some("1.2"));
    }

    #[test]
    fn names_missing_fields() {
        let mut p = click();
        p["actions"][0].as_object_mut().unwrap().remove("action_id");
        let err = parse_payload(&p.to_string()).unwrap_err().to_string();
        assert_eq!(err, "payload: missing field `actions[0].action_id`");
        let mut p = click();
        p["user"].as_object_mut().unwrap().remove("id");
        let err = parse_payload(&p.to_string()).unwrap_err().to_string();
        assert_eq!(err, "payload: missing field `user.id`");
    }

    #[test]
    fn parses_a_modal_submission() {
        let p = json!({
            "type": "view_submission",
            "user": {"id": "U123", "username": "jane"},
            "team": {"id": "T1"},
            "api_app_id": "A1",
            "view": {
                "id": "V1", "callback_id": "cb", "private_metadata": "{}",
                "state": {"values": {REASON_BLOCK_ID: {REASON_ACTION_ID: {"type": "plain_text_input", "value": "tests fail"}}}}
            }
        });
        let Interaction::ViewSubmission(v) = parse_payload(&p.to_string()).unwrap() else {
            panic!("not a submission")
        };
        assert_eq!(v.reason.as_deref(), Some("tests fail"));
        assert_eq!(v.callback_id.as_deref(), Some("cb"));
    }

    #[test]
    fn form_errors() {
        assert!(matches!(
            parse_interaction(b"text=hi"),
            Err(InteractionError::NoPayload)
        ));
        assert!(matches!(
            parse_interaction(b"payload=%7B%7D&payload=%7B%7D"),
            Err(InteractionError::DuplicatePayload)
        ));
        assert!(matches!(
            parse_interaction(b"payload=%7B"),
            Err(InteractionError::NotJson(_))
        ));
        assert!(matches!(
            parse_interaction(b"payload=%7B%22type%22%3A%22shortcut%22%7D").unwrap(),
            Interaction::Other { kind } if kind == "shortcut"
        ));
    }
}
