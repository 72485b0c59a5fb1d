//! The scheduler's tick with its real AWS SDK adapters, over HTTP: the scheduler table in
//! moto's DynamoDB, CodePipeline in moto (starts counted as executions; moto ignores
//! `clientRequestToken`, so a count of one proves the slot claim, not the token) or in
//! the recorded-response double where a test must script `ListPipelineExecutions`'
//! `sourceRevisions` (moto returns none) and see the start request; CodeCommit
//! `GetBranch` / `GetDifferences` from the double (moto has no `GetDifferences`).

use std::sync::Arc;

use aws_adapters::codecommit_repository::CodeCommitRepository;
use aws_adapters::codepipeline_runs::CodePipelineRuns;
use aws_adapters::holds_store::DynamoHoldStore;
use aws_adapters::scheduler_state::DynamoSchedulerState;
use integration_tests::target::START_EXECUTION;
use integration_tests::{AwsDouble, Reply, moto, sdk};
use pipeline_routing::RoutingRules;
use pipeline_scheduler::jiff::Timestamp;
use pipeline_scheduler::memory::SharedHolds;
use pipeline_scheduler::{Decision, Scheduler, SkipReason, TickReport};
use pipeline_schedules::holds::{Hold, HoldStore};
use serde_json::json;

const GET_BRANCH: &str = "CodeCommit_20150413.GetBranch";
const LIST_EXECUTIONS: &str = "CodePipeline_20150709.ListPipelineExecutions";
const BUILT: &str = "9a4c7e2b1d0f3a6c8e5b2d9f7a1c4e0b3d6f8a25";
const MOVED: &str = "e3b1f6a2c9d84e7f0a5b3c2d1e9f8a7b6c5d4e3f";

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn rules(pipeline: &str, schedule: &str) -> Arc<RoutingRules> {
    let yaml = format!(
        "version: 1\nrepositories:\n  - name: monorepo\n    pipelines:\n      - name: {pipeline}\n        source_action: Source\n        branches: {{ include: [main] }}\n        paths: {{ include: [\"services/api/**\"] }}\nschedules:\n  - pipeline: {pipeline}\n{schedule}"
    );
    Arc::new(RoutingRules::from_yaml(&yaml, "rules.yaml").unwrap())
}

fn branch_reply(commit: &str) -> Reply {
    Reply::ok(json!({"branch": {"branchName": "main", "commitId": commit}}))
}

type Tested = Scheduler<DynamoSchedulerState, CodeCommitRepository, CodePipelineRuns, SharedHolds>;

async fn scheduler(rules: Arc<RoutingRules>, codecommit: &str, codepipeline: &str) -> Tested {
    let dynamodb = sdk::dynamodb(&moto::endpoint());
    let table = moto::scheduler_table(&dynamodb).await;
    Scheduler {
        rules,
        state: DynamoSchedulerState::new(dynamodb, table),
        repository: CodeCommitRepository::new(sdk::codecommit(codecommit)),
        pipelines: CodePipelineRuns::new(sdk::codepipeline(codepipeline)),
        holds: SharedHolds::default(),
    }
}

async fn tick(s: &Tested, at: &str) -> TickReport {
    s.tick(ts(at)).await.unwrap()
}

