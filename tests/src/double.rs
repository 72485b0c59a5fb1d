//! A recorded-response double of an AWS JSON-protocol service (CodeCommit, CodePipeline):
//! a real HTTP server that answers each `X-Amz-Target` with scripted replies (usually
//! recorded responses from `tests/recorded/`) and records every request it receives.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::Value;

/// One scripted reply: an HTTP status and a JSON body.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
}

impl Reply {
    /// A 200 reply.
    pub fn ok(body: Value) -> Self {
        Self { status: 200, body }
    }

    /// An AWS JSON-protocol error reply (`__type` is the error code).
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self {
            status,
            body: serde_json::json!({"__type": code, "message": message}),
        }
    }

    /// A recorded response from `tests/recorded/<path>`.
    pub fn recorded(path: &str) -> Self {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("recorded")
            .join(path);
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("recorded response {}: {e}", file.display()));
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("recorded response {}: {e}", file.display()));
        Self::ok(body)
    }
}

type Predicate = Box<dyn Fn(&Value) -> bool + Send>;

struct Script {
    target: String,
    when: Option<Predicate>,
    replies: VecDeque<Reply>,
}

/// A request the double received.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The `X-Amz-Target` header (empty for other requests).
    pub target: String,
    /// The body, as JSON when it is JSON, else as a string.
    pub body: Value,
}

#[derive(Default)]
struct State {
    scripts: Vec<Script>,
    requests: Vec<Recorded>,
}

/// The double: start it, script it, point an SDK client at [`AwsDouble::endpoint`].
#[derive(Clone)]
pub struct AwsDouble {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl AwsDouble {
    /// Starts the double on a free loopback port, in the current tokio runtime.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let address = crate::http::serve(Arc::clone(&state), answer).await;
        Self { address, state }
    }

    /// The endpoint URL for SDK clients.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Replies to every call of `target` (e.g. `CodeCommit_20150413.GetDifferences`) with
    /// `replies` in order; the last one repeats.
    pub fn on(&self, target: &str, replies: Vec<Reply>) {
        self.push(target, None, replies);
    }

    /// Replies to every call of `target` with the recorded response `tests/recorded/<path>`.
    pub fn on_recorded(&self, target: &str, path: &str) {
        self.on(target, vec![Reply::recorded(path)]);
    }

    /// Scripts the four recorded pages of `GetDifferences` for the push to main
    /// (`codecommit/get-differences-page-{1..4}.json`), answering by the request's
    /// `NextToken`, for the calls whose body also satisfies `when`.
    pub fn on_diff_pages(&self, when: impl Fn(&Value) -> bool + Clone + Send + 'static) {
        for (token, page) in [
            (None, 1),
            (Some("eyJwYWdlIjoyfQ=="), 2),
            (Some("eyJwYWdlIjozfQ=="), 3),
            (Some("eyJwYWdlIjo0fQ=="), 4),
        ] {
            let when = when.clone();
            self.on_matching(
                crate::target::GET_DIFFERENCES,
                move |body| when(body) && body.get("NextToken").and_then(Value::as_str) == token,
                vec![Reply::recorded(&format!(
                    "codecommit/get-differences-page-{page}.json"
                ))],
            );
        }
    }

    /// Like [`AwsDouble::on`], for the calls whose JSON body satisfies `when`. Scripts are
    /// tried in the order they were added.
    pub fn on_matching(
        &self,
        target: &str,
        when: impl Fn(&Value) -> bool + Send + 'static,
        replies: Vec<Reply>,
    ) {
        self.push(target, Some(Box::new(when)), replies);
    }

    fn push(&self, target: &str, when: Option<Predicate>, replies: Vec<Reply>) {
        if let Ok(mut state) = self.state.lock() {
            state.scripts.push(Script {
                target: target.to_owned(),
                when,
                replies: replies.into(),
            });
        }
    }

    /// Every request received so far with this target, oldest first.
    pub fn requests(&self, target: &str) -> Vec<Value> {
        self.all_requests()
            .into_iter()
            .filter(|r| r.target == target)
            .map(|r| r.body)
            .collect()
    }

    /// Every request received so far.
    pub fn all_requests(&self) -> Vec<Recorded> {
        self.state
            .lock()
            .map(|s| s.requests.clone())
            .unwrap_or_default()
    }
}

async fn answer(
    state: Arc<Mutex<State>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    let reply = {
        let Ok(mut state) = state.lock() else {
            return Ok(respond(&Reply::error(
                500,
                "InternalFailure",
                "double poisoned",
            )));
        };
        state.requests.push(Recorded {
            target: target.clone(),
            body: body.clone(),
        });
        let script = state
            .scripts
            .iter_mut()
            .find(|s| s.target == target && s.when.as_ref().is_none_or(|when| when(&body)));
        match script {
            Some(script) if script.replies.len() > 1 => script.replies.pop_front(),
            Some(script) => script.replies.front().cloned(),
            None => None,
        }
    };
    let reply = reply.unwrap_or_else(|| {
        Reply::error(
            400,
            "UnrecordedRequest",
            &format!("the double has no reply for {target} {body}"),
        )
    });
    Ok(respond(&reply))
}

fn respond(reply: &Reply) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(reply.body.to_string())));
    *response.status_mut() =
        hyper::StatusCode::from_u16(reply.status).unwrap_or(hyper::StatusCode::BAD_REQUEST);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    response
}
