//! The CLI's `invoke approval-handler` / `invoke approval-requester` on the samples, and
//! its `slack sign`.

use super::*;

use pipeline_router_cli::approvals as cli_approvals;

fn events_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../events")
}

#[test]
fn slack_sign_reproduces_the_sample_signature() {
    let sample = sample("approval-handler/approve-click.json");
    let signed = cli_approvals::sign_slack_request(
        &events_dir().join("approval-handler/approve-click.json"),
        SIGNING_SECRET,
        NOW,
    )
    .unwrap();
    assert_eq!(
        signed["headers"]["x-slack-signature"],
        sample["headers"]["x-slack-signature"]
    );
    // From the bare payload, the same body and so the same signature.
    let from_payload = cli_approvals::sign_slack_request(
        &events_dir().join("approval-handler/approve-click-payload.json"),
        SIGNING_SECRET,
        NOW,
    )
    .unwrap();
    assert_eq!(
        from_payload["headers"]["x-slack-request-timestamp"],
        NOW.to_string()
    );
    assert!(
        from_payload["headers"]["x-slack-signature"]
            .as_str()
            .unwrap()
            .starts_with("v0=")
    );
}

#[tokio::test]
async fn the_cli_runs_the_handler_on_the_samples() {
    let config = events_dir().join("approval-handler/approvals.yaml");
    let secret = || slack_approval::SigningSecret::new(SIGNING_SECRET).unwrap();
    let approve = cli_approvals::invoke_approval_handler(
        sample("approval-handler/approve-click.json"),
        &config,
        secret(),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(approve.response.status_code, 200);
    assert_eq!(approve.approval_results.len(), 1);
    assert_eq!(
        approve.approval_results[0].summary,
        "Approved in Slack by alice (U0ALICE)."
    );
    assert!(
        approve.slack_calls[0]
            .call
            .starts_with("response_url https://hooks.slack.com/")
    );

    let reject = cli_approvals::invoke_approval_handler(
        sample("approval-handler/reject-click.json"),
        &config,
        secret(),
        NOW,
    )
    .await
    .unwrap();
    assert!(reject.approval_results.is_empty());
    assert_eq!(reject.slack_calls[0].call, "views.open");

    let submission = cli_approvals::invoke_approval_handler(
        sample("approval-handler/reject-reason-submission.json"),
        &config,
        secret(),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(submission.approval_results.len(), 1);
    assert!(
        submission.approval_results[0]
            .summary
            .starts_with("Rejected in Slack by bob (U0BOB): ")
    );

    let unsigned = cli_approvals::invoke_approval_handler(
        sample("approval-handler/unsigned-click.json"),
        &config,
        secret(),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(unsigned.response.status_code, 401);
    assert!(unsigned.approval_results.is_empty() && unsigned.slack_calls.is_empty());
}

#[tokio::test]
async fn the_cli_runs_the_requester_on_the_samples() {
    let config = events_dir().join("approval-handler/approvals.yaml");
    let posted = cli_approvals::invoke_approval_requester(
        sample("approval-requester/approval-notification.json"),
        &config,
    )
    .await
    .unwrap();
    let output = posted.output.unwrap();
    assert_eq!(output.posted.len(), 1);
    assert_eq!(posted.slack_calls[0].call, "chat.postMessage");
    assert_eq!(posted.slack_calls[0].body["channel"], "C0DEPLOYS");
    let ended = cli_approvals::invoke_approval_requester(
        sample("approval-requester/approval-action-failed.json"),
        &config,
    )
    .await
    .unwrap();
    // A fresh local run has no recorded message to close.
    assert!(ended.output.unwrap().closed.is_empty());
}
