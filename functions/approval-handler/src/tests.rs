//! The handler with its local ports: recording Slack, in-memory store, recording
//! CodePipeline.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use slack_approval::memory::{MemoryQueue, MemoryStore, RecordingResults, RecordingSlack};
use slack_approval::message::{APPROVE_ACTION_ID, REASON_CALLBACK_ID, REJECT_ACTION_ID};
use slack_approval::ports::{
    ApprovalMessage, ApprovalStore, Claim, ClaimRequest, PutResultError, StoreError, approval_key,
};
use slack_approval::{
    ApprovalRef, ApprovalStatus, ApprovalsConfig, Clicks, Continuation, Limits, ResponseUrlPolicy,
    Resume, SigningSecret,
};

use crate::handler::ApprovalHandler;
use crate::http::{form_body, signed_request_event};
use crate::{RESULT_UNKNOWN, TRY_AGAIN};

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const NOW: i64 = 1_793_699_100;
const RESPONSE_URL: &str = "https://hooks.slack.com/actions/T0ACME/1/abc";
const TOKEN: &str = "3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34";

/// The store's key of the web-prod approval of [`TOKEN`].
fn web_prod_key() -> String {
    approval_key("web-prod", "Production", "ApproveRelease", TOKEN)
}

const CONFIG: &str = "\
version: 1
default_channel: C0DEPLOYS
pipelines:
  - name: web-prod
    approvers: [U0ALICE, U0CAROL]
    approver_groups: [S0RELEASE]
    forbid_self_approval: true
";

type Handler = ApprovalHandler<RecordingResults, RecordingSlack, MemoryStore, MemoryQueue>;

fn handler(answer: Option<PutResultError>) -> Handler {
    ApprovalHandler {
        clicks: Clicks {
            config: Arc::new(ApprovalsConfig::from_yaml(CONFIG, "test").unwrap()),
            secret: SigningSecret::new(SECRET).unwrap(),
            codepipeline: RecordingResults::answering(answer),
            slack: RecordingSlack::with_directory(
                vec![("carol@example.com".into(), "U0CAROL".into())],
                vec![("S0RELEASE".into(), vec!["U0DAVE".into()])],
            ),
            store: MemoryStore::default(),
            urls: ResponseUrlPolicy::SlackOnly,
            later: MemoryQueue::default(),
            limits: Limits {
                call: Duration::from_secs(1),
                ..Limits::SLACK
            },
        },
    }
}

fn approval() -> ApprovalRef {
    ApprovalRef {
        pipeline: "web-prod".into(),
        stage: "Production".into(),
        action: "ApproveRelease".into(),
        token: TOKEN.into(),
        commit_id: Some("9fceb02d0ae598e95dc970b74767f19372d61af8".into()),
        commit_author: None,
    }
}

fn click(action_id: &str, user: &str) -> Value {
    let value = approval().to_button_value().unwrap();
    json!({
        "type": "block_actions",
        "user": {"id": user, "username": user.to_lowercase(), "team_id": "T0ACME"},
        "api_app_id": "A0APPROVE",
        "team": {"id": "T0ACME"},
        "trigger_id": "1.2.abc",
        "response_url": RESPONSE_URL,
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "C0DEPLOYS"},
        "message": {"ts": "1.2", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]},
        "actions": [{"action_id": action_id, "block_id": "codepipeline_approval", "value": value, "type": "button"}]
    })
}

fn event(payload: &Value) -> Value {
    signed_request_event(
        &form_body(payload),
        &SigningSecret::new(SECRET).unwrap(),
        NOW,
    )
}

/// The bodies of the Slack calls whose name starts with `prefix`.
fn calls<D>(
    h: &ApprovalHandler<RecordingResults, RecordingSlack, D, MemoryQueue>,
    prefix: &str,
) -> Vec<Value> {
    h.clicks
        .slack
        .calls()
        .into_iter()
        .filter(|c| c.call.starts_with(prefix))
        .map(|c| c.body)
        .collect()
}

