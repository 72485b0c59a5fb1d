//! Slack's 3-second limit: one deadline per request, and what continues after the 200.
//!
//! Slack shows the clicker an error when the answer takes more than 3 s. The handler
//! therefore gets one [`Budget`] per request (2.5 s from its start, [`Limits::budget`]),
//! passed down to every call: each call is limited to what is left of it (and to
//! [`Limits::call`]). Work that cannot finish in time is not cut short: it is handed to a
//! queue as a [`Continuation`] (the signed request as received, and where to resume), the
//! clicker gets 200 with [`WORKING`], and the same function, fed from the queue, finishes
//! the decision and updates the message through the `response_url`.
//!
//! Where the work may be handed off, and what the continuation then does ([`Resume`]):
//! - before anything is decided (the look-ups ran out of time, or too little is left to
//!   claim and send the decision): [`Resume::Start`], everything again;
//! - after the claim, when less than [`Limits::put_reserve`] is left for
//!   `PutApprovalResult`: [`Resume::Put`], the decision and the message;
//! - after `PutApprovalResult` succeeded, when less than [`Limits::respond_reserve`] is
//!   left: [`Resume::Replace`], the message only.
//!
//! `PutApprovalResult` is never started without its reserve, so it is never handed off
//! half done. The reject-reason form cannot be handed off (its `trigger_id` expires 3 s
//! after the click): when it cannot be opened the clicker is asked to click again.

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::verify::HttpRequest;

/// The text of the 200 that answers a click whose work continues after it.
pub const WORKING: &str =
    ":hourglass_flowing_sand: Working on it: this message updates in a moment.";

/// The time limits of the click workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Limit of each call of a request.
    pub call: Duration,
    /// Limit of each call of a continuation (no Slack deadline then).
    pub continuation_call: Duration,
    /// The whole request, from its start: what is not done by then continues later.
    pub budget: Duration,
    /// Least time left to start `PutApprovalResult` within the request.
    pub put_reserve: Duration,
    /// Least time left to replace the message within the request.
    pub respond_reserve: Duration,
}

impl Limits {
    /// For Slack's 3 s: a 2.5 s budget (the rest is for the queue and Lambda), 900 ms a
    /// call, 1 s kept for `PutApprovalResult`, 300 ms for the message; 10 s a call for a
    /// continuation.
    pub const SLACK: Self = Self {
        call: Duration::from_millis(900),
        continuation_call: Duration::from_secs(10),
        budget: Duration::from_millis(2500),
        put_reserve: Duration::from_millis(1000),
        respond_reserve: Duration::from_millis(300),
    };
}

/// What is left of one request's time: every call is limited by it.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    until: Option<Instant>,
    call: Duration,
}

impl Budget {
    /// A budget of `limits.budget` from now.
    pub fn starting_now(limits: &Limits) -> Self {
        Self {
            until: Some(Instant::now() + limits.budget),
            call: limits.call,
        }
    }

    /// No deadline (a continuation): only the per-call limit.
    pub fn unlimited(call: Duration) -> Self {
        Self { until: None, call }
    }

    /// What is left (`Duration::MAX` without a deadline).
    pub fn left(&self) -> Duration {
        self.until.map_or(Duration::MAX, |until| {
            until.saturating_duration_since(Instant::now())
        })
    }

    /// Whether the deadline has passed.
    pub fn spent(&self) -> bool {
        self.left().is_zero()
    }

    /// Whether at least `reserve` is left.
    pub fn has(&self, reserve: Duration) -> bool {
        self.left() >= reserve
    }

    /// The limit of the next call: the per-call limit, or what is left if less.
    pub fn call_limit(&self) -> Duration {
        self.call.min(self.left())
    }
}

/// `call` limited by [`Budget::call_limit`]: its value, or its error or the timeout as
/// text.
pub(crate) async fn within<T, E: std::fmt::Display>(
    budget: &Budget,
    call: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    let limit = budget.call_limit();
    match tokio::time::timeout(limit, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {} ms", limit.as_millis())),
    }
}

/// Where a continuation resumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Resume {
    /// Nothing was done: look up, decide, claim, send, replace.
    Start,
    /// Decided and (unless the store was down) claimed: send the decision, replace.
    Put {
        /// Whether the request claimed the approval (to release if nothing is decided).
        claimed: bool,
    },
    /// CodePipeline recorded the decision: replace the message.
    Replace,
}

/// Work handed to the queue: the signed request as it was received, and where to resume.
/// The continuation verifies the signature again (at `received_at`), so a message put
/// into the queue by anyone else decides nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Continuation {
    /// The request's headers.
    pub headers: Vec<(String, String)>,
    /// The body as delivered.
    pub body: String,
    /// Whether `body` is base64.
    pub is_base64_encoded: bool,
    /// Unix seconds when the request arrived: the time it is verified and decided at.
    pub received_at: i64,
    /// Where to resume.
    pub resume: Resume,
}

impl Continuation {
    /// `request`, received at Unix time `received_at`, to resume from `resume`.
    pub fn of(request: &HttpRequest<'_>, received_at: i64, resume: Resume) -> Self {
        Self {
            headers: request
                .headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: request.body.to_owned(),
            is_base64_encoded: request.is_base64_encoded,
            received_at,
            resume,
        }
    }

    /// The headers as the `(name, value)` pairs an [`HttpRequest`] borrows.
    pub fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The queued request again, over `headers` (from [`Continuation::header_pairs`]),
    /// to be verified at [`Continuation::received_at`].
    pub fn request<'a>(&'a self, headers: &'a [(&'a str, &'a str)]) -> HttpRequest<'a> {
        HttpRequest {
            headers,
            body: &self.body,
            is_base64_encoded: self.is_base64_encoded,
        }
    }
}

/// The queue could not take a continuation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("continuation queue: {0}")]
pub struct QueueError(pub String);

/// The queue of continuations (SQS in Lambda, memory in the CLI and tests).
pub trait Continuations {
    /// Queues `continuation` for the consumer.
    fn enqueue(
        &self,
        continuation: &Continuation,
    ) -> impl Future<Output = Result<(), QueueError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_read_back_as_written() {
        for resume in [
            Resume::Start,
            Resume::Put { claimed: true },
            Resume::Replace,
        ] {
            let c = Continuation {
                headers: vec![("x-slack-signature".into(), "v0=ab".into())],
                body: "payload=%7B%7D".into(),
                is_base64_encoded: false,
                received_at: 7,
                resume,
            };
            let text = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Continuation>(&text).unwrap(), c);
        }
        assert_eq!(
            serde_json::to_value(Resume::Put { claimed: false }).unwrap(),
            serde_json::json!({"from": "put", "claimed": false})
        );
    }

    #[tokio::test]
    async fn a_budget_limits_calls_to_what_is_left() {
        let limits = Limits {
            budget: Duration::ZERO,
            ..Limits::SLACK
        };
        let spent = Budget::starting_now(&limits);
        assert!(spent.spent());
        assert_eq!(spent.call_limit(), Duration::ZERO);
        let free = Budget::unlimited(Duration::from_secs(5));
        assert!(!free.spent() && free.has(Duration::from_secs(3600)));
        assert_eq!(free.call_limit(), Duration::from_secs(5));
    }
}
