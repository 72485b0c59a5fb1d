//! The core of the recording stand-ins ([`crate::AwsDouble`], [`crate::slack::SlackServer`]):
//! a loopback HTTP server whose state sits behind one lock, that reads each request whole
//! ([`Received`]) and answers it with a JSON body from a plain function of that state.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde_json::Value;

/// A request as the stand-ins see it: its path, headers and whole body.
#[derive(Clone, Debug)]
pub struct Received {
    /// The path, without the query.
    pub path: String,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Received {
    /// The header `name` as text, if it is there and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A running stand-in: its address and the state its answers read and record into.
pub struct Recorder<S> {
    address: SocketAddr,
    state: Arc<Mutex<S>>,
}

impl<S> Clone for Recorder<S> {
    fn clone(&self) -> Self {
        Self {
            address: self.address,
            state: Arc::clone(&self.state),
        }
    }
}

impl<S: Default + Send + 'static> Recorder<S> {
    /// Starts on a free loopback port in the current tokio runtime. Every request is
    /// answered by `answer(state, request)` as `(status, JSON body)` with `content_type`.
    pub async fn start<F>(content_type: &'static str, answer: F) -> Self
    where
        F: Fn(&mut S, Received) -> (u16, Value) + Send + Sync + 'static,
    {
        let state = Arc::new(Mutex::new(S::default()));
        let answer = Arc::new(answer);
        let shared = Arc::clone(&state);
        let address = crate::http::serve(shared, move |state, request| {
            let answer = Arc::clone(&answer);
            async move { Ok::<_, Infallible>(reply(&state, request, content_type, &*answer).await) }
        })
        .await;
        Self { address, state }
    }
}

impl<S> Recorder<S> {
    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Runs `f` on the state; `None` if an answer panicked while holding it.
    pub fn with_state<T>(&self, f: impl FnOnce(&mut S) -> T) -> Option<T> {
        self.state.lock().ok().map(|mut state| f(&mut state))
    }
}

async fn reply<S>(
    state: &Mutex<S>,
    request: Request<Incoming>,
    content_type: &'static str,
    answer: &impl Fn(&mut S, Received) -> (u16, Value),
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let received = Received {
        path: parts.uri.path().to_owned(),
        headers: parts.headers,
        body,
    };
    let (status, body) = match state.lock() {
        Ok(mut state) => answer(&mut state, received),
        Err(_) => (
            500,
            serde_json::json!({"error": "the stand-in's state is poisoned"}),
        ),
    };
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
