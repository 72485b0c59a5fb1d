//! The Slack Web API, as a small port ([`SlackApi`]) and its HTTPS adapter ([`SlackHttp`]).
//!
//! The adapter speaks HTTP/1.1 over the TLS stack the AWS SDK already uses (hyper 1,
//! hyper-rustls, rustls with aws-lc-rs, the system's root certificates). Every call has a
//! short timeout: the handler must answer Slack within 3 s.
//!
//! The API's base URL is `SLACK_API_URL` (default [`DEFAULT_SLACK_API_URL`]): Slack's own
//! for a deployment, a local server for local runs and tests. The bot token is sent to
//! that base URL only, never to a `response_url`.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

use crate::secrets::BotToken;

/// Slack's Web API.
pub const DEFAULT_SLACK_API_URL: &str = "https://slack.com/api";

/// Largest response body read from Slack.
const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// A Slack call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    /// The request could not be sent or the answer not read (includes timeouts).
    #[error("Slack {call}: {message}")]
    Transport {
        /// The method, or `response_url`.
        call: String,
        /// Why.
        message: String,
    },
    /// Slack answered with an error.
    #[error("Slack {call} answered {status}: {error}")]
    Api {
        /// The method, or `response_url`.
        call: String,
        /// The HTTP status.
        status: u16,
        /// Slack's `error` code (like `channel_not_found`), or the body's start.
        error: String,
    },
}

/// What the functions need from Slack.
pub trait SlackApi {
    /// Calls Web API `method` with a JSON body; the answer is the JSON of a `"ok": true`
    /// response.
    fn call_json(
        &self,
        method: &str,
        body: &Value,
    ) -> impl Future<Output = Result<Value, SlackError>> + Send;

    /// Calls Web API `method` with form arguments (read methods such as
    /// `users.lookupByEmail` take no JSON).
    fn call_form(
        &self,
        method: &str,
        args: &[(&str, &str)],
    ) -> impl Future<Output = Result<Value, SlackError>> + Send;

    /// Posts `body` to an interaction's `response_url` (no token is sent).
    fn respond(
        &self,
        response_url: &str,
        body: &Value,
    ) -> impl Future<Output = Result<(), SlackError>> + Send;
}

/// Where a posted message is: what `chat.update` needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostedMessage {
    /// Channel id.
    pub channel: String,
    /// Message `ts`.
    pub ts: String,
}

/// `chat.postMessage`: posts `body` (which names its channel).
pub async fn post_message(
    slack: &impl SlackApi,
    body: &Value,
) -> Result<PostedMessage, SlackError> {
    let answer = slack.call_json("chat.postMessage", body).await?;
    let field = |name: &str| answer.get(name).and_then(Value::as_str).map(str::to_owned);
    match (field("channel"), field("ts")) {
        (Some(channel), Some(ts)) => Ok(PostedMessage { channel, ts }),
        _ => Err(SlackError::Api {
            call: "chat.postMessage".to_owned(),
            status: 200,
            error: "the answer has no channel or ts".to_owned(),
        }),
    }
}

/// `chat.update`: replaces the message at `at` with `update`'s `text` and `blocks`.
pub async fn update_message(
    slack: &impl SlackApi,
    at: &PostedMessage,
    update: &Value,
) -> Result<(), SlackError> {
    let body = json!({
        "channel": at.channel,
        "ts": at.ts,
        "text": update.get("text").cloned().unwrap_or_default(),
        "blocks": update.get("blocks").cloned().unwrap_or_else(|| json!([])),
    });
    slack.call_json("chat.update", &body).await.map(|_| ())
}

/// `users.lookupByEmail`: the Slack id of the user with `email`, `None` when nobody has it.
pub async fn user_id_by_email(
    slack: &impl SlackApi,
    email: &str,
) -> Result<Option<String>, SlackError> {
    match slack
        .call_form("users.lookupByEmail", &[("email", email)])
        .await
    {
        Ok(answer) => Ok(answer
            .pointer("/user/id")
            .and_then(Value::as_str)
            .map(str::to_owned)),
        Err(SlackError::Api { error, .. }) if error == "users_not_found" => Ok(None),
        Err(error) => Err(error),
    }
}

