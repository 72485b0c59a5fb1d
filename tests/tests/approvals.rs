//! The approval functions with their real adapters, over HTTP: Slack is a local server
//! that records what the functions post ([`SlackServer`]); CodePipeline
//! (`GetPipelineState`, `GetPipelineExecution`, `PutApprovalResult`) and CodeCommit
//! (`GetCommit`) are the recorded-response double; Secrets Manager and DynamoDB are moto.

use std::sync::Arc;
use std::time::Duration;

use approval_handler::ApprovalHandler;
use approval_handler::http::{form_body, signed_request_event};
use approval_requester::ApprovalRequester;
use aws_adapters::approval_results::CodePipelineResults;
use aws_adapters::approval_store::{DynamoStore, EXECUTION_INDEX};
use aws_adapters::continuation_queue::SqsContinuations;
use aws_adapters::pipeline_facts::AwsPipelineFacts;
use aws_adapters::slack_http::SlackHttp;
use aws_adapters::slack_secrets::{SecretLocation, SlackSecrets, load_secrets};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use integration_tests::slack::SlackServer;
use integration_tests::{AwsDouble, Reply, moto, sdk};
use serde_json::{Value, json};
use slack_approval::memory::MemoryQueue;
use slack_approval::message::{APPROVE_ACTION_ID, REASON_CALLBACK_ID, REJECT_ACTION_ID};
use slack_approval::{ApprovalRef, ApprovalsConfig, Clicks, Limits, Requests, ResponseUrlPolicy};

const PUT: &str = "CodePipeline_20150709.PutApprovalResult";
const STATE: &str = "CodePipeline_20150709.GetPipelineState";
const EXECUTION: &str = "CodePipeline_20150709.GetPipelineExecution";
const GET_COMMIT: &str = "CodeCommit_20150413.GetCommit";

const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const NOW: i64 = 1_793_699_100;
const TOKEN: &str = "3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34";
const COMMIT: &str = "9fceb02d0ae598e95dc970b74767f19372d61af8";

const CONFIG: &str = "\
version: 1
default_channel: C0DEPLOYS
team_id: T0ACME
app_id: A0APPROVE
pipelines:
  - name: web-prod
    approvers: [U0ALICE, U0CAROL]
    approver_groups: [S0RELEASE]
    stage: Production
    action: ApproveRelease
    forbid_self_approval: true
  - name: api-prod
    approvers: [U0EVE]
";

type Requester = ApprovalRequester<AwsPipelineFacts, SlackHttp, DynamoStore>;
type Handler = ApprovalHandler<CodePipelineResults, SlackHttp, DynamoStore, MemoryQueue>;

struct World {
    slack: SlackServer,
    double: AwsDouble,
    requester: Requester,
    handler: Handler,
}

fn sample(path: &str) -> Value {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../events")
        .join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).unwrap()
}

async fn create_table(client: &aws_sdk_dynamodb::Client) -> String {
    let name = moto::unique("approvals");
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .unwrap()
    };
    let key = |name: &str| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(KeyType::Hash)
            .build()
            .unwrap()
    };
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("pk"))
        .attribute_definitions(attribute("execution_key"))
        .key_schema(key("pk"))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(EXECUTION_INDEX)
                .key_schema(key("execution_key"))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    name
}

/// Secrets in moto's Secrets Manager, read back the way the functions read them.
async fn secrets() -> SlackSecrets {
    let endpoint = moto::endpoint();
    let client = sdk::secretsmanager(&endpoint);
    let name = moto::unique("pipeline-router/slack");
    client
        .create_secret()
        .name(&name)
        .secret_string(
            json!({"signing_secret": SIGNING_SECRET, "bot_token": "xoxb-test-token"}).to_string(),
        )
        .send()
        .await
        .unwrap();
    load_secrets(
        &SecretLocation::SecretsManager(name),
        &client,
        &sdk::ssm(&endpoint),
    )
    .await
    .unwrap()
}

async fn world() -> World {
    world_with(CONFIG).await
}

