//! A recorded-response double of an AWS JSON-protocol service (CodeCommit, CodePipeline):
//! a real HTTP server that answers each `X-Amz-Target` with scripted replies (usually
//! recorded responses from `tests/recorded/`) and records every request it receives.

use std::collections::VecDeque;

use serde_json::Value;

use crate::recording::{Received, Recorder};

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
    server: Recorder<State>,
}

impl AwsDouble {
    /// Starts the double on a free loopback port, in the current tokio runtime.
    pub async fn start() -> Self {
        let server = Recorder::start("application/x-amz-json-1.1", answer).await;
        Self { server }
    }

    /// The endpoint URL for SDK clients.
    pub fn endpoint(&self) -> String {
        self.server.base_url()
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
        self.server.with_state(|state| {
            state.scripts.push(Script {
                target: target.to_owned(),
                when,
                replies: replies.into(),
            });
        });
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
        self.server
            .with_state(|s| s.requests.clone())
            .unwrap_or_default()
    }
}

fn answer(state: &mut State, request: Received) -> (u16, Value) {
    let target = request
        .header("x-amz-target")
        .unwrap_or_default()
        .to_owned();
    let body: Value = serde_json::from_slice(&request.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&request.body).into_owned()));
    state.requests.push(Recorded {
        target: target.clone(),
        body: body.clone(),
    });
    let script = state
        .scripts
        .iter_mut()
        .find(|s| s.target == target && s.when.as_ref().is_none_or(|when| when(&body)));
    let reply = match script {
        Some(script) if script.replies.len() > 1 => script.replies.pop_front(),
        Some(script) => script.replies.front().cloned(),
        None => None,
    };
    let reply = reply.unwrap_or_else(|| {
        Reply::error(
            400,
            "UnrecordedRequest",
            &format!("the double has no reply for {target} {body}"),
        )
    });
    (reply.status, reply.body)
}