#[tokio::test]
async fn only_if_changed_skips_when_the_head_was_built_and_starts_when_it_moved() {
    let codecommit = AwsDouble::start().await;
    codecommit.on(GET_BRANCH, vec![branch_reply(BUILT), branch_reply(MOVED)]);
    let codepipeline = AwsDouble::start().await;
    codepipeline.on(
        LIST_EXECUTIONS,
        vec![Reply::ok(json!({"pipelineExecutionSummaries": [
            {"pipelineExecutionId": "failed-later", "status": "Failed",
             "sourceRevisions": [{"actionName": "Source", "revisionId": MOVED}]},
            {"pipelineExecutionId": "nightly-1", "status": "Succeeded",
             "sourceRevisions": [{"actionName": "Source", "revisionId": BUILT}]}
        ]}))],
    );
    codepipeline.on_recorded(
        START_EXECUTION,
        "codepipeline/start-pipeline-execution.json",
    );
    let s = scheduler(
        rules(
            "api-deploy",
            "    expression: cron(0 2 * * ? *)\n    branch: main\n    only_if_changed: true\n",
        ),
        &codecommit.endpoint(),
        &codepipeline.endpoint(),
    )
    .await;

    tick(&s, "2026-03-02T01:59:00Z").await;
    let first = tick(&s, "2026-03-02T02:00:00Z").await;
    assert_eq!(first.decisions.len(), 1);
    assert_eq!(first.decisions[0].decision, Decision::Skipped);
    assert_eq!(first.decisions[0].reason, Some(SkipReason::Unchanged));
    assert!(codepipeline.requests(START_EXECUTION).is_empty());
    assert_eq!(
        codecommit.requests(GET_BRANCH)[0]["repositoryName"],
        "monorepo"
    );
    assert_eq!(codecommit.requests(GET_BRANCH)[0]["branchName"], "main");

    // The next night the branch has moved: the pipeline starts at the new head.
    tick(&s, "2026-03-03T01:59:00Z").await;
    let second = tick(&s, "2026-03-03T02:00:00Z").await;
    assert_eq!(second.decisions[0].decision, Decision::Started);
    let starts = codepipeline.requests(START_EXECUTION);
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0]["name"], "api-deploy");
    assert_eq!(
        starts[0]["sourceRevisions"],
        json!([{"actionName": "Source", "revisionType": "COMMIT_ID", "revisionValue": MOVED}])
    );
    assert_eq!(
        starts[0]["clientRequestToken"],
        pipeline_scheduler::slot_token("api-deploy", "api-deploy", ts("2026-03-03T02:00:00Z"))
    );
}

#[tokio::test]
async fn only_if_paths_changed_reads_the_commits_since_the_last_run_through_get_differences() {
    let codecommit = AwsDouble::start().await;
    codecommit.on(GET_BRANCH, vec![branch_reply(MOVED)]);
    codecommit.on(
        "CodeCommit_20150413.GetDifferences",
        vec![Reply::ok(json!({"differences": [
            {"afterBlob": {"path": "services/web/app.ts", "blobId": "b1", "mode": "100644"},
             "changeType": "M"}
        ]}))],
    );
    let codepipeline = AwsDouble::start().await;
    codepipeline.on(
        LIST_EXECUTIONS,
        vec![Reply::ok(json!({"pipelineExecutionSummaries": [
            {"pipelineExecutionId": "nightly-1", "status": "Succeeded",
             "sourceRevisions": [{"actionName": "Source", "revisionId": BUILT}]}
        ]}))],
    );
    let s = scheduler(
        rules(
            "api-deploy",
            "    expression: cron(0 2 * * ? *)\n    branch: main\n    only_if_paths_changed: true\n",
        ),
        &codecommit.endpoint(),
        &codepipeline.endpoint(),
    )
    .await;
    tick(&s, "2026-03-02T01:59:00Z").await;
    let report = tick(&s, "2026-03-02T02:00:00Z").await;
    assert_eq!(report.decisions[0].reason, Some(SkipReason::PathsUnchanged));
    let diff = &codecommit.requests("CodeCommit_20150413.GetDifferences")[0];
    assert_eq!(diff["beforeCommitSpecifier"], BUILT);
    assert_eq!(diff["afterCommitSpecifier"], MOVED);
    assert!(codepipeline.requests(START_EXECUTION).is_empty());
}