#[tokio::test]
async fn approves_once_even_when_clicked_twice() {
    let h = handler(None);
    let response = h
        .handle(event(&click(APPROVE_ACTION_ID, "U0ALICE")), NOW)
        .await;
    assert_eq!(response.status_code, 200);
    let response = h
        .handle(event(&click(APPROVE_ACTION_ID, "U0ALICE")), NOW)
        .await;
    assert_eq!(response.status_code, 200);
    let recorded = h.clicks.codepipeline.recorded();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].status, ApprovalStatus::Approved);
    assert!(
        recorded[0].summary.contains("U0ALICE"),
        "{}",
        recorded[0].summary
    );
    let posts = calls(&h, "response_url");
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0]["replace_original"], true);
    assert!(
        posts[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Approved by")
    );
    assert_eq!(posts[1]["response_type"], "ephemeral");
    assert!(
        posts[1]["text"]
            .as_str()
            .unwrap()
            .contains("already decided")
    );
}

#[tokio::test]
async fn a_non_approver_changes_nothing() {
    let h = handler(None);
    let response = h
        .handle(event(&click(APPROVE_ACTION_ID, "U0MALLORY")), NOW)
        .await;
    assert_eq!(response.status_code, 200);
    assert!(h.clicks.codepipeline.recorded().is_empty());
    let posts = calls(&h, "response_url");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["response_type"], "ephemeral");
    assert!(h.clicks.store.decided_by(&web_prod_key()).is_none());
}

#[tokio::test]
async fn a_group_member_may_approve() {
    let h = handler(None);
    h.handle(event(&click(APPROVE_ACTION_ID, "U0DAVE")), NOW)
        .await;
    assert_eq!(h.clicks.codepipeline.recorded().len(), 1);
    assert_eq!(calls(&h, "usergroups.users.list").len(), 1);
}

#[tokio::test]
async fn the_commit_author_may_not_approve() {
    let h = handler(None);
    h.clicks
        .store
        .save(&ApprovalMessage {
            key: web_prod_key(),
            execution_key: None,
            pipeline: "web-prod".into(),
            stage: "Production".into(),
            action: "ApproveRelease".into(),
            channel: "C0DEPLOYS".into(),
            ts: "1.2".into(),
            blocks: Vec::new(),
            author_email: Some("carol@example.com".into()),
            expires_at: NOW + 100,
        })
        .await
        .unwrap();
    h.handle(event(&click(APPROVE_ACTION_ID, "U0CAROL")), NOW)
        .await;
    assert!(h.clicks.codepipeline.recorded().is_empty());
    let posts = calls(&h, "response_url");
    assert!(
        posts[0]["text"]
            .as_str()
            .unwrap()
            .contains("wrote the commit")
    );
    h.handle(event(&click(APPROVE_ACTION_ID, "U0ALICE")), NOW)
        .await;
    assert_eq!(h.clicks.codepipeline.recorded().len(), 1);
}

#[tokio::test]
async fn an_approval_decided_in_the_console_says_so() {
    let h = handler(Some(PutResultError::AlreadyCompleted));
    let response = h
        .handle(event(&click(APPROVE_ACTION_ID, "U0ALICE")), NOW)
        .await;
    assert_eq!(response.status_code, 200);
    let posts = calls(&h, "response_url");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["replace_original"], true);
    assert!(
        posts[0]["text"]
            .as_str()
            .unwrap()
            .contains("already decided")
    );
}

/// Alice approves while `PutApprovalResult` fails with `error`: she is told `told`, and
/// the claim is released (nobody decided).
async fn approving_when_put_fails(error: PutResultError, told: &str) {
    let h = handler(Some(error));
    h.handle(event(&click(APPROVE_ACTION_ID, "U0ALICE")), NOW)
        .await;
    let posts = calls(&h, "response_url");
    assert_eq!(posts[0]["text"], told);
    assert!(h.clicks.store.decided_by(&web_prod_key()).is_none());
}

