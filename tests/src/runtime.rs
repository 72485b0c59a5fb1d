//! A local Lambda Runtime API: what Lambda's service side does for a function binary.
//!
//! Point a binary's `AWS_LAMBDA_RUNTIME_API` at [`RuntimeApi::address`] and
//! [`RuntimeApi::push`] events: each `GET /2018-06-01/runtime/invocation/next` takes the
//! next queued event (or waits for one) and answers it with the headers Lambda sends
//! (`Lambda-Runtime-Aws-Request-Id`, `-Deadline-Ms`, `-Invoked-Function-Arn`,
//! `-Trace-Id`). Every `/response` and `/error` the binary posts is recorded, as is an
//! `/init/error` from a binary that cannot start. Used by the cold-start harness and by
//! the end-to-end tests of the function binaries.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::{Notify, mpsc};

const PREFIX: &str = "/2018-06-01/runtime";

/// What the binary reported for one invocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `POST /invocation/{id}/response`: the handler's result, as posted.
    Response(String),
    /// `POST /invocation/{id}/error`: the handler failed.
    Error(Reported),
}

/// An error posted by the binary (for an invocation or for its init).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reported {
    /// The `errorType` of the body (else the `Lambda-Runtime-Function-Error-Type` header).
    pub error_type: String,
    /// The raw body (`{"errorType": ..., "errorMessage": ...}`).
    pub body: String,
}

/// One finished invocation.
#[derive(Clone, Debug)]
pub struct Invocation {
    /// The request id it was served with.
    pub request_id: String,
    /// What the binary reported.
    pub outcome: Outcome,
    /// When the report arrived.
    pub at: Instant,
}

impl Invocation {
    /// The response body, or `None` when the invocation failed.
    pub fn response(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Response(body) => Some(body),
            Outcome::Error(_) => None,
        }
    }

    /// The reported error, or `None` when the invocation succeeded.
    pub fn error(&self) -> Option<&Reported> {
        match &self.outcome {
            Outcome::Response(_) => None,
            Outcome::Error(error) => Some(error),
        }
    }
}

struct Queued {
    request_id: String,
    event: Bytes,
}

struct State {
    function_arn: String,
    deadline: Duration,
    sender: mpsc::UnboundedSender<Queued>,
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>,
    recorded: Mutex<Recorded>,
    changed: Notify,
}

#[derive(Default)]
struct Recorded {
    pushed: usize,
    first_next: Option<Instant>,
    served: Vec<String>,
    invocations: Vec<Invocation>,
    init_error: Option<Reported>,
}

/// The Runtime API server; it stops with the tokio runtime it was started in.
#[derive(Clone)]
pub struct RuntimeApi {
    address: SocketAddr,
    state: Arc<State>,
}

impl RuntimeApi {
    /// Starts the server on a free loopback port for a function named `function_name`;
    /// each event is given 30 s (`Lambda-Runtime-Deadline-Ms`).
    pub async fn start(function_name: &str) -> Self {
        Self::with_deadline(function_name, Duration::from_secs(30)).await
    }

