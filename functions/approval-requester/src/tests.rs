//! The requester over the in-memory ports: recording Slack, memory store, fake facts.

use function_support::ErrorType;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use slack_approval::memory::{MemoryStore, RecordingSlack};
use slack_approval::ports::{Author, ClaimRequest, FactsError, Revision, approval_key};
use slack_approval::{ApprovalStore, ApprovalsConfig, PipelineFacts, Requests};

use crate::ApprovalRequester;

const EXECUTION: &str = "c2d0b5e4-8f1a-4b7e-9a3c-5d6e7f8a9b0c";
const TOKEN: &str = "3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34";

/// The store's key of the web-prod approval of [`TOKEN`].
fn web_prod_key() -> String {
    approval_key("web-prod", "Production", "ApproveRelease", TOKEN)
}

struct Facts;

impl PipelineFacts for Facts {
    async fn execution_of(
        &self,
        _: &str,
        _: &str,
        _: &str,
        token: &str,
    ) -> Result<Option<String>, FactsError> {
        Ok((token == TOKEN).then(|| EXECUTION.to_owned()))
    }

    async fn revision(&self, _: &str, _: &str) -> Result<Option<Revision>, FactsError> {
        Ok(Some(Revision {
            commit_id: "9fceb02d0ae598e95dc970b74767f19372d61af8".into(),
            message: "Fix checkout totals".into(),
            url: Some("https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/web/commit/9fceb02d0ae598e95dc970b74767f19372d61af8".into()),
        }))
    }

    async fn author(&self, repository: &str, _: &str) -> Result<Option<Author>, FactsError> {
        assert_eq!(repository, "web");
        Ok(Some(Author {
            name: "Carol".into(),
            email: Some("carol@example.com".into()),
        }))
    }
}

fn requester() -> ApprovalRequester<Facts, RecordingSlack, MemoryStore> {
    let config = "version: 1\ndefault_channel: C0DEPLOYS\nforbid_self_approval: true\npipelines:\n  - name: web-prod\n    approvers: [U0ALICE]\n";
    ApprovalRequester {
        requests: Requests {
            config: Arc::new(ApprovalsConfig::from_yaml(config, "test").unwrap()),
            facts: Facts,
            slack: RecordingSlack::with_directory(
                vec![("carol@example.com".into(), "U0CAROL".into())],
                Vec::new(),
            ),
            store: MemoryStore::default(),
            lookup_timeout: Duration::from_secs(1),
        },
    }
}

fn sample(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events/approval-requester")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn posts_with_the_commit_and_records_the_message() {
    let r = requester();
    let output = r
        .handle(sample("approval-notification.json"))
        .await
        .unwrap();
    assert_eq!(output.posted.len(), 1);
    assert!(output.posted[0].recorded);
    let calls = r.requests.slack.calls();
    let post = calls.iter().find(|c| c.call == "chat.postMessage").unwrap();
    assert_eq!(post.body["channel"], "C0DEPLOYS");
    let text = post.body["blocks"].to_string();
    assert!(
        text.contains("Fix checkout totals") && text.contains("Carol"),
        "{text}"
    );
    // The author's Slack id rides in the button value, against self-approval.
    assert!(text.contains(r#"\"u\":\"U0CAROL\""#), "{text}");
    let stored = r
        .requests
        .store
        .get(&web_prod_key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.execution_key.as_deref(),
        Some(format!("web-prod/{EXECUTION}/Production/ApproveRelease").as_str())
    );
    assert!(!stored.blocks.is_empty());
}

#[tokio::test]
async fn an_approval_ended_outside_slack_closes_the_message() {
    let r = requester();
    r.handle(sample("approval-notification.json"))
        .await
        .unwrap();
    let started = r
        .handle(sample("approval-action-started.json"))
        .await
        .unwrap();
    assert!(started.closed.is_empty());
    let output = r
        .handle(sample("approval-action-succeeded.json"))
        .await
        .unwrap();
    assert_eq!(output.closed.len(), 1);
    let calls = r.requests.slack.calls();
    let update = calls.iter().find(|c| c.call == "chat.update").unwrap();
    assert_eq!(update.body["channel"], "C0DEPLOYS");
    let blocks = update.body["blocks"].to_string();
    assert!(blocks.contains("Approved outside Slack"), "{blocks}");
    assert!(!blocks.contains("\"actions\""), "{blocks}");
}

#[tokio::test]
async fn a_slack_decision_is_not_overwritten() {
    let r = requester();
    r.handle(sample("approval-notification.json"))
        .await
        .unwrap();
    let hash = web_prod_key();
    r.requests
        .store
        .claim(&ClaimRequest {
            key: &hash,
            user_id: "U0ALICE",
            decision: "Approved",
            at: 1,
            expires_at: 2,
        })
        .await
        .unwrap();
    let output = r
        .handle(sample("approval-action-succeeded.json"))
        .await
        .unwrap();
    assert!(output.closed.is_empty());
    assert!(
        r.requests
            .slack
            .calls()
            .iter()
            .all(|c| c.call != "chat.update")
    );
}

#[tokio::test]
async fn a_malformed_notification_is_an_error() {
    let r = requester();
    let mut event = sample("approval-notification.json");
    event["Records"][0]["Sns"]["Message"] = "{\"region\":\"x\"}".into();
    let error = r.handle(event).await.unwrap_err();
    assert_eq!(error.error_type(), "MalformedNotification");
    assert!(r.requests.slack.calls().is_empty());
}
