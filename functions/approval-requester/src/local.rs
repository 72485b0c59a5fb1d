//! A [`SlackApi`] that records calls instead of sending them: for the CLI's local runs
//! and for unit tests.

use std::sync::Mutex;

use serde_json::{Value, json};

use crate::slack::{SlackApi, SlackError};

/// One recorded call.
#[derive(Clone, Debug, PartialEq)]
pub struct SlackCall {
    /// The Web API method, or `response_url <url>`.
    pub call: String,
    /// The JSON body, or the form arguments as a JSON object.
    pub body: Value,
}

/// Records every call and answers like Slack would: `chat.postMessage` gets a channel and
/// a `ts`, `users.lookupByEmail` and `usergroups.users.list` get the answers configured.
#[derive(Debug, Default)]
pub struct RecordingSlack {
    calls: Mutex<Vec<SlackCall>>,
    /// `users.lookupByEmail` answers: (email, user id).
    pub users_by_email: Vec<(String, String)>,
    /// `usergroups.users.list` answers: (group id, member ids).
    pub group_members: Vec<(String, Vec<String>)>,
}

impl RecordingSlack {
    /// A recorder whose directory knows these users' emails and these groups' members.
    pub fn with_directory(
        users_by_email: Vec<(String, String)>,
        group_members: Vec<(String, Vec<String>)>,
    ) -> Self {
        Self {
            users_by_email,
            group_members,
            ..Self::default()
        }
    }

    /// The calls recorded so far, oldest first.
    pub fn calls(&self) -> Vec<SlackCall> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn record(&self, call: String, body: Value) -> usize {
        match self.calls.lock() {
            Ok(mut calls) => {
                calls.push(SlackCall { call, body });
                calls.len()
            }
            Err(_) => 0,
        }
    }
}

impl SlackApi for RecordingSlack {
    async fn call_json(&self, method: &str, body: &Value) -> Result<Value, SlackError> {
        let n = self.record(method.to_owned(), body.clone());
        Ok(match method {
            "chat.postMessage" => json!({
                "ok": true,
                "channel": body.get("channel").cloned().unwrap_or_default(),
                "ts": format!("1700000000.{n:06}"),
            }),
            _ => json!({"ok": true}),
        })
    }

    async fn call_form(&self, method: &str, args: &[(&str, &str)]) -> Result<Value, SlackError> {
        let body: serde_json::Map<String, Value> = args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
            .collect();
        self.record(method.to_owned(), Value::Object(body));
        let arg = |name: &str| {
            args.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| *v)
                .unwrap_or_default()
        };
        match method {
            "users.lookupByEmail" => {
                match self.users_by_email.iter().find(|(e, _)| e == arg("email")) {
                    Some((_, id)) => Ok(json!({"ok": true, "user": {"id": id}})),
                    None => Err(SlackError::Api {
                        call: method.to_owned(),
                        status: 200,
                        error: "users_not_found".to_owned(),
                    }),
                }
            }
            "usergroups.users.list" => {
                let users = self
                    .group_members
                    .iter()
                    .find(|(g, _)| g == arg("usergroup"))
                    .map(|(_, users)| users.clone())
                    .unwrap_or_default();
                Ok(json!({"ok": true, "users": users}))
            }
            _ => Ok(json!({"ok": true})),
        }
    }

    async fn respond(&self, response_url: &str, body: &Value) -> Result<(), SlackError> {
        self.record(format!("response_url {response_url}"), body.clone());
        Ok(())
    }
}
