//! The approval functions with their real adapters, over HTTP: Slack is a local server
//! that records what the functions post ([`SlackServer`]); CodePipeline
//! (`GetPipelineState`, `GetPipelineExecution`, `PutApprovalResult`) and CodeCommit
//! (`GetCommit`) are the recorded-response double; Secrets Manager and DynamoDB are moto.
//!
//! The world every test builds is here; the tests are in `clicks` (posting and clicking),
//! `endings` (how approvals end), `hostile` (requests Slack would not send) and `cli` (the
//! CLI on the samples).

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
use integration_tests::approvals::{self, NOW, SIGNING_SECRET};
use integration_tests::slack::SlackServer;
use integration_tests::{AwsDouble, Reply, moto, sdk};
use serde_json::{Value, json};
use slack_approval::memory::MemoryQueue;
use slack_approval::message::{APPROVE_ACTION_ID, REASON_CALLBACK_ID, REJECT_ACTION_ID};
use slack_approval::{ApprovalRef, ApprovalsConfig, Clicks, Limits, ResponseUrlPolicy};

const PUT: &str = "CodePipeline_20150709.PutApprovalResult";
const STATE: &str = "CodePipeline_20150709.GetPipelineState";
const EXECUTION: &str = "CodePipeline_20150709.GetPipelineExecution";
const GET_COMMIT: &str = "CodeCommit_20150413.GetCommit";

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
    let table = moto::approvals_table(&dynamodb, EXECUTION_INDEX).await;
    let config = Arc::new(ApprovalsConfig::from_yaml(config, "approvals.yaml").unwrap());
    let http = SlackHttp::new(&slack.api_url(), secrets.bot_token, Duration::from_secs(2)).unwrap();
    assert!(http.is_local());
    let requester = ApprovalRequester {
        requests: approvals::requests(
            &config,
            &double,
            &http,
            DynamoStore::new(dynamodb.clone(), table.clone()),
        ),
    };
    let handler = ApprovalHandler {
        clicks: approvals::clicks(
            config,
            secrets.signing_secret,
            &double,
            http,
            DynamoStore::new(dynamodb, table),
        ),
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
    let blocks = world
        .slack
        .calls("chat.postMessage")
        .last()
        .map(|p| p["blocks"].clone())
        .unwrap_or_default();
    let payload = approvals::block_actions(
        user,
        "C0DEPLOYS",
        blocks,
        json!({"action_id": action_id, "block_id": "codepipeline_approval", "value": value, "type": "button"}),
        &world.slack.response_url(),
    );
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

/// A world with the approval posted and CodePipeline accepting every approval result;
/// with the buttons' value.
async fn accepting_world() -> (World, String) {
    let world = world().await;
    let value = post_approval(&world).await;
    world.double.on(
        PUT,
        vec![Reply::recorded("codepipeline/put-approval-result.json")],
    );
    (world, value)
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

mod cli;
mod clicks;
mod endings;
mod hostile;