    /// Like [`RuntimeApi::start`], with `deadline` from serving an event to its deadline.
    pub async fn with_deadline(function_name: &str, deadline: Duration) -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        let state = Arc::new(State {
            function_arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{function_name}"),
            deadline,
            sender,
            queue: tokio::sync::Mutex::new(receiver),
            recorded: Mutex::new(Recorded::default()),
            changed: Notify::new(),
        });
        let address = crate::http::serve(Arc::clone(&state), answer).await;
        Self { address, state }
    }

    /// `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Queues `event` for the next `next`; returns the request id it will be served with.
    pub fn push(&self, event: impl Into<Bytes>) -> String {
        let request_id = {
            let mut recorded = self.recorded();
            recorded.pushed += 1;
            format!("request-{:04}", recorded.pushed)
        };
        // The receiver lives as long as the state, so the send cannot fail.
        let _ = self.state.sender.send(Queued {
            request_id: request_id.clone(),
            event: event.into(),
        });
        request_id
    }

    /// When the binary first asked for an event (its init was over), if it has.
    pub fn first_next(&self) -> Option<Instant> {
        self.recorded().first_next
    }

    /// The request ids served so far, in order.
    pub fn served(&self) -> Vec<String> {
        self.recorded().served.clone()
    }

    /// Every finished invocation so far, in the order the reports arrived.
    pub fn invocations(&self) -> Vec<Invocation> {
        self.recorded().invocations.clone()
    }

    /// The init error the binary reported, if it did.
    pub fn init_error(&self) -> Option<Reported> {
        self.recorded().init_error.clone()
    }

    /// Waits until `request_id` is finished, for at most `timeout`.
    pub async fn wait_for(&self, request_id: &str, timeout: Duration) -> Option<Invocation> {
        self.wait_until(timeout, |recorded| {
            recorded
                .invocations
                .iter()
                .find(|i| i.request_id == request_id)
                .cloned()
        })
        .await
    }

    /// Waits until the binary reports an init error, for at most `timeout`.
    pub async fn wait_for_init_error(&self, timeout: Duration) -> Option<Reported> {
        self.wait_until(timeout, |recorded| recorded.init_error.clone())
            .await
    }

    async fn wait_until<T>(
        &self,
        timeout: Duration,
        found: impl Fn(&Recorded) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.state.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(value) = found(&self.recorded()) {
                return Some(value);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return found(&self.recorded());
            }
        }
    }

    fn recorded(&self) -> std::sync::MutexGuard<'_, Recorded> {
        self.state
            .recorded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl State {
    fn record(&self, change: impl FnOnce(&mut Recorded)) {
        change(
            &mut self
                .recorded
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        self.changed.notify_waiters();
    }
}

async fn answer(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let now = Instant::now();
    let path = request.uri().path().to_owned();
    let Some(route) = path.strip_prefix(PREFIX) else {
        return Ok(reply(StatusCode::NOT_FOUND, "{}"));
    };
    if request.method() == Method::GET && route == "/invocation/next" {
        state.record(|r| {
            r.first_next.get_or_insert(now);
        });
        // Waits for an event: Lambda holds `next` until there is one.
        let queued = state.queue.lock().await.recv().await;
        let Some(queued) = queued else {
            return Ok(reply(StatusCode::INTERNAL_SERVER_ERROR, "{}"));
        };
        state.record(|r| r.served.push(queued.request_id.clone()));
        return Ok(event_response(&state, queued));
    }
    if request.method() != Method::POST {
        return Ok(reply(StatusCode::NOT_FOUND, "{}"));
    }
    let error_type_header = request
        .headers()
        .get("lambda-runtime-function-error-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
        .unwrap_or_default();
    let reported = || Reported {
        error_type: serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("errorType")?.as_str().map(str::to_owned))
            .or(error_type_header.clone())
            .unwrap_or_default(),
        body: body.clone(),
    };
    if route == "/init/error" {
        let error = reported();
        state.record(|r| r.init_error = Some(error));
        return Ok(reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#));
    }
    let Some(rest) = route.strip_prefix("/invocation/") else {
        return Ok(reply(StatusCode::NOT_FOUND, "{}"));
    };
    let outcome = match rest.rsplit_once('/') {
        Some((id, "response")) => Some((id, Outcome::Response(body.clone()))),
        Some((id, "error")) => Some((id, Outcome::Error(reported()))),
        _ => None,
    };
    let Some((request_id, outcome)) = outcome else {
        return Ok(reply(StatusCode::NOT_FOUND, "{}"));
    };
    let invocation = Invocation {
        request_id: request_id.to_owned(),
        outcome,
        at: now,
    };
    state.record(|r| r.invocations.push(invocation));
    Ok(reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#))
}

fn event_response(state: &State, queued: Queued) -> Response<Full<Bytes>> {
    let deadline_ms = SystemTime::now()
        .checked_add(state.deadline)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let trace_id = format!(
        "Root=1-00000000-{:024x};Sampled=0",
        deadline_ms.wrapping_mul(31)
    );
    let mut response = Response::new(Full::new(queued.event));
    let headers = response.headers_mut();
    for (name, value) in [
        ("lambda-runtime-aws-request-id", queued.request_id),
        ("lambda-runtime-deadline-ms", deadline_ms.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            state.function_arn.clone(),
        ),
        ("lambda-runtime-trace-id", trace_id),
        ("content-type", "application/json".to_owned()),
    ] {
        if let Ok(value) = hyper::header::HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

fn reply(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response
}
