//! The four function binaries end to end, run the way Lambda runs them: each test builds
//! (if needed) and spawns the real binary against a local Lambda Runtime API
//! ([`RuntimeApi`]), with its AWS SDK pointed at moto and, for what moto lacks (CodeCommit
//! diffs, `PutApprovalResult`, the approval look-ups), at the recorded-response double
//! through `AWS_ENDPOINT_URL_<SERVICE>`; Slack is the local recording server. Settings
//! and secrets are where production reads them (environment variables naming SSM
//! parameters and a Secrets Manager secret in moto). The events are the samples in
//! `events/`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use approval_handler::http::{form_body, signed_request_event};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, ScalarAttributeType,
};
use integration_tests::files::{repository_file, sample_event as sample};
use integration_tests::runtime::{Invocation, RuntimeApi};
use integration_tests::slack::SlackServer;
use integration_tests::target::{
    GET_COMMIT, GET_DIFFERENCES, GET_MERGE_OPTIONS, GET_PIPELINE_EXECUTION as GET_EXECUTION,
    GET_PIPELINE_STATE as GET_STATE, GET_REPOSITORY, PUT_APPROVAL_RESULT as PUT_RESULT,
};
use integration_tests::{AwsDouble, Reply, moto, sdk};
use pipeline_metrics::row::{self, Row, Source};
use serde_json::{Value, json};
use slack_approval::message::{APPROVE_ACTION_ID, REJECT_ACTION_ID};
use slack_approval::{ApprovalRef, SigningSecret};

/// How long one invocation may take before the test fails (a debug binary, a shared
/// machine; a healthy run takes well under a second).
const INVOCATION_TIMEOUT: Duration = Duration::from_secs(60);

const SIGNING_SECRET: &str = "e2e-signing-secret-0123456789abcdef";
const BOT_TOKEN: &str = "xoxb-e2e-bot-token";
const APPROVAL_TOKEN: &str = "3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34";

// ---------------------------------------------------------------------------------------
// Building and running the binaries

/// The four binaries, built once per test run in the test's own profile and target dir.
fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let dir = BUILT
        .get_or_init(build_binaries)
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"));
    dir.join(name)
}

