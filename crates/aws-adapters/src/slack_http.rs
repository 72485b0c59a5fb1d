//! The Slack Web API over HTTPS: [`SlackHttp`], the adapter of
//! [`slack_approval::SlackApi`].
//!
//! The adapter speaks HTTP/1.1 over the TLS stack the AWS SDK already uses (hyper 1,
//! hyper-rustls, rustls with aws-lc-rs, the system's root certificates). Every call has a
//! short timeout: the handler must answer Slack within 3 s.
//!
//! The API's base URL is `SLACK_API_URL` (default [`DEFAULT_SLACK_API_URL`]): Slack's own
//! for a deployment, a local server for local runs and tests. The bot token is sent to
//! that base URL only, never to a `response_url`.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use slack_approval::ports::chat_update_body;
use slack_approval::{PostedMessage, SlackApi, SlackError};

use crate::slack_secrets::BotToken;

/// Slack's Web API.
pub const DEFAULT_SLACK_API_URL: &str = "https://slack.com/api";

/// Largest response body read from Slack.
const MAX_RESPONSE_BYTES: usize = 1 << 20;

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

impl SlackHttp {
    async fn call_json(&self, method: &str, body: &Value) -> Result<Value, SlackError> {
        self.web_api(method, "application/json; charset=utf-8", body.to_string())
            .await
    }

    /// Read methods such as `users.lookupByEmail` take form arguments, not JSON.
    async fn call_form(&self, method: &str, args: &[(&str, &str)]) -> Result<Value, SlackError> {
        let form = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(args)
            .finish();
        self.web_api(method, "application/x-www-form-urlencoded", form)
            .await
    }
}

impl SlackApi for SlackHttp {
    async fn post_message(&self, body: &Value) -> Result<PostedMessage, SlackError> {
        let answer = self.call_json("chat.postMessage", body).await?;
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

    async fn update_message(&self, at: &PostedMessage, update: &Value) -> Result<(), SlackError> {
        self.call_json("chat.update", &chat_update_body(at, update))
            .await
            .map(|_| ())
    }

    async fn open_view(&self, body: &Value) -> Result<(), SlackError> {
        self.call_json("views.open", body).await.map(|_| ())
    }

    async fn user_id_by_email(&self, email: &str) -> Result<Option<String>, SlackError> {
        match self
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

    async fn group_members(&self, group: &str) -> Result<Vec<String>, SlackError> {
        let answer = self
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