/// The world with another approvals file.
async fn world_with(config: &str) -> World {
    let slack = SlackServer::start().await;
    slack.add_user("carol@example.com", "U0CAROL");
    slack.add_group("S0RELEASE", &["U0DAVE"]);
    let double = AwsDouble::start().await;
    double.on(
        STATE,
        vec![Reply::recorded(
            "codepipeline/get-pipeline-state-approval.json",
        )],
    );
    double.on(
        EXECUTION,
        vec![Reply::recorded(
            "codepipeline/get-pipeline-execution-approval.json",
        )],
    );
    double.on(
        GET_COMMIT,
        vec![Reply::ok(json!({"commit": {
            "commitId": COMMIT, "treeId": "b1c2d3", "parents": [],
            "message": "Fix checkout totals\n",
            "author": {"name": "Carol", "email": "carol@example.com", "date": "1793698700 +0000"},
            "committer": {"name": "Carol", "email": "carol@example.com", "date": "1793698700 +0000"}
        }}))],
    );
    let secrets = secrets().await;
    let dynamodb = sdk::dynamodb(&moto::endpoint());
    let table = create_table(&dynamodb).await;
    let config = Arc::new(ApprovalsConfig::from_yaml(config, "approvals.yaml").unwrap());
    let http = SlackHttp::new(&slack.api_url(), secrets.bot_token, Duration::from_secs(2)).unwrap();
    assert!(http.is_local());
    let requester = ApprovalRequester {
        requests: Requests {
            config: Arc::clone(&config),
            facts: AwsPipelineFacts::new(
                sdk::codepipeline(&double.endpoint()),
                sdk::codecommit(&double.endpoint()),
            ),
            slack: http.clone(),
            store: DynamoStore::new(dynamodb.clone(), table.clone()),
            lookup_timeout: Duration::from_secs(2),
        },
    };
    let handler = ApprovalHandler {
        clicks: Clicks {
            config,
            secret: secrets.signing_secret,
            codepipeline: CodePipelineResults::new(sdk::codepipeline(&double.endpoint())),
            slack: http,
            store: DynamoStore::new(dynamodb, table),
            urls: ResponseUrlPolicy::SlackOrLoopback,
            later: MemoryQueue::default(),
            limits: Limits {
                call: Duration::from_secs(2),
                ..Limits::SLACK
            },
        },
    };
    World {
        slack,
        double,
        requester,
        handler,
    }
}

