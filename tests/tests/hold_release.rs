//! "Release now" for a push held by a change freeze, over real HTTP: the
//! approval-requester announces the hold from a routing summary, the approval-handler
//! releases it on a signed click. Holds are in moto's DynamoDB (the `SchedulerTable` key
//! schema), `StartPipelineExecution` is the recorded-response double, Slack is the local
//! server, the approval store is moto's DynamoDB too.

use std::sync::Arc;
use std::time::Duration;

use approval_handler::http::{form_body, signed_request_event};
use approval_handler::{ApprovalHandler, FunctionHandler};
use approval_requester::{ApprovalRequester, RequesterFunction};
use aws_adapters::approval_results::CodePipelineResults;
use aws_adapters::approval_store::DynamoStore;
use aws_adapters::codepipeline_runs::CodePipelineRuns;
use aws_adapters::hold_releases::StoreAndStart;
use aws_adapters::holds_store::DynamoHoldStore;
use aws_adapters::pipeline_facts::AwsPipelineFacts;
use aws_adapters::slack_http::SlackHttp;
use aws_adapters::slack_secrets::BotToken;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use integration_tests::approvals::{self, NOW, SIGNING_SECRET};
use integration_tests::slack::SlackServer;
use integration_tests::target::START_EXECUTION as START;
use integration_tests::{AwsDouble, files, moto, sdk};
use pipeline_schedules::jiff::Timestamp;
use pipeline_schedules::{Hold, HoldKey, HoldStore};
use serde_json::{Value, json};
use slack_approval::memory::MemoryQueue;
use slack_approval::{
    ApprovalsConfig, RELEASE_ACTION_ID, ReleaseClicks, ResponseUrlPolicy, SigningSecret,
};

/// The commit of the sample routing summary's push.
const COMMIT: &str = "e3b1f6a2c9d84e7f0a5b3c2d1e9f8a7b6c5d4e3f";
const EXECUTION: &str = "3137f7cb-7cf7-039j-s83l-d7eu3EXAMPLE";

/// `api` is released from #api-deploys by Alice or the ops group; `docs` (also frozen in
/// the sample summary) is not in the file.
const CONFIG: &str = "\
version: 1
team_id: T0ACME
pipelines:
  - name: api
    channel: C0APIDEPLOY
    approvers: [U0ALICE]
    approver_groups: [S0OPS]
    stage: Production
";

type Requester = RequesterFunction<AwsPipelineFacts, SlackHttp, DynamoStore, DynamoHoldStore>;
type Handler = FunctionHandler<
    CodePipelineResults,
    SlackHttp,
    DynamoStore,
    MemoryQueue,
    StoreAndStart<DynamoHoldStore, CodePipelineRuns>,
>;

struct World {
    slack: SlackServer,
    double: AwsDouble,
    holds: DynamoHoldStore,
    requester: Requester,
    handler: Handler,
}

async fn table(client: &aws_sdk_dynamodb::Client, prefix: &str) -> String {
    let name = moto::unique(prefix);
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    name
}

/// The hold commit-filter wrote for the sample push: 3 pushes folded, the newest at
/// [`COMMIT`].
fn hold() -> Hold {
    let at: Timestamp = "2026-11-03T09:12:44Z"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let release_at: Timestamp = "2026-11-06T23:00:00Z"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut hold = Hold::for_push(
        "monorepo",
        "api",
        "main",
        COMMIT,
        Some("Source"),
        Some("arn:aws:sts::123456789012:assumed-role/Developer/jane.doe"),
        at,
        "release-week",
        release_at,
    );
    hold.pushes = 3;
    hold
}