#[tokio::test]
async fn a_failed_call_releases_the_claim_and_says_try_again() {
    approving_when_put_fails(PutResultError::Other("Throttling".into()), TRY_AGAIN).await;
}

#[tokio::test]
async fn an_unanswered_call_says_the_result_is_unknown_and_releases_the_claim() {
    approving_when_put_fails(PutResultError::Unknown("timeout".into()), RESULT_UNKNOWN).await;
}

#[tokio::test]
async fn reject_asks_for_a_reason_then_rejects() {
    let h = handler(None);
    h.handle(event(&click(REJECT_ACTION_ID, "U0ALICE")), NOW)
        .await;
    assert!(h.clicks.codepipeline.recorded().is_empty());
    let opened = calls(&h, "views.open");
    assert_eq!(opened.len(), 1);
    let metadata = opened[0]["view"]["private_metadata"].clone();
    let submission = json!({
        "type": "view_submission",
        "user": {"id": "U0ALICE", "username": "alice", "team_id": "T0ACME"},
        "api_app_id": "A0APPROVE",
        "team": {"id": "T0ACME"},
        "view": {
            "id": "V1", "callback_id": REASON_CALLBACK_ID, "private_metadata": metadata,
            "state": {"values": {"reject_reason": {"reason": {"type": "plain_text_input", "value": "totals are wrong"}}}}
        }
    });
    let response = h.handle(event(&submission), NOW).await;
    assert_eq!(response.status_code, 200);
    let recorded = h.clicks.codepipeline.recorded();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].status, ApprovalStatus::Rejected);
    assert!(recorded[0].summary.ends_with("totals are wrong"));
}

#[tokio::test]
async fn hostile_requests_decide_nothing() {
    let h = handler(None);
    let good = event(&click(APPROVE_ACTION_ID, "U0ALICE"));
    let mut tampered = good.clone();
    tampered["headers"]["x-slack-signature"] = json!(format!("v0={}", "0".repeat(64)));
    let mut stale = good.clone();
    stale["headers"]["x-slack-request-timestamp"] = json!((NOW - 301).to_string());
    let mut unsigned = good.clone();
    unsigned["headers"]
        .as_object_mut()
        .unwrap()
        .remove("x-slack-signature");
    let mut get = good.clone();
    get["requestContext"]["http"]["method"] = json!("GET");
    let mut not_base64 = good.clone();
    not_base64["body"] = json!("%%%");
    for (name, request, status) in [
        ("tampered", tampered, 401),
        ("stale", stale, 401),
        ("unsigned", unsigned, 401),
        ("get", get, 405),
        ("not base64", not_base64, 400),
        ("not http", json!("hello"), 400),
    ] {
        let response = h.handle(request, NOW).await;
        assert_eq!(response.status_code, status, "{name}");
    }
    assert!(h.clicks.codepipeline.recorded().is_empty());
    assert!(h.clicks.slack.calls().is_empty());
}

/// The store, slowed down on claims: a claim that eats the request's budget.
struct SlowClaims {
    store: MemoryStore,
    delay: Duration,
}

impl ApprovalStore for SlowClaims {
    async fn save(&self, message: &ApprovalMessage) -> Result<(), StoreError> {
        self.store.save(message).await
    }
    async fn get(&self, key: &str) -> Result<Option<ApprovalMessage>, StoreError> {
        self.store.get(key).await
    }
    async fn claim(&self, request: &ClaimRequest<'_>) -> Result<Claim, StoreError> {
        tokio::time::sleep(self.delay).await;
        self.store.claim(request).await
    }
    async fn release(&self, key: &str, user_id: &str) -> Result<(), StoreError> {
        self.store.release(key, user_id).await
    }
    async fn by_execution(&self, key: &str) -> Result<Vec<ApprovalMessage>, StoreError> {
        self.store.by_execution(key).await
    }
    async fn close(&self, key: &str, state: &str, at: i64) -> Result<bool, StoreError> {
        self.store.close(key, state, at).await
    }
}