/// `usergroups.users.list`: the members of user group `group`.
pub async fn usergroup_members(
    slack: &impl SlackApi,
    group: &str,
) -> Result<Vec<String>, SlackError> {
    let answer = slack
        .call_form("usergroups.users.list", &[("usergroup", group)])
        .await?;
    Ok(answer
        .get("users")
        .and_then(Value::as_array)
        .map(|users| {
            users
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default())
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The Slack Web API over HTTPS (or HTTP for a loopback base URL).
#[derive(Clone)]
pub struct SlackHttp {
    client: HttpsClient,
    base_url: String,
    token: BotToken,
    timeout: Duration,
}

impl std::fmt::Debug for SlackHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackHttp")
            .field("base_url", &self.base_url)
            .field("token", &self.token)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl SlackHttp {
    /// A client for the API at `base_url` (like `https://slack.com/api`), each call
    /// limited to `timeout`. Fails when the system's root certificates cannot be read.
    pub fn new(base_url: &str, token: BotToken, timeout: Duration) -> Result<Self, SlackError> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| SlackError::Transport {
                call: "client".to_owned(),
                message: format!("no root certificates: {e}"),
            })?
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token,
            timeout,
        })
    }

    /// Whether the base URL is a loopback address (a local Slack stand-in).
    pub fn is_local(&self) -> bool {
        slack_approval::decide::is_loopback_http_url(&self.base_url)
    }

    async fn send(
        &self,
        call: &str,
        url: &str,
        content_type: &str,
        body: String,
        with_token: bool,
    ) -> Result<(u16, Bytes), SlackError> {
        let transport = |message: String| SlackError::Transport {
            call: call.to_owned(),
            message,
        };
        let mut request = hyper::Request::post(url).header("content-type", content_type);
        if with_token {
            request = request.header("authorization", format!("Bearer {}", self.token.expose()));
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| transport(format!("invalid request: {e}")))?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| transport(format!("request failed: {e}")))?;
            let status = response.status().as_u16();
            let body = http_body_util::Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
                .collect()
                .await
                .map_err(|e| transport(format!("reading the answer failed: {e}")))?
                .to_bytes();
            Ok((status, body))
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| transport(format!("no answer within {:?}", self.timeout)))?
    }

    async fn web_api(
        &self,
        method: &str,
        content_type: &str,
        body: String,
    ) -> Result<Value, SlackError> {
        let url = format!("{}/{method}", self.base_url);
        let (status, bytes) = self.send(method, &url, content_type, body, true).await?;
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if (200..300).contains(&status) && answer.get("ok") == Some(&Value::Bool(true)) {
            return Ok(answer);
        }
        let error = answer
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(100).collect());
        Err(SlackError::Api {
            call: method.to_owned(),
            status,
            error,
        })
    }
}

impl SlackApi for SlackHttp {
    async fn call_json(&self, method: &str, body: &Value) -> Result<Value, SlackError> {
        self.web_api(method, "application/json; charset=utf-8", body.to_string())
            .await
    }

    async fn call_form(&self, method: &str, args: &[(&str, &str)]) -> Result<Value, SlackError> {
        let form = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(args)
            .finish();
        self.web_api(method, "application/x-www-form-urlencoded", form)
            .await
    }

    async fn respond(&self, response_url: &str, body: &Value) -> Result<(), SlackError> {
        let call = "response_url";
        let (status, bytes) = self
            .send(
                call,
                response_url,
                "application/json; charset=utf-8",
                body.to_string(),
                false,
            )
            .await?;
        if (200..300).contains(&status) {
            return Ok(());
        }
        Err(SlackError::Api {
            call: call.to_owned(),
            status,
            error: String::from_utf8_lossy(&bytes).chars().take(100).collect(),
        })
    }
}
