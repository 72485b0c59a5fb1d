//! approval-requester and approval-handler: the sample approval posted to Slack, a
//! signed click approving it.

use super::*;

/// The Slack secrets in moto's Secrets Manager; returns the secret's name.
pub(super) async fn slack_secret() -> String {
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
    let table = moto::approvals_table(
        &sdk::dynamodb(&moto::endpoint()),
        aws_adapters::approval_store::EXECUTION_INDEX,
    )
    .await;
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
