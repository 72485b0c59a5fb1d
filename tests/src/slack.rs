//! A local stand-in for Slack that records what the functions send: a real HTTP server
//! answering the Web API methods the approval functions call (`/api/chat.postMessage`,
//! `/api/chat.update`, `/api/views.open`, `/api/users.lookupByEmail`,
//! `/api/usergroups.users.list`) and any other path as a `response_url`, each with a
//! `{"ok": true, ...}` reply. Point `SLACK_API_URL` (or `SlackHttp::new`) at
//! [`SlackServer::api_url`] and put [`SlackServer::response_url`] in payloads.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::recording::{Received, Recorder};

/// A request the server received.
#[derive(Clone, Debug)]
pub struct SlackRequest {
    /// The path, like `/api/chat.update` or `/actions/T0ACME/1/abc`.
    pub path: String,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The body: JSON as JSON, a form as a JSON object of its fields.
    pub body: Value,
}

#[derive(Default)]
struct State {
    requests: Vec<SlackRequest>,
    users_by_email: HashMap<String, String>,
    group_members: HashMap<String, Vec<String>>,
}

/// The server.
#[derive(Clone)]
pub struct SlackServer {
    server: Recorder<State>,
}

impl SlackServer {
    /// Starts the server on a free loopback port, in the current tokio runtime.
    pub async fn start() -> Self {
        let server = Recorder::start("application/json; charset=utf-8", answer).await;
        Self { server }
    }

    /// The Web API base URL (`http://127.0.0.1:<port>/api`).
    pub fn api_url(&self) -> String {
        format!("{}/api", self.server.base_url())
    }

    /// A `response_url` on this server.
    pub fn response_url(&self) -> String {
        format!(
            "{}/actions/T0ACME/1793699098/rEsPoNsE",
            self.server.base_url()
        )
    }

    /// `users.lookupByEmail` finds `user_id` for `email`.
    pub fn add_user(&self, email: &str, user_id: &str) {
        self.server.with_state(|state| {
            state
                .users_by_email
                .insert(email.to_owned(), user_id.to_owned())
        });
    }

    /// `usergroups.users.list` lists `members` for `group`.
    pub fn add_group(&self, group: &str, members: &[&str]) {
        self.server.with_state(|state| {
            state.group_members.insert(
                group.to_owned(),
                members.iter().map(|m| (*m).to_owned()).collect(),
            )
        });
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<SlackRequest> {
        self.server
            .with_state(|s| s.requests.clone())
            .unwrap_or_default()
    }

    /// The bodies of the requests to Web API `method`.
    pub fn calls(&self, method: &str) -> Vec<Value> {
        let path = format!("/api/{method}");
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .map(|r| r.body)
            .collect()
    }

    /// The bodies posted to `response_url`s (any path outside `/api/`).
    pub fn responses(&self) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| !r.path.starts_with("/api/"))
            .map(|r| r.body)
            .collect()
    }
}

fn answer(state: &mut State, request: Received) -> (u16, Value) {
    let authorization = request.header("authorization").map(str::to_owned);
    let path = request.path;
    let body = serde_json::from_slice::<Value>(&request.body)
        .unwrap_or_else(|_| Value::Object(form_fields(&request.body)));
    state.requests.push(SlackRequest {
        path: path.clone(),
        authorization,
        body: body.clone(),
    });
    let count = state.requests.len();
    let field = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or_default();
    let reply = match path.as_str() {
        "/api/chat.postMessage" => json!({
            "ok": true,
            "channel": field("channel"),
            "ts": format!("1793699000.{count:06}"),
            "message": {"text": body.get("text").cloned().unwrap_or_default()},
        }),
        "/api/chat.update" => {
            json!({"ok": true, "channel": field("channel"), "ts": field("ts")})
        }
        "/api/users.lookupByEmail" => match state.users_by_email.get(field("email")) {
            Some(id) => json!({"ok": true, "user": {"id": id}}),
            None => json!({"ok": false, "error": "users_not_found"}),
        },
        "/api/usergroups.users.list" => json!({
            "ok": true,
            "users": state.group_members.get(field("usergroup")).cloned().unwrap_or_default(),
        }),
        _ => json!({"ok": true}),
    };
    (200, reply)
}

/// `a=b&c=d` as a JSON object (names and values URL-decoded).
fn form_fields(bytes: &[u8]) -> serde_json::Map<String, Value> {
    String::from_utf8_lossy(bytes)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), Value::String(decode(v))))
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