/// `$CARGO build` of the function binaries into the directory this test executable was
/// built in (`<target>/<profile>/deps/<test>` → `<target>/<profile>`); cargo skips what
/// is up to date.
fn build_binaries() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("no profile directory above {}", exe.display()))?
        .to_owned();
    let target_dir = profile_dir
        .parent()
        .ok_or_else(|| format!("no target directory above {}", profile_dir.display()))?;
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_owned(),
        Some(other) => other.to_owned(),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(&cargo);
    command
        .args(["build", "--profile", &profile])
        .env("CARGO_TARGET_DIR", target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for name in [
        "commit-filter",
        "approval-requester",
        "approval-handler",
        "metrics-extractor",
    ] {
        command.args(["-p", name, "--bin", name]);
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run {cargo} build: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{cargo} build of the function binaries failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(profile_dir)
}

/// A running function binary, killed when dropped. Its stdout and stderr (the JSON logs)
/// go to files that failure messages quote.
struct Function {
    name: String,
    child: Child,
    stdout: tempfile::NamedTempFile,
    stderr: tempfile::NamedTempFile,
    runtime: RuntimeApi,
}

impl Function {
    /// Starts `name` against a new Runtime API, with the Lambda variables, test
    /// credentials, the SDK pointed at moto, and `env` (which wins).
    async fn start(name: &str, env: &[(&str, String)]) -> Self {
        let path = binary(name);
        let runtime = RuntimeApi::start(name).await;
        let stdout = tempfile::NamedTempFile::new().unwrap();
        let stderr = tempfile::NamedTempFile::new().unwrap();
        let mut command = Command::new(&path);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", runtime.address().to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/12/01/[$LATEST]e2e")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", moto::endpoint())
            .env("RUST_LOG", "info")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(stdout.reopen().unwrap())
            .stderr(stderr.reopen().unwrap());
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
        Self {
            name: name.to_owned(),
            child,
            stdout,
            stderr,
            runtime,
        }
    }

    /// Serves `event` and waits for the binary's answer; fails with the binary's logs if
    /// it exits or does not answer in time.
    async fn invoke(&mut self, event: &Value) -> Invocation {
        let request_id = self.runtime.push(event.to_string());
        let deadline = Instant::now() + INVOCATION_TIMEOUT;
        loop {
            // Wakes as soon as the answer arrives; the slice only bounds how late an exit
            // of the binary is noticed.
            let slice = Duration::from_millis(250);
            if let Some(done) = self.runtime.wait_for(&request_id, slice).await {
                return done;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let init = self.runtime.init_error();
                panic!(
                    "{} exited ({status}) before answering {request_id}; init error: {init:?}\n{}",
                    self.name,
                    self.logs()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "{} did not answer {request_id} within {INVOCATION_TIMEOUT:?}\n{}",
                    self.name,
                    self.logs()
                );
            }
        }
    }

    /// Serves `event` and returns the JSON response, failing (with logs) on an error.
    async fn respond(&mut self, event: &Value) -> Value {
        let done = self.invoke(event).await;
        let Some(body) = done.response() else {
            panic!(
                "{} reported an error: {:?}\n{}",
                self.name,
                done.error(),
                self.logs()
            );
        };
        serde_json::from_str(body).unwrap_or_else(|e| {
            panic!(
                "{}: response is not JSON ({e}): {body}\n{}",
                self.name,
                self.logs()
            )
        })
    }

    /// The last lines of the binary's stdout and stderr.
    fn logs(&self) -> String {
        let tail = |file: &tempfile::NamedTempFile| {
            let text = std::fs::read_to_string(file.path()).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(40)..].join("\n")
        };
        format!(
            "--- {} stdout (tail) ---\n{}\n--- {} stderr (tail) ---\n{}",
            self.name,
            tail(&self.stdout),
            self.name,
            tail(&self.stderr)
        )
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asserts `condition`, with the function's logs in the failure message.
macro_rules! check {
    ($function:expr, $condition:expr, $($message:tt)+) => {
        assert!($condition, "{}\n{}", format!($($message)+), $function.logs())
    };
}

/// Asserts equality, with the function's logs in the failure message.
macro_rules! check_eq {
    ($function:expr, $left:expr, $right:expr, $($message:tt)+) => {
        match (&$left, &$right) {
            (left, right) => assert!(
                left == right,
                "{}\n  left: {left:?}\n right: {right:?}\n{}",
                format!($($message)+),
                $function.logs()
            ),
        }
    };
}

/// Waits (up to 10 s) until `condition` holds; returns whether it did.
async fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

/// Puts `value` in moto's SSM under a unique name; returns the name.
async fn ssm_parameter(prefix: &str, value: &str) -> String {
    let name = format!("/{}", moto::unique(prefix));
    sdk::ssm(&moto::endpoint())
        .put_parameter()
        .name(&name)
        .value(value)
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutParameter {name}: {e:?}"));
    name
}

// ---------------------------------------------------------------------------------------
// commit-filter

/// How many executions moto has of `pipeline`.
async fn executions(pipeline: &str) -> usize {
    moto::pipeline_execution_ids(pipeline).await.len()
}

/// The names of the pipelines the response says were started, sorted.
fn started(response: &Value) -> Vec<String> {
    let mut names: Vec<String> = response["starts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["pipeline"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn commit_filter_starts_the_pipelines_the_shipped_rules_pick_for_each_sample_push() {
    // The shipped rules, with the monorepo's pipelines renamed so that this run's
    // executions in the shared moto are its own.
    let suffix = moto::unique("e2e");
    let names = [
        "api-deploy",
        "web-deploy",
        "feature-preview",
        "release-publish",
    ];
    let mut rules = repository_file("routing-rules.yaml");
    for name in names {
        let line = format!("- name: {name}\n");
        assert!(rules.contains(&line), "routing-rules.yaml has no {name}");
        rules = rules.replace(&line, &format!("- name: {name}-{suffix}\n"));
    }
    let [api, web, preview, release] = names.map(|n| format!("{n}-{suffix}"));
    moto::create_pipelines(&[&api, &web, &preview, &release]);
    let parameter = ssm_parameter("pipeline-router-e2e/rules", &rules).await;

    let push = sample("commit-filter/push-main.json");
    let branch = sample("commit-filter/new-branch.json");
    let main_commit = push["detail"]["commitId"].as_str().unwrap().to_owned();
    let branch_commit = branch["detail"]["commitId"].as_str().unwrap().to_owned();

    // CodeCommit (moto has no GetDifferences): the four recorded pages of the push to
    // main, answered by NextToken; the new branch's diff against its merge base.
    let double = AwsDouble::start().await;
    let commit = main_commit.clone();
    double.on_diff_pages(move |body| body["afterCommitSpecifier"] == commit.as_str());
    let commit = branch_commit.clone();
    double.on_matching(
        GET_DIFFERENCES,
        move |body| body["afterCommitSpecifier"] == commit.as_str(),
        vec![Reply::recorded(
            "codecommit/get-differences-new-branch.json",
        )],
    );
    double.on_recorded(GET_MERGE_OPTIONS, "codecommit/get-merge-options.json");
    double.on_recorded(GET_REPOSITORY, "codecommit/get-repository.json");

    let mut function = Function::start(
        "commit-filter",
        &[
            ("ROUTING_RULES_PARAMETER", parameter),
            ("AWS_ENDPOINT_URL_CODECOMMIT", double.endpoint()),
        ],
    )
    .await;

    // A push to main that touches the API (a deleted file, page 1) and the web app (a
    // rename, page 3): both deploy pipelines start, at the pushed commit.
    let response = function.respond(&push).await;
    check_eq!(
        function,
        started(&response),
        {
            let mut both = vec![api.clone(), web.clone()];
            both.sort();
            both
        },
        "push-main starts api-deploy and web-deploy: {response}"
    );
    let diffs = double.requests(GET_DIFFERENCES);
    check!(
        function,
        !diffs.is_empty()
            && diffs
                .iter()
                .all(|d| d["afterCommitSpecifier"] == main_commit.as_str()
                    && d["beforeCommitSpecifier"] == push["detail"]["oldCommitId"]),
        "the diff is the push's, old to new commit: {diffs:?}"
    );
    check!(
        function,
        response.to_string().contains(&main_commit),
        "the response names the evaluated commit: {response}"
    );
    for (pipeline, expected) in [(&api, 1), (&web, 1), (&preview, 0), (&release, 0)] {
        check_eq!(
            function,
            executions(pipeline).await,
            expected,
            "executions of {pipeline} in moto after push-main"
        );
    }

    // A new feature branch: diffed against its merge base with main, only the preview
    // pipeline (feature/** branches) starts.
    let response = function.respond(&branch).await;
    check_eq!(
        function,
        started(&response),
        vec![preview.clone()],
        "new-branch starts feature-preview: {response}"
    );
    let merge = double.requests(GET_MERGE_OPTIONS);
    check!(
        function,
        merge.len() == 1 && merge[0]["sourceCommitSpecifier"] == branch_commit.as_str(),
        "the new branch is diffed against its merge base: {merge:?}"
    );
    check_eq!(
        function,
        executions(&preview).await,
        1,
        "executions of {preview} after new-branch"
    );

    // The branch deleted: nothing to build, nothing started, no diff read.
    let diffs_before = double.requests(GET_DIFFERENCES).len();
    let response = function
        .respond(&sample("commit-filter/branch-deleted.json"))
        .await;
    check_eq!(
        function,
        started(&response),
        Vec::<String>::new(),
        "branch-deleted starts nothing: {response}"
    );
    check_eq!(
        function,
        double.requests(GET_DIFFERENCES).len(),
        diffs_before,
        "a deleted branch has no diff to read"
    );

    // A malformed event (no repositoryName): an error Lambda can retry and route to the
    // on-failure destination, with its error type; the function keeps serving.
    let done = function
        .invoke(&sample("commit-filter/malformed.json"))
        .await;
    let error = done.error().cloned();
    check_eq!(
        function,
        error.as_ref().map(|e| e.error_type.as_str()),
        Some("MalformedEvent"),
        "malformed.json is reported as an error: {done:?}"
    );
    check!(
        function,
        error.is_some_and(|e| e.body.contains("repositoryName")),
        "the error says what is missing: {done:?}"
    );

    for (pipeline, expected) in [(&api, 1), (&web, 1), (&preview, 1), (&release, 0)] {
        check_eq!(
            function,
            executions(pipeline).await,
            expected,
            "executions of {pipeline} in moto after all four samples"
        );
    }
}

// ---------------------------------------------------------------------------------------
// approval-requester and approval-handler

/// The approvals table, as the template declares it.
async fn approvals_table() -> String {
    let client = sdk::dynamodb(&moto::endpoint());
    let name = moto::unique("e2e-approvals");
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
                .index_name(aws_adapters::approval_store::EXECUTION_INDEX)
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
        .unwrap_or_else(|e| panic!("CreateTable {name}: {e:?}"));
    name
}

/// The Slack secrets in moto's Secrets Manager; returns the secret's name.
async fn slack_secret() -> String {
    let name = moto::unique("pipeline-router-e2e/slack");
    sdk::secretsmanager(&moto::endpoint())
        .create_secret()
        .name(&name)
        .secret_string(
            json!({"signing_secret": SIGNING_SECRET, "bot_token": BOT_TOKEN}).to_string(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateSecret {name}: {e:?}"));
    name
}

/// The approval functions' settings: `events/approval-handler/approvals.yaml` in SSM, the
/// secret, the table, Slack at the local server, CodePipeline and CodeCommit at the double.
async fn approval_settings(
    slack: &SlackServer,
    double: &AwsDouble,
) -> (Vec<(&'static str, String)>, String) {
    let approvals = ssm_parameter(
        "pipeline-router-e2e/approvals",
        &repository_file("events/approval-handler/approvals.yaml"),
    )
    .await;
    let table = approvals_table().await;
    let continuations = sdk::sqs(&moto::endpoint())
        .create_queue()
        .queue_name(moto::unique("approval-continuations"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateQueue: {e:?}"))
        .queue_url
        .unwrap_or_default();
    let env = vec![
        ("APPROVALS_CONFIG_PARAMETER", approvals),
        ("CONTINUATION_QUEUE_URL", continuations),
        ("SLACK_SECRET_ID", slack_secret().await),
        ("SLACK_API_URL", slack.api_url()),
        ("APPROVALS_TABLE", table.clone()),
        ("AWS_ENDPOINT_URL_CODEPIPELINE", double.endpoint()),
        ("AWS_ENDPOINT_URL_CODECOMMIT", double.endpoint()),
    ];
    (env, table)
}

#[tokio::test]
async fn approval_requester_posts_the_sample_approval_with_buttons_and_records_it() {
    let slack = SlackServer::start().await;
    slack.add_user("carol@example.com", "U0CAROL");
    let double = AwsDouble::start().await;
    double.on_recorded(GET_STATE, "codepipeline/get-pipeline-state-approval.json");
    double.on_recorded(
        GET_EXECUTION,
        "codepipeline/get-pipeline-execution-approval.json",
    );
    double.on_recorded(GET_COMMIT, "codecommit/get-commit-approval.json");
    let (env, table) = approval_settings(&slack, &double).await;
    let mut function = Function::start("approval-requester", &env).await;

    let response = function
        .respond(&sample("approval-requester/approval-notification.json"))
        .await;

    let posts = slack.calls("chat.postMessage");
    check_eq!(function, posts.len(), 1, "one message posted: {response}");
    let post = &posts[0];
    check_eq!(
        function,
        post["channel"],
        json!("C0DEPLOYS"),
        "the default channel"
    );
    let authorization = slack
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/chat.postMessage")
        .and_then(|r| r.authorization);
    check_eq!(
        function,
        authorization,
        Some(format!("Bearer {BOT_TOKEN}")),
        "posted with the bot token from Secrets Manager"
    );
    let blocks = post["blocks"].to_string();
    for expected in [
        "web-prod",
        "Production",
        "ApproveRelease",
        "Staging smoke tests passed",
    ] {
        check!(
            function,
            blocks.contains(expected),
            "the message shows {expected}: {blocks}"
        );
    }
    let buttons: Vec<&Value> = post["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().into_iter().flatten())
        .collect();
    let ids: Vec<&str> = buttons
        .iter()
        .filter_map(|b| b["action_id"].as_str())
        .collect();
    check_eq!(
        function,
        ids,
        vec![APPROVE_ACTION_ID, REJECT_ACTION_ID],
        "Approve and Reject buttons: {blocks}"
    );
    let value = buttons[0]["value"].as_str().unwrap_or_default();
    let approval = ApprovalRef::from_button_value(value)
        .unwrap_or_else(|e| panic!("the button value is an approval reference ({e}): {value}"));
    check_eq!(function, approval.pipeline, "web-prod", "button pipeline");
    check_eq!(function, approval.token, APPROVAL_TOKEN, "button token");
    check_eq!(
        function,
        approval.commit_author.as_deref(),
        Some("U0CAROL"),
        "the commit author (self-approval is forbidden) rides in the button"
    );

    // The message's place, kept in DynamoDB (keyed by the approval's key) for the handler
    // and the approval-ended events.
    let item = sdk::dynamodb(&moto::endpoint())
        .get_item()
        .table_name(&table)
        .key("pk", AttributeValue::S(approval.store_key()))
        .consistent_read(true)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetItem: {e:?}"))
        .item
        .unwrap_or_else(|| panic!("no approval record in {table}\n{}", function.logs()));
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
    check_eq!(
        function,
        text("pipeline").as_deref(),
        Some("web-prod"),
        "record pipeline"
    );
    check_eq!(
        function,
        text("stage").as_deref(),
        Some("Production"),
        "record stage"
    );
    check_eq!(
        function,
        text("channel").as_deref(),
        Some("C0DEPLOYS"),
        "record channel"
    );
    // The local Slack server answers the n-th request with ts `1793699000.<n>`.
    let posted_ts = slack
        .requests()
        .iter()
        .position(|r| r.path == "/api/chat.postMessage")
        .map(|n| format!("1793699000.{:06}", n + 1));
    check_eq!(
        function,
        text("ts"),
        posted_ts,
        "the record holds the ts Slack answered"
    );
    check!(
        function,
        text("blocks").is_some_and(|b| b.contains(APPROVE_ACTION_ID)),
        "the record keeps the posted blocks"
    );
}

/// `events/approval-handler/approve-click.json`, re-signed now with the test's secret,
/// its `response_url` on the local Slack server.
fn signed_approve_click(slack: &SlackServer) -> Value {
    let mut payload = sample("approval-handler/approve-click-payload.json");
    payload["response_url"] = json!(slack.response_url());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let signed = signed_request_event(
        &form_body(&payload),
        &SigningSecret::new(SIGNING_SECRET).unwrap(),
        now,
    );
    // The sample's envelope (headers, request context), with the new body and signature.
    let mut event = sample("approval-handler/approve-click.json");
    event["body"] = signed["body"].clone();
    event["isBase64Encoded"] = json!(true);
    for header in ["x-slack-request-timestamp", "x-slack-signature"] {
        event["headers"][header] = signed["headers"][header].clone();
    }
    event
}

#[tokio::test]
async fn approval_handler_refuses_an_unsigned_click_and_approves_a_signed_one() {
    let slack = SlackServer::start().await;
    let double = AwsDouble::start().await;
    double.on_recorded(PUT_RESULT, "codepipeline/put-approval-result.json");
    let (env, _table) = approval_settings(&slack, &double).await;
    let mut function = Function::start("approval-handler", &env).await;

    // Unsigned: 401, and nothing reaches CodePipeline or Slack.
    let response = function
        .respond(&sample("approval-handler/unsigned-click.json"))
        .await;
    check_eq!(
        function,
        response["statusCode"],
        json!(401),
        "unsigned click: {response}"
    );
    check!(
        function,
        double.requests(PUT_RESULT).is_empty() && slack.requests().is_empty(),
        "an unsigned click decides nothing: {:?} {:?}",
        double.all_requests(),
        slack.requests()
    );

    // Signed: alice's Approve reaches CodePipeline with a summary naming her, and the
    // message is replaced through response_url.
    let response = function.respond(&signed_approve_click(&slack)).await;
    check_eq!(
        function,
        response["statusCode"],
        json!(200),
        "signed click: {response}"
    );
    let puts = double.requests(PUT_RESULT);
    check_eq!(function, puts.len(), 1, "one PutApprovalResult: {puts:?}");
    let put = &puts[0];
    for (field, expected) in [
        ("pipelineName", "web-prod"),
        ("stageName", "Production"),
        ("actionName", "ApproveRelease"),
        ("token", APPROVAL_TOKEN),
    ] {
        check_eq!(
            function,
            put[field],
            json!(expected),
            "PutApprovalResult {field}"
        );
    }
    check_eq!(
        function,
        put["result"],
        json!({"status": "Approved", "summary": "Approved in Slack by alice (U0ALICE)."}),
        "the decision and who made it"
    );
    let replaced = eventually(|| !slack.responses().is_empty()).await;
    check!(
        function,
        replaced,
        "nothing posted to response_url: {:?}",
        slack.requests()
    );
    let responses = slack.responses();
    check_eq!(
        function,
        responses.len(),
        1,
        "one response_url post: {responses:?}"
    );
    let update = &responses[0];
    check_eq!(
        function,
        update["replace_original"],
        json!(true),
        "the message is replaced: {update}"
    );
    let text = update.to_string();
    check!(
        function,
        text.contains("U0ALICE") && text.contains("Approved"),
        "the replacement says alice approved: {text}"
    );
    check!(
        function,
        !text.contains(APPROVE_ACTION_ID),
        "the replacement has no buttons left: {text}"
    );
}

// ---------------------------------------------------------------------------------------
// metrics-extractor

/// Every object under `prefix` in the bucket, decoded, by key.
async fn objects(bucket: &str) -> Vec<(String, Vec<Row>)> {
    let s3 = sdk::s3(&moto::endpoint());
    let listing = s3
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListObjectsV2: {e:?}"));
    let mut out = Vec::new();
    for key in listing.contents().iter().filter_map(|o| o.key()) {
        let object = s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetObject {key}: {e:?}"));
        assert_eq!(object.content_type(), Some("application/gzip"), "{key}");
        let bytes = object.body.collect().await.unwrap().into_bytes();
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "{key} is gzip");
        let rows = pipeline_metrics::decode_object(&bytes)
            .unwrap_or_else(|e| panic!("{key} is not JSON lines of rows: {e}"));
        out.push((key.to_owned(), rows));
    }
    out
}

/// The rows the sample's records make, except `skip` (message ids), in object order.
fn rows_of(event: &Value, skip: &[&str]) -> Vec<Row> {
    let mut rows: Vec<Row> = event["Records"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| !skip.contains(&r["messageId"].as_str().unwrap_or_default()))
        .map(|r| row::from_json(r["body"].as_str().unwrap_or_default(), Source::Live).unwrap())
        .collect();
    rows.sort_by(|a, b| (a.event_time, &a.event_id).cmp(&(b.event_time, &b.event_id)));
    rows
}

#[tokio::test]
async fn metrics_extractor_writes_the_sample_batches_to_s3_and_names_exactly_the_bad_records() {
    let bucket = moto::unique("e2e-metrics");
    sdk::s3(&moto::endpoint())
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBucket {bucket}: {e:?}"));
    let mut function =
        Function::start("metrics-extractor", &[("METRICS_BUCKET", bucket.clone())]).await;

    // A clean batch: no failures, one object in its day's partition holding every row.
    let batch = sample("metrics-extractor/sqs-batch.json");
    let response = function.respond(&batch).await;
    check_eq!(
        function,
        response,
        json!({"batchItemFailures": []}),
        "sqs-batch.json fails no record"
    );
    let stored = objects(&bucket).await;
    check_eq!(
        function,
        stored.len(),
        1,
        "one object: {:?}",
        stored.iter().map(|o| &o.0).collect::<Vec<_>>()
    );
    let (key, rows) = &stored[0];
    check!(
        function,
        key.starts_with("pipeline-events/dt=2026-03-14/") && key.ends_with(".json.gz"),
        "the object is in the events' day partition: {key}"
    );
    check_eq!(function, rows, &rows_of(&batch, &[]), "the rows of {key}");

    // A batch with two bad records: exactly those are reported back to SQS, the good ones
    // are written.
    let bad = [
        "4f0c8e2a-1b3d-4c5e-9f70-8a9b0c1d2e09",
        "4f0c8e2a-1b3d-4c5e-9f70-8a9b0c1d2e10",
    ];
    let batch = sample("metrics-extractor/sqs-batch-with-bad-records.json");
    let response = function.respond(&batch).await;
    let mut reported: Vec<&str> = response["batchItemFailures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["itemIdentifier"].as_str())
        .collect();
    reported.sort_unstable();
    check_eq!(
        function,
        reported,
        bad.to_vec(),
        "batchItemFailures: {response}"
    );
    let stored = objects(&bucket).await;
    let new: Vec<&(String, Vec<Row>)> = stored.iter().filter(|(k, _)| k != key).collect();
    check_eq!(
        function,
        new.len(),
        1,
        "one more object: {:?}",
        stored.iter().map(|o| &o.0).collect::<Vec<_>>()
    );
    let (second_key, rows) = new[0];
    check!(
        function,
        second_key.starts_with("pipeline-events/dt=2026-03-14/"),
        "{second_key}"
    );
    check_eq!(
        function,
        rows,
        &rows_of(&batch, &bad),
        "the good rows of {second_key}"
    );
}
