//! scheduler: the sample tick through rules in SSM, branch heads and the start in the
//! recorded-response double (moto has no `GetBranch` for the double's commit and no
//! `sourceRevisions`), slot claims in moto's DynamoDB: the nightly schedule starts once.

use super::*;

const GET_BRANCH: &str = "CodeCommit_20150413.GetBranch";
const HEAD: &str = "e3b1f6a2c9d84e7f0a5b3c2d1e9f8a7b6c5d4e3f";

#[tokio::test]
async fn scheduler_starts_the_due_schedule_at_the_branch_head_once_per_slot() {
    let pipeline = moto::unique("api-nightly");
    let rules = format!(
        "version: 1\nrepositories:\n  - name: monorepo\n    pipelines:\n      - name: {pipeline}\n        source_action: Source\n        branches: {{ include: [main] }}\n        paths: {{ include: [\"services/api/**\"] }}\nschedules:\n  - pipeline: {pipeline}\n    name: nightly\n    expression: cron(0 2 * * ? *)\n    branch: main\n"
    );
    let parameter = ssm_parameter("pipeline-router-e2e/scheduler-rules", &rules).await;
    let table = moto::scheduler_table(&sdk::dynamodb(&moto::endpoint())).await;
    let double = AwsDouble::start().await;
    double.on(
        GET_BRANCH,
        vec![Reply::ok(
            json!({"branch": {"branchName": "main", "commitId": HEAD}}),
        )],
    );
    double.on_recorded(
        START_EXECUTION,
        "codepipeline/start-pipeline-execution.json",
    );
    let mut function = Function::start(
        "scheduler",
        &[
            ("ROUTING_RULES_PARAMETER", parameter),
            ("SCHEDULER_TABLE", table),
            ("AWS_ENDPOINT_URL_CODECOMMIT", double.endpoint()),
            ("AWS_ENDPOINT_URL_CODEPIPELINE", double.endpoint()),
        ],
    )
    .await;

    // The tick of 02:00 UTC: the nightly schedule is due and starts at main's head.
    let tick = sample("scheduler/tick.json");
    let report = function.respond(&tick).await;
    check_eq!(function, report["now"], "2026-03-02T02:00:00Z", "{report}");
    let decisions = report["decisions"].as_array().cloned().unwrap_or_default();
    check_eq!(function, decisions.len(), 1, "{report}");
    check_eq!(function, decisions[0]["decision"], "started", "{report}");
    check_eq!(function, decisions[0]["commit"], HEAD, "{report}");
    let starts = double.requests(START_EXECUTION);
    check_eq!(function, starts.len(), 1, "one StartPipelineExecution");
    check_eq!(
        function,
        starts[0]["name"],
        pipeline.as_str(),
        "the pipeline"
    );
    check_eq!(
        function,
        starts[0]["sourceRevisions"],
        json!([{"actionName": "Source", "revisionType": "COMMIT_ID", "revisionValue": HEAD}]),
        "started at the branch head"
    );

    // EventBridge Scheduler retries the same tick: the slot is claimed, no second start.
    let again = function.respond(&tick).await;
    check!(
        function,
        !again["decisions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|d| d["decision"] == "started"),
        "a retried tick starts nothing: {again}"
    );
    check_eq!(
        function,
        double.requests(START_EXECUTION).len(),
        1,
        "still one start"
    );
}