async fn world() -> World {
    let slack = SlackServer::start().await;
    slack.add_group("S0OPS", &["U0BOB"]);
    let double = AwsDouble::start().await;
    double.on_recorded(START, "codepipeline/start-pipeline-execution.json");
    let dynamodb = sdk::dynamodb(&moto::endpoint());
    let holds = DynamoHoldStore::new(dynamodb.clone(), table(&dynamodb, "scheduler").await);
    holds
        .put_newest(hold())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let store = DynamoStore::new(dynamodb.clone(), table(&dynamodb, "approvals").await);
    let config = Arc::new(
        ApprovalsConfig::from_yaml(CONFIG, "approvals.yaml").unwrap_or_else(|e| panic!("{e}")),
    );
    let http = SlackHttp::new(
        &slack.api_url(),
        BotToken::new("xoxb-test-token").unwrap_or_else(|| panic!("a bot token")),
        Duration::from_secs(2),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let secret = || SigningSecret::new(SIGNING_SECRET).unwrap_or_else(|e| panic!("{e}"));
    let requester = RequesterFunction {
        approvals: ApprovalRequester {
            requests: approvals::requests(&config, &double, &http, store.clone()),
        },
        announcements: slack_approval::Announcements {
            config: Arc::clone(&config),
            slack: http.clone(),
            holds: holds.clone(),
        },
    };
    let handler = FunctionHandler {
        approvals: ApprovalHandler {
            clicks: approvals::clicks(Arc::clone(&config), secret(), &double, http.clone(), store),
        },
        releases: ReleaseClicks {
            config,
            secret: secret(),
            slack: http,
            releases: StoreAndStart::new(
                holds.clone(),
                CodePipelineRuns::new(sdk::codepipeline(&double.endpoint())),
            ),
            urls: ResponseUrlPolicy::SlackOrLoopback,
            later: MemoryQueue::default(),
            limits: approvals::limits(),
        },
    };
    World {
        slack,
        double,
        holds,
        requester,
        handler,
    }
}

/// Announces the sample summary; the posted announcement.
async fn announce(world: &World) -> Value {
    let output = world
        .requester
        .handle(files::sample_event(
            "approval-requester/routing-summary-frozen.json",
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.announced.len(), 1, "{output:?}");
    let posts = world.slack.calls("chat.postMessage");
    assert_eq!(posts.len(), 1, "{posts:?}");
    posts[0].clone()
}

/// The "Release now" button of a posted announcement.
fn release_button(post: &Value) -> Value {
    post["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| e["action_id"] == RELEASE_ACTION_ID)
        .unwrap_or_else(|| panic!("no Release now button: {post}"))
}

/// A click on the announcement's button by `user`, signed with `secret` (Slack's own
/// unless a test says otherwise).
fn click(world: &World, post: &Value, user: &str, secret: &str) -> Value {
    let payload = approvals::block_actions(
        user,
        "C0APIDEPLOY",
        post["blocks"].clone(),
        json!({"action_id": RELEASE_ACTION_ID, "block_id": "held_push", "value": release_button(post)["value"], "type": "button"}),
        &world.slack.response_url(),
    );
    signed_request_event(
        &form_body(&payload),
        &SigningSecret::new(secret).unwrap_or_else(|e| panic!("{e}")),
        NOW,
    )
}

async fn stored(world: &World) -> Option<Hold> {
    world
        .holds
        .get(&HoldKey::new("api", "main"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_frozen_routing_summary_is_announced_with_a_release_button_in_the_pipelines_channel() {
    let world = world().await;
    let post = announce(&world).await;
    assert_eq!(post["channel"], "C0APIDEPLOY");
    let blocks = post["blocks"].to_string();
    for expected in [
        "release-week",
        "e3b1f6a",
        "3 pushes",
        "jane.doe",
        "2026-11-06 23:00 UTC",
    ] {
        assert!(blocks.contains(expected), "{expected} missing: {blocks}");
    }
    assert_eq!(release_button(&post)["value"], "api#main");
    // `docs` was frozen too, but the approvals file does not list it: nothing posted.
    assert!(!blocks.contains("docs"), "{blocks}");
    // Nothing was started by announcing.
    assert!(world.double.requests(START).is_empty());
}

#[tokio::test]
async fn an_approvers_click_starts_the_held_commit_once_deletes_the_hold_and_says_who() {
    let world = world().await;
    let post = announce(&world).await;
    let reply = world
        .handler
        .handle_event(click(&world, &post, "U0ALICE", SIGNING_SECRET), NOW)
        .await;
    assert_eq!(reply["statusCode"], 200, "{reply}");
    let starts = world.double.requests(START);
    assert_eq!(starts.len(), 1, "{starts:?}");
    assert_eq!(starts[0]["name"], "api");
    assert_eq!(starts[0]["clientRequestToken"], hold().release_token());
    assert_eq!(starts[0]["sourceRevisions"][0]["actionName"], "Source");
    assert_eq!(starts[0]["sourceRevisions"][0]["revisionType"], "COMMIT_ID");
    assert_eq!(starts[0]["sourceRevisions"][0]["revisionValue"], COMMIT);
    assert_eq!(stored(&world).await, None, "the hold is deleted");
    let responses = world.slack.responses();
    let update = responses
        .last()
        .unwrap_or_else(|| panic!("no message update"));
    assert_eq!(update["replace_original"], true);
    let blocks = update["blocks"].to_string();
    assert!(
        blocks.contains(&format!(
            "by <@U0ALICE> at `e3b1f6a` (execution `{EXECUTION}`)"
        )),
        "{blocks}"
    );
    assert!(
        !blocks.contains(RELEASE_ACTION_ID),
        "the button is gone: {blocks}"
    );

    // A second click (another approver, a group member) finds the hold gone.
    let reply = world
        .handler
        .handle_event(click(&world, &post, "U0BOB", SIGNING_SECRET), NOW)
        .await;
    assert_eq!(reply["statusCode"], 200, "{reply}");
    assert_eq!(world.double.requests(START).len(), 1, "started once");
    let responses = world.slack.responses();
    let again = responses
        .last()
        .unwrap_or_else(|| panic!("no message update"));
    assert!(
        again["blocks"].to_string().contains("Already released"),
        "{again}"
    );
}

/// The same click handled twice (its work continued from the queue, or Lambda retried
/// it) after the release was recorded: the second answer is the release it was, "Released
/// by", and nothing more is started.
#[tokio::test]
async fn a_retried_click_after_its_release_says_released_by_not_already_released() {
    let world = world().await;
    let post = announce(&world).await;
    let event = click(&world, &post, "U0ALICE", SIGNING_SECRET);
    for _ in 0..2 {
        let reply = world.handler.handle_event(event.clone(), NOW).await;
        assert_eq!(reply["statusCode"], 200, "{reply}");
    }
    assert_eq!(world.double.requests(START).len(), 1, "started once");
    let responses = world.slack.responses();
    assert_eq!(responses.len(), 2, "{responses:?}");
    let retried = responses[1]["blocks"].to_string();
    assert!(
        retried.contains(&format!(
            "by <@U0ALICE> at `e3b1f6a` (execution `{EXECUTION}`)"
        )),
        "{retried}"
    );
    assert!(!retried.contains("Already released"), "{retried}");
}

#[tokio::test]
async fn a_click_by_someone_else_is_refused_and_changes_nothing() {
    let world = world().await;
    let post = announce(&world).await;
    let reply = world
        .handler
        .handle_event(click(&world, &post, "U0MALLORY", SIGNING_SECRET), NOW)
        .await;
    assert_eq!(reply["statusCode"], 200, "{reply}");
    assert!(world.double.requests(START).is_empty(), "nothing started");
    assert_eq!(
        stored(&world).await,
        Some(hold()),
        "the hold stays, unclaimed"
    );
    let responses = world.slack.responses();
    assert_eq!(responses.len(), 1, "{responses:?}");
    assert_eq!(responses[0]["response_type"], "ephemeral");
    assert_eq!(responses[0]["replace_original"], false);
    assert!(
        responses[0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("not an approver"),
        "{responses:?}"
    );
}

#[tokio::test]
async fn a_click_with_a_bad_signature_gets_401_and_changes_nothing() {
    let world = world().await;
    let post = announce(&world).await;
    let reply = world
        .handler
        .handle_event(
            click(&world, &post, "U0ALICE", "0000000000000000000000000000000f"),
            NOW,
        )
        .await;
    assert_eq!(reply["statusCode"], 401, "{reply}");
    assert_eq!(reply["body"], "invalid request");
    assert!(world.double.requests(START).is_empty());
    assert_eq!(stored(&world).await, Some(hold()));
    assert!(world.slack.responses().is_empty());
}
