//! How approvals end: already over in CodePipeline, rejected with a reason, decided in
//! the console.

use super::*;

#[tokio::test]
async fn ended_approvals_end_in_a_clear_message() {
    for (reply, expected) in [
        (already_completed(), "already decided"),
        (invalid_token(), "expired"),
        (
            Reply {
                status: 400,
                body: Reply::recorded("codepipeline/put-approval-result-action-not-found.json")
                    .body,
            },
            "no longer exists",
        ),
    ] {
        let world = world().await;
        let value = post_approval(&world).await;
        world.double.on(PUT, vec![reply]);
        let response = world
            .handler
            .handle(click(&world, APPROVE_ACTION_ID, "U0ALICE", &value), NOW)
            .await;
        assert_eq!(response.status_code, 200);
        assert_eq!(world.double.requests(PUT).len(), 1);
        let responses = world.slack.responses();
        assert_eq!(responses.len(), 1);
        assert_eq!(responses[0]["replace_original"], true);
        assert!(
            responses[0]["text"].as_str().unwrap().contains(expected),
            "{responses:?}"
        );
    }
}

#[tokio::test]
async fn reject_opens_the_reason_modal_and_its_submission_rejects() {
    let (world, value) = accepting_world().await;
    world
        .handler
        .handle(click(&world, REJECT_ACTION_ID, "U0ALICE", &value), NOW)
        .await;
    assert!(world.double.requests(PUT).is_empty());
    let opened = world.slack.calls("views.open");
    assert_eq!(opened.len(), 1);
    let submission = json!({
        "type": "view_submission",
        "user": {"id": "U0ALICE", "username": "alice", "team_id": "T0ACME"},
        "api_app_id": "A0APPROVE",
        "team": {"id": "T0ACME"},
        "view": {
            "id": "V0MODAL", "callback_id": REASON_CALLBACK_ID,
            "private_metadata": opened[0]["view"]["private_metadata"],
            "state": {"values": {"reject_reason": {"reason": {"type": "plain_text_input", "value": "Totals are wrong on staging"}}}}
        }
    });
    let event = signed_request_event(
        &form_body(&submission),
        &slack_approval::SigningSecret::new(SIGNING_SECRET).unwrap(),
        NOW,
    );
    let response = world.handler.handle(event, NOW).await;
    assert_eq!(response.status_code, 200);
    let puts = world.double.requests(PUT);
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0]["result"]["status"], "Rejected");
    assert_eq!(
        puts[0]["result"]["summary"],
        "Rejected in Slack by alice (U0ALICE): Totals are wrong on staging"
    );
    let responses = world.slack.responses();
    let update = responses.last().unwrap();
    assert!(
        update["text"]
            .as_str()
            .unwrap()
            .starts_with("Rejected by alice")
    );
    // The channel keeps the approval's details (rebuilt from the stored message: Slack
    // sends no blocks with a modal submission), without the buttons.
    let posted = world.slack.calls("chat.postMessage");
    let update_text = update["blocks"].to_string();
    assert!(
        update["blocks"].as_array().unwrap().len() > 2,
        "only a header is left: {update_text}"
    );
    for detail in [
        "Production",
        "ApproveRelease",
        "*Region*",
        "*Expires*",
        "Review in the CodePipeline console",
    ] {
        assert!(
            posted[0]["blocks"].to_string().contains(detail),
            "the posted message has {detail}"
        );
        assert!(
            update_text.contains(detail),
            "{detail} is gone: {update_text}"
        );
    }
    assert!(
        !update_text.contains("\"actions\""),
        "the buttons are gone: {update_text}"
    );
    assert!(posted[0]["blocks"].to_string().contains("\"actions\""));
}

#[tokio::test]
async fn an_approval_decided_in_the_console_updates_the_message() {
    let world = world().await;
    post_approval(&world).await;
    let output = world
        .requester
        .handle(sample("approval-requester/approval-action-succeeded.json"))
        .await
        .unwrap();
    assert_eq!(output.closed.len(), 1, "{output:?}");
    let updates = world.slack.calls("chat.update");
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0]["channel"], "C0DEPLOYS");
    assert_eq!(updates[0]["ts"], posted_ts(&world));
    let blocks = updates[0]["blocks"].to_string();
    assert!(blocks.contains("Approved outside Slack"), "{blocks}");
    assert!(!blocks.contains("\"actions\""), "{blocks}");
    // A click after that is told, and nothing reaches CodePipeline.
    world.double.on(
        PUT,
        vec![Reply::recorded("codepipeline/put-approval-result.json")],
    );
    let value = posted_value(&world);
    world
        .handler
        .handle(click(&world, APPROVE_ACTION_ID, "U0ALICE", &value), NOW)
        .await;
    assert!(world.double.requests(PUT).is_empty());
    assert_eq!(world.slack.responses()[0]["response_type"], "ephemeral");
}