#[tokio::test]
async fn a_missed_hour_of_ticks_starts_a_schedule_once_even_with_overlapping_ticks() {
    let pipeline = moto::unique("nightly");
    moto::create_pipelines(&[&pipeline]);
    let codecommit = AwsDouble::start().await;
    codecommit.on(GET_BRANCH, vec![branch_reply(MOVED)]);
    let s = scheduler(
        rules(
            &pipeline,
            "    expression: rate(15 minutes)\n    branch: main\n",
        ),
        &codecommit.endpoint(),
        &moto::endpoint(),
    )
    .await;
    let before = tick(&s, "2026-03-02T09:01:00Z").await;
    assert!(before.decisions.is_empty());
    // An outage: no tick for an hour (four slots). Then two ticks overlap: the late one
    // for 10:01 and its retry, at the same time, from two containers.
    let other = Scheduler {
        rules: Arc::clone(&s.rules),
        state: s.state.clone(),
        repository: s.repository.clone(),
        pipelines: s.pipelines.clone(),
        holds: SharedHolds::default(),
    };
    let (a, b) = tokio::join!(
        tick(&s, "2026-03-02T10:01:00Z"),
        tick(&other, "2026-03-02T10:01:00Z")
    );
    let started: Vec<_> = a
        .decisions
        .iter()
        .chain(&b.decisions)
        .filter(|d| d.decision == Decision::Started)
        .collect();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].slot, Some(ts("2026-03-02T10:00:00Z")));
    assert_eq!(moto::pipeline_execution_ids(&pipeline).await.len(), 1);

    // The next tick has nothing due; the one after the next slot starts it again.
    assert!(tick(&s, "2026-03-02T10:02:00Z").await.decisions.is_empty());
    tick(&s, "2026-03-02T10:15:00Z").await;
    assert_eq!(moto::pipeline_execution_ids(&pipeline).await.len(), 2);
    assert!(s.holds.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn two_overlapping_release_ticks_start_a_hold_once_at_the_held_commit() {
    let pipeline = moto::unique("held");
    moto::create_pipelines(&[&pipeline]);
    let codecommit = AwsDouble::start().await;
    let dynamodb = sdk::dynamodb(&moto::endpoint());
    let table = moto::scheduler_table(&dynamodb).await;
    let rules = rules(
        &pipeline,
        "    expression: cron(0 2 * * ? 2099)\n    branch: main\n",
    );
    let holds = DynamoHoldStore::new(dynamodb.clone(), table.clone());
    holds
        .put_newest(Hold::for_push(
            "monorepo",
            &pipeline,
            "main",
            MOVED,
            Some("Source"),
            Some("arn:aws:iam::123456789012:user/dev"),
            ts("2026-03-06T17:00:00Z"),
            "weekend",
            ts("2026-03-09T08:00:00Z"),
        ))
        .await
        .unwrap();
    let scheduler = |holds: DynamoHoldStore| Scheduler {
        rules: Arc::clone(&rules),
        state: DynamoSchedulerState::new(dynamodb.clone(), table.clone()),
        repository: CodeCommitRepository::new(sdk::codecommit(&codecommit.endpoint())),
        pipelines: CodePipelineRuns::new(sdk::codepipeline(&moto::endpoint())),
        holds,
    };
    let a = scheduler(DynamoHoldStore::new(dynamodb.clone(), table.clone()));
    let b = scheduler(DynamoHoldStore::new(dynamodb.clone(), table.clone()));
    // Two ticks (08:00 and a slow 08:01 in another container) at the same moment.
    let (ra, rb) = tokio::join!(
        a.tick(ts("2026-03-09T08:00:00Z")),
        b.tick(ts("2026-03-09T08:01:00Z"))
    );
    let decisions: Vec<_> = ra
        .unwrap()
        .decisions
        .into_iter()
        .chain(rb.unwrap().decisions)
        .collect();
    let released = decisions
        .iter()
        .filter(|d| d.decision == Decision::Released)
        .count();
    assert_eq!(released, 1, "{decisions:?}");
    assert_eq!(moto::pipeline_execution_ids(&pipeline).await.len(), 1);
    assert!(holds.list().await.unwrap().is_empty());
    // A later tick finds nothing left to release.
    let later = a.tick(ts("2026-03-09T08:02:00Z")).await.unwrap();
    assert!(later.decisions.is_empty());
    assert_eq!(moto::pipeline_execution_ids(&pipeline).await.len(), 1);
}