fn with_limits<D>(
    store: D,
    limits: Limits,
) -> ApprovalHandler<RecordingResults, RecordingSlack, D, MemoryQueue> {
    let h = handler(None);
    ApprovalHandler {
        clicks: Clicks {
            config: h.clicks.config,
            secret: h.clicks.secret,
            codepipeline: h.clicks.codepipeline,
            slack: h.clicks.slack,
            store,
            urls: h.clicks.urls,
            later: MemoryQueue::default(),
            limits,
        },
    }
}

/// Alice approves on `h`, whose budget is too short to decide: a 200, nothing decided,
/// and one continuation queued (returned, with the response).
async fn approve_without_time<D: ApprovalStore + Sync>(
    h: &ApprovalHandler<RecordingResults, RecordingSlack, D, MemoryQueue>,
) -> (crate::http::FunctionUrlResponse, Vec<Continuation>) {
    let response = h
        .handle(event(&click(APPROVE_ACTION_ID, "U0ALICE")), NOW)
        .await;
    assert_eq!(response.status_code, 200);
    assert!(h.clicks.codepipeline.recorded().is_empty());
    let queued = h.clicks.later.take();
    assert_eq!(queued.len(), 1);
    (response, queued)
}

#[tokio::test]
async fn work_that_does_not_fit_the_budget_continues_after_the_200() {
    // Less budget than PutApprovalResult's reserve: nothing can be decided in time.
    let h = with_limits(
        MemoryStore::default(),
        Limits {
            budget: Duration::from_millis(500),
            put_reserve: Duration::from_secs(1),
            ..Limits::SLACK
        },
    );
    let (response, queued) = approve_without_time(&h).await;
    assert!(response.body.contains("Working on it"), "{}", response.body);
    assert_eq!(queued[0].resume, Resume::Start);
    // The consumer finishes it: decided once, and the message replaced.
    h.clicks.resume(&queued[0]).await;
    assert_eq!(h.clicks.codepipeline.recorded().len(), 1);
    let posts = calls(&h, "response_url");
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert!(
        posts[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Approved by")
    );
    assert!(h.clicks.store.decided_by(&web_prod_key()).is_some());
}

#[tokio::test]
async fn a_claim_that_eats_the_budget_leaves_the_decision_to_the_continuation() {
    let h = with_limits(
        SlowClaims {
            store: MemoryStore::default(),
            delay: Duration::from_millis(800),
        },
        Limits {
            budget: Duration::from_millis(1500),
            put_reserve: Duration::from_secs(1),
            ..Limits::SLACK
        },
    );
    let (_, queued) = approve_without_time(&h).await;
    assert_eq!(queued[0].resume, Resume::Put { claimed: true });
    h.clicks.resume(&queued[0]).await;
    assert_eq!(h.clicks.codepipeline.recorded().len(), 1);
    // The claim made before the hand-off is the one that holds.
    assert!(h.clicks.store.store.decided_by(&web_prod_key()).is_some());
}

#[tokio::test]
async fn a_continuation_put_in_the_queue_by_someone_else_decides_nothing() {
    let h = with_limits(MemoryStore::default(), Limits::SLACK);
    let forged = Continuation {
        headers: vec![("x-slack-signature".into(), format!("v0={}", "0".repeat(64)))],
        body: form_body(&click(APPROVE_ACTION_ID, "U0ALICE")),
        is_base64_encoded: false,
        received_at: NOW,
        resume: Resume::Put { claimed: true },
    };
    h.clicks.resume(&forged).await;
    assert!(h.clicks.codepipeline.recorded().is_empty());
    assert!(h.clicks.slack.calls().is_empty());
}
