//! Posting an approval and clicking its buttons: who may decide, what one click does,
//! what is released when nothing was decided, the continuation through SQS.

use super::*;

#[tokio::test]
async fn the_requester_posts_the_approval_with_its_commit() {
    let world = world().await;
    let value = post_approval(&world).await;
    let approval = ApprovalRef::from_button_value(&value).unwrap();
    assert_eq!(approval.commit_id.as_deref(), Some(COMMIT));
    // The pipeline forbids self-approval: the author's Slack id rides in the button.
    assert_eq!(approval.commit_author.as_deref(), Some("U0CAROL"));
    let post = &world.slack.calls("chat.postMessage")[0];
    assert_eq!(post["channel"], "C0DEPLOYS");
    let blocks = post["blocks"].to_string();
    for expected in [
        "web-prod",
        "Production",
        "ApproveRelease",
        "eu-west-1",
        "Fix checkout totals",
        "Carol",
        "release-notes",
    ] {
        assert!(blocks.contains(expected), "{expected} missing: {blocks}");
    }
    // The bot token goes to the Web API only.
    let requests = world.slack.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.authorization.as_deref() == Some("Bearer xoxb-test-token"))
    );
    assert_eq!(world.double.requests(STATE).len(), 1);
    assert_eq!(
        world.double.requests(EXECUTION)[0]["pipelineExecutionId"],
        "c2d0b5e4-8f1a-4b7e-9a3c-5d6e7f8a9b0c"
    );
    assert_eq!(
        world.double.requests(GET_COMMIT)[0]["repositoryName"],
        "web"
    );
}