/// The button value of the posted message: what Slack sends back on a click.
fn posted_value(world: &World) -> String {
    let posts = world.slack.calls("chat.postMessage");
    let post = posts.last().expect("a posted message");
    let actions = post["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "actions")
        .unwrap();
    actions["elements"][0]["value"].as_str().unwrap().to_owned()
}

/// The `ts` the Slack server answered `chat.postMessage` with.
fn posted_ts(world: &World) -> Value {
    let requests = world.slack.requests();
    let n = requests
        .iter()
        .position(|r| r.path == "/api/chat.postMessage")
        .expect("a posted message");
    json!(format!("1793699000.{:06}", n + 1))
}

fn click(world: &World, action_id: &str, user: &str, value: &str) -> Value {
    let payload = json!({
        "type": "block_actions",
        "token": "ignored-verification-token",
        "user": {"id": user, "username": user.trim_start_matches("U0").to_lowercase(), "team_id": "T0ACME"},
        "api_app_id": "A0APPROVE",
        "team": {"id": "T0ACME", "domain": "acme"},
        "trigger_id": "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
        "response_url": world.slack.response_url(),
        "container": {"type": "message", "message_ts": "1793699000.000001", "channel_id": "C0DEPLOYS"},
        "channel": {"id": "C0DEPLOYS"},
        "message": {"ts": "1793699000.000001", "blocks": world.slack.calls("chat.postMessage").last().map(|p| p["blocks"].clone()).unwrap_or_default()},
        "actions": [{"action_id": action_id, "block_id": "codepipeline_approval", "value": value, "type": "button"}]
    });
    signed_request_event(
        &form_body(&payload),
        &slack_approval::SigningSecret::new(SIGNING_SECRET).unwrap(),
        NOW,
    )
}

async fn post_approval(world: &World) -> String {
    let output = world
        .requester
        .handle(sample("approval-requester/approval-notification.json"))
        .await
        .unwrap();
    assert_eq!(output.posted.len(), 1, "{output:?}");
    assert!(output.posted[0].recorded);
    posted_value(world)
}

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

fn already_completed() -> Reply {
    Reply {
        status: 400,
        body: Reply::recorded("codepipeline/put-approval-result-already-completed.json").body,
    }
}

fn invalid_token() -> Reply {
    Reply {
        status: 400,
        body: Reply::recorded("codepipeline/put-approval-result-invalid-token.json").body,
    }
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
    let world = world().await;
    let value = post_approval(&world).await;
    world.double.on(
        PUT,
        vec![Reply::recorded("codepipeline/put-approval-result.json")],
    );
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
    let world = world().await;
    let value = post_approval(&world).await;
    world.double.on(
        PUT,
        vec![Reply::recorded("codepipeline/put-approval-result.json")],
    );
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
    let world = world().await;
    let value = post_approval(&world).await;
    world.double.on(
        PUT,
        vec![Reply::recorded("codepipeline/put-approval-result.json")],
    );
    world
        .handler
        .handle(click(&world, APPROVE_ACTION_ID, "U0DAVE", &value), NOW)
        .await;
    assert_eq!(world.double.requests(PUT).len(), 1);
}

#[tokio::test]
async fn self_approval_is_refused_where_the_pipeline_forbids_it() {
    let world = world().await;
    let value = post_approval(&world).await;
    world.double.on(
        PUT,
        vec![Reply::recorded("codepipeline/put-approval-result.json")],
    );
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
    let world = world().await;
    let value = post_approval(&world).await;
    world.double.on(
        PUT,
        vec![Reply::recorded("codepipeline/put-approval-result.json")],
    );
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

#[tokio::test]
async fn hostile_requests_get_the_right_status_and_no_codepipeline_call() {
    let world = world().await;
    let value = post_approval(&world).await;
    world.double.on(
        PUT,
        vec![Reply::recorded("codepipeline/put-approval-result.json")],
    );
    let good = click(&world, APPROVE_ACTION_ID, "U0ALICE", &value);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut event = good.clone();
        f(&mut event);
        event
    };
    let other_secret = signed_request_event(
        &form_body(&json!({"type": "block_actions"})),
        &slack_approval::SigningSecret::new("not-the-secret").unwrap(),
        NOW,
    );
    let cases: Vec<(&str, Value, u16)> = vec![
        (
            "tampered signature",
            with(&|e| e["headers"]["x-slack-signature"] = json!(format!("v0={}", "a".repeat(64)))),
            401,
        ),
        (
            "no signature",
            with(&|e| {
                e["headers"]
                    .as_object_mut()
                    .unwrap()
                    .remove("x-slack-signature");
            }),
            401,
        ),
        (
            "replayed after 5 minutes",
            with(&|e| e["headers"]["x-slack-request-timestamp"] = json!((NOW - 301).to_string())),
            401,
        ),
        (
            "from the future",
            with(&|e| e["headers"]["x-slack-request-timestamp"] = json!((NOW + 301).to_string())),
            401,
        ),
        (
            "tampered body",
            with(&|e| e["body"] = json!("cGF5bG9hZD0lN0IlN0Q=")),
            401,
        ),
        ("signed with another secret", other_secret, 401),
        ("body not base64", with(&|e| e["body"] = json!("***")), 400),
        (
            "GET",
            with(&|e| e["requestContext"]["http"]["method"] = json!("GET")),
            405,
        ),
        ("not an HTTP event", json!(["payload"]), 400),
        (
            "signed, but response_url elsewhere",
            {
                let payload = json!({
                    "type": "block_actions", "user": {"id": "U0ALICE"}, "api_app_id": "A0APPROVE",
                    "team": {"id": "T0ACME"}, "response_url": "http://10.0.0.5/steal",
                    "actions": [{"action_id": APPROVE_ACTION_ID, "value": value}]
                });
                signed_request_event(
                    &form_body(&payload),
                    &slack_approval::SigningSecret::new(SIGNING_SECRET).unwrap(),
                    NOW,
                )
            },
            400,
        ),
        (
            "signed, but not a payload",
            signed_request_event(
                "text=hello",
                &slack_approval::SigningSecret::new(SIGNING_SECRET).unwrap(),
                NOW,
            ),
            400,
        ),
    ];
    for (name, event, status) in cases {
        let response = world.handler.handle(event, NOW).await;
        assert_eq!(response.status_code, status, "{name}: {}", response.body);
        assert!(!response.body.contains(SIGNING_SECRET), "{name}");
    }
    assert!(world.double.requests(PUT).is_empty());
    assert!(world.slack.responses().is_empty());
}

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