#[tokio::test]
async fn an_authorized_click_approves_exactly_once() {
    let world = world().await;
    let value = post_approval(&world).await;
    world.double.on(
        PUT,
        vec![
            Reply::recorded("codepipeline/put-approval-result.json"),
            already_completed(),
        ],
    );
    let first = world
        .handler
        .handle(click(&world, APPROVE_ACTION_ID, "U0ALICE", &value), NOW)
        .await;
    let second = world
        .handler
        .handle(click(&world, APPROVE_ACTION_ID, "U0ALICE", &value), NOW)
        .await;
    assert_eq!((first.status_code, second.status_code), (200, 200));
    let puts = world.double.requests(PUT);
    assert_eq!(puts.len(), 1, "{puts:?}");
    assert_eq!(puts[0]["pipelineName"], "web-prod");
    assert_eq!(puts[0]["stageName"], "Production");
    assert_eq!(puts[0]["actionName"], "ApproveRelease");
    assert_eq!(puts[0]["token"], TOKEN);
    assert_eq!(puts[0]["result"]["status"], "Approved");
    assert_eq!(
        puts[0]["result"]["summary"],
        "Approved in Slack by alice (U0ALICE)."
    );
    let responses = world.slack.responses();
    assert_eq!(responses.len(), 2, "{responses:?}");
    assert_eq!(responses[0]["replace_original"], true);
    assert!(!responses[0]["blocks"].to_string().contains("\"actions\""));
    assert!(
        responses[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Approved by alice (U0ALICE)")
    );
    assert_eq!(responses[1]["response_type"], "ephemeral");
    assert!(
        responses[1]["text"]
            .as_str()
            .unwrap()
            .contains("already decided")
    );
    // The response_url never gets the bot token.
    assert!(
        world
            .slack
            .requests()
            .iter()
            .filter(|r| !r.path.starts_with("/api/"))
            .all(|r| r.authorization.is_none())
    );
    // The state change that follows does not overwrite "Approved by".
    let output = world
        .requester
        .handle(sample("approval-requester/approval-action-succeeded.json"))
        .await
        .unwrap();
    assert!(output.closed.is_empty(), "{output:?}");
    assert!(world.slack.calls("chat.update").is_empty());
}

#[tokio::test]
async fn a_click_naming_another_pipeline_with_this_token_locks_nobody_out() {
    let world = world().await;
    let value = post_approval(&world).await;
    world.double.on(
        PUT,
        vec![
            invalid_token(),
            Reply::recorded("codepipeline/put-approval-result.json"),
        ],
    );
    // Eve may approve api-prod; her click names api-prod with web-prod's token.
    let mut forged = ApprovalRef::from_button_value(&value).unwrap();
    forged.pipeline = "api-prod".into();
    let forged = forged.to_button_value().unwrap();
    let response = world
        .handler
        .handle(click(&world, APPROVE_ACTION_ID, "U0EVE", &forged), NOW)
        .await;
    assert_eq!(response.status_code, 200);
    // web-prod's approvers are not locked out: Alice's click is sent and decides.
    world
        .handler
        .handle(click(&world, APPROVE_ACTION_ID, "U0ALICE", &value), NOW)
        .await;
    let puts = world.double.requests(PUT);
    assert_eq!(puts.len(), 2, "{puts:?}");
    assert_eq!(puts[1]["pipelineName"], "web-prod");
    let responses = world.slack.responses();
    let last = responses.last().unwrap();
    assert!(
        last["text"]
            .as_str()
            .unwrap()
            .starts_with("Approved by alice (U0ALICE)"),
        "{responses:?}"
    );
}

#[tokio::test]
async fn every_answer_that_decided_nothing_releases_the_claim() {
    let world = world().await;
    let value = post_approval(&world).await;
    world.double.on(
        PUT,
        vec![
            Reply {
                status: 400,
                body: Reply::recorded("codepipeline/put-approval-result-action-not-found.json")
                    .body,
            },
            Reply::recorded("codepipeline/put-approval-result.json"),
        ],
    );
    for _ in 0..2 {
        world
            .handler
            .handle(click(&world, APPROVE_ACTION_ID, "U0ALICE", &value), NOW)
            .await;
    }
    // The first answer decided nothing, so the second click was sent too.
    assert_eq!(world.double.requests(PUT).len(), 2);
}

#[tokio::test]
async fn approvals_nobody_may_decide_from_slack_are_posted_without_buttons() {
    // The file allows stage Staging only; the notification is of stage Production.
    let undecidable = world_with(&CONFIG.replace("stage: Production", "stage: Staging")).await;
    let output = undecidable
        .requester
        .handle(sample("approval-requester/approval-notification.json"))
        .await
        .unwrap();
    assert_eq!(output.posted.len(), 1, "{output:?}");
    assert!(!output.posted[0].buttons);
    let post = &undecidable.slack.calls("chat.postMessage")[0];
    let blocks = post["blocks"].as_array().unwrap();
    assert!(blocks.iter().all(|b| b["type"] != "actions"), "{blocks:?}");
    let text = post["blocks"].to_string();
    assert!(text.contains("Only approvals of stage Staging"), "{text}");
    assert!(
        text.contains("web-prod") && text.contains("Production"),
        "{text}"
    );
    // An approval that may be decided still gets its buttons.
    let decidable = world().await;
    post_approval(&decidable).await;
    let post = &decidable.slack.calls("chat.postMessage")[0];
    assert!(post["blocks"].to_string().contains(APPROVE_ACTION_ID));
}

#[tokio::test]
async fn a_continuation_goes_through_sqs_and_the_same_function_finishes_it() {
    let (world, value) = accepting_world().await;
    let sqs = sdk::sqs(&moto::endpoint());
    let queue = sqs
        .create_queue()
        .queue_name(moto::unique("approval-continuations"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    // A budget too small for PutApprovalResult's reserve: the click is handed off.
    let handler = ApprovalHandler {
        clicks: Clicks {
            later: SqsContinuations::new(sqs.clone(), queue.clone()),
            limits: Limits {
                budget: Duration::from_millis(200),
                ..world.handler.clicks.limits
            },
            config: Arc::clone(&world.handler.clicks.config),
            secret: world.handler.clicks.secret.clone(),
            codepipeline: CodePipelineResults::new(sdk::codepipeline(&world.double.endpoint())),
            slack: world.handler.clicks.slack.clone(),
            store: world.handler.clicks.store.clone(),
            urls: ResponseUrlPolicy::SlackOrLoopback,
        },
    };
    let response = handler
        .handle(click(&world, APPROVE_ACTION_ID, "U0ALICE", &value), NOW)
        .await;
    assert_eq!(response.status_code, 200);
    assert!(response.body.contains("Working on it"), "{}", response.body);
    assert!(world.double.requests(PUT).is_empty());
    // The queue's event source mapping hands the message to the same function.
    let received = sqs
        .receive_message()
        .queue_url(&queue)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let records: Vec<Value> = received
        .messages()
        .iter()
        .map(|m| json!({"eventSource": "aws:sqs", "messageId": m.message_id(), "body": m.body()}))
        .collect();
    assert_eq!(records.len(), 1);
    handler
        .handle_event(json!({"Records": records}), NOW + 1)
        .await;
    let puts = world.double.requests(PUT);
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0]["pipelineName"], "web-prod");
    let responses = world.slack.responses();
    assert!(
        responses
            .last()
            .and_then(|r| r["text"].as_str())
            .is_some_and(|t| t.starts_with("Approved by alice (U0ALICE)")),
        "{responses:?}"
    );
}

#[tokio::test]
async fn an_unauthorized_click_changes_nothing() {
    let (world, value) = accepting_world().await;
    let response = world
        .handler
        .handle(click(&world, APPROVE_ACTION_ID, "U0MALLORY", &value), NOW)
        .await;
    assert_eq!(response.status_code, 200);
    assert!(world.double.requests(PUT).is_empty());
    let responses = world.slack.responses();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0]["response_type"], "ephemeral");
    assert!(
        responses[0]["text"]
            .as_str()
            .unwrap()
            .contains("not an approver")
    );
    // Membership of the approver group was asked for, and did not include Mallory.
    assert_eq!(
        world.slack.calls("usergroups.users.list")[0]["usergroup"],
        "S0RELEASE"
    );
}

#[tokio::test]
async fn a_member_of_an_approver_group_may_approve() {
    let (world, value) = accepting_world().await;
    world
        .handler
        .handle(click(&world, APPROVE_ACTION_ID, "U0DAVE", &value), NOW)
        .await;
    assert_eq!(world.double.requests(PUT).len(), 1);
}

#[tokio::test]
async fn self_approval_is_refused_where_the_pipeline_forbids_it() {
    let (world, value) = accepting_world().await;
    world
        .handler
        .handle(click(&world, APPROVE_ACTION_ID, "U0CAROL", &value), NOW)
        .await;
    assert!(world.double.requests(PUT).is_empty());
    let responses = world.slack.responses();
    assert!(
        responses[0]["text"]
            .as_str()
            .unwrap()
            .contains("You wrote the commit"),
        "{responses:?}"
    );
    // Without the author in the button, the handler maps the recorded email itself.
    let mut approval = ApprovalRef::from_button_value(&value).unwrap();
    approval.commit_author = None;
    let bare = approval.to_button_value().unwrap();
    world
        .handler
        .handle(click(&world, APPROVE_ACTION_ID, "U0CAROL", &bare), NOW)
        .await;
    assert!(world.double.requests(PUT).is_empty());
    assert!(world.slack.calls("users.lookupByEmail").len() >= 2);
}
