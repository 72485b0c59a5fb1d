//! The commit-filter handler with its real AWS SDK adapters, over HTTP: CodeCommit from
//! recorded responses (moto has no `GetDifferences`), CodePipeline, SSM and SNS from moto
//! (or from the double where a test must see the request itself).

use std::sync::Arc;

use commit_filter::aws::{
    CodeCommitSource, CodePipelineStarter, LoadRulesError, MaybeSns, SnsSummaryPublisher,
    load_rules,
};
use commit_filter::config::RulesLocation;
use commit_filter::{CommitFilter, HandlerError, HandlerOutput};
use function_support::{ErrorType, LoadTextError};
use integration_tests::target::{
    GET_COMMIT, GET_DIFFERENCES, GET_MERGE_OPTIONS, GET_REPOSITORY, START_EXECUTION as START,
};
use integration_tests::{AwsDouble, Reply, files, moto, sdk};
use pipeline_routing::{Decision, Reason, RoutingRules};
use serde_json::{Value, json};

const OLD: &str = "9a4c7e2b1d0f3a6c8e5b2d9f7a1c4e0b3d6f8a25";
const NEW: &str = "e3b1f6a2c9d84e7f0a5b3c2d1e9f8a7b6c5d4e3f";

/// The sample event `events/commit-filter/<name>`.
fn sample_event(name: &str) -> Value {
    files::sample_event(&format!("commit-filter/{name}"))
}

/// `events/commit-filter/push-main.json`: main moved from OLD to NEW.
fn push_to_main() -> Value {
    let event = sample_event("push-main.json");
    assert_eq!(event["detail"]["oldCommitId"], OLD);
    assert_eq!(event["detail"]["commitId"], NEW);
    event
}

/// Rules for `monorepo` with the given pipelines: (name, path includes).
fn rules(pipelines: &[(&str, &[&str])], policy: &str) -> Arc<RoutingRules> {
    let mut yaml = format!(
        "version: 1\non_diff_failure: {policy}\nrepositories:\n  - name: monorepo\n    pipelines:\n"
    );
    for (name, includes) in pipelines {
        yaml.push_str(&format!(
            "      - name: {name}\n        source_action: Source\n        branches: {{ include: [main, \"feature/**\"] }}\n"
        ));
        if !includes.is_empty() {
            let list: Vec<String> = includes.iter().map(|i| format!("\"{i}\"")).collect();
            yaml.push_str(&format!(
                "        paths: {{ include: [{}] }}\n",
                list.join(", ")
            ));
        }
    }
    Arc::new(RoutingRules::from_yaml(&yaml, "test-rules.yaml").unwrap_or_else(|e| panic!("{e}")))
}

fn function(
    rules: Arc<RoutingRules>,
    codecommit: &str,
    codepipeline: &str,
    page_size: Option<i32>,
) -> CommitFilter<CodeCommitSource, CodePipelineStarter, MaybeSns> {
    CommitFilter {
        rules,
        source: CodeCommitSource::new(sdk::codecommit(codecommit), page_size),
        starter: CodePipelineStarter::new(sdk::codepipeline(codepipeline)),
        publisher: MaybeSns::Off,
        holds: commit_filter::NoHolds,
    }
}

/// The function with CodeCommit and CodePipeline both on the double, diffs in default pages.
fn on_double(
    rules: Arc<RoutingRules>,
    double: &AwsDouble,
) -> CommitFilter<CodeCommitSource, CodePipelineStarter, MaybeSns> {
    function(rules, &double.endpoint(), &double.endpoint(), None)
}

/// Handles `event`; the invocation must succeed.
async fn handle(
    function: &CommitFilter<CodeCommitSource, CodePipelineStarter, MaybeSns>,
    event: Value,
) -> HandlerOutput {
    function
        .handle(event, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn started(output: &HandlerOutput) -> Vec<String> {
    let mut names: Vec<String> = output.plan.starts().map(|d| d.pipeline.clone()).collect();
    names.sort();
    names
}

/// Scripts the four recorded pages, answering by the request's `NextToken`.
fn script_four_pages(double: &AwsDouble) {
    double.on_diff_pages(|_| true);
}

fn start_ok(double: &AwsDouble) {
    double.on_recorded(START, "codepipeline/start-pipeline-execution.json");
}

#[tokio::test]
async fn every_page_is_read_until_every_pipeline_is_decided_and_deletes_and_renames_count() {
    let double = AwsDouble::start().await;
    script_four_pages(&double);
    start_ok(&double);
    // api: the deleted file on page 1; docs: page 1; web: the renamed file on page 3.
    let rules = rules(
        &[
            ("api", &["services/api/**"]),
            ("docs", &["docs/**"]),
            ("web", &["services/web/**"]),
        ],
        "start-candidates",
    );
    let function = function(rules, &double.endpoint(), &double.endpoint(), Some(2));
    let output = handle(&function, push_to_main()).await;
    assert_eq!(started(&output), ["api", "docs", "web"]);
    assert_eq!(
        output.plan.decisions[0].matched.as_deref(),
        Some("services/api/legacy_handler.go"),
        "a deleted file counts by its before path"
    );
    assert_eq!(
        output.plan.decisions[2].matched.as_deref(),
        Some("services/web/app.js"),
        "a rename counts by its after path"
    );

    let requests = double.requests(GET_DIFFERENCES);
    assert_eq!(requests.len(), 3, "page 4 is not needed: {requests:?}");
    for request in &requests {
        assert_eq!(request["repositoryName"], "monorepo");
        assert_eq!(request["beforeCommitSpecifier"], OLD);
        assert_eq!(request["afterCommitSpecifier"], NEW);
        assert_eq!(request["MaxResults"], 2);
    }
    assert!(requests[0].get("NextToken").is_none());
    assert_eq!(requests[1]["NextToken"], "eyJwYWdlIjoyfQ==");
    assert_eq!(requests[2]["NextToken"], "eyJwYWdlIjozfQ==");
    assert_eq!(output.plan.pages_read, 3);

    // The pipelines are started at the evaluated commit, idempotently.
    let starts = double.requests(START);
    assert_eq!(starts.len(), 3);
    for start in &starts {
        assert_eq!(
            start["sourceRevisions"],
            json!([{"actionName": "Source", "revisionType": "COMMIT_ID", "revisionValue": NEW}])
        );
        let token = start["clientRequestToken"].as_str().unwrap_or_default();
        assert_eq!(token.len(), 64);
    }
}

#[tokio::test]
async fn paging_stops_at_the_first_page_when_it_decides_everything() {
    let double = AwsDouble::start().await;
    script_four_pages(&double);
    start_ok(&double);
    let rules = rules(
        &[("api", &["services/api/**"]), ("docs", &["docs/**"])],
        "start-candidates",
    );
    let output = handle(&on_double(rules, &double), push_to_main()).await;
    assert_eq!(started(&output), ["api", "docs"]);
    assert_eq!(double.requests(GET_DIFFERENCES).len(), 1);
    assert!(!output.plan.diff_complete);
}

#[tokio::test]
async fn a_pipeline_that_matches_nothing_needs_every_page_and_is_skipped() {
    let double = AwsDouble::start().await;
    script_four_pages(&double);
    start_ok(&double);
    let rules = rules(&[("infra", &["infra/**"])], "start-candidates");
    let output = handle(&on_double(rules, &double), push_to_main()).await;
    assert!(started(&output).is_empty());
    assert_eq!(output.plan.decisions[0].reason, Reason::NoMatchingPath);
    assert_eq!(double.requests(GET_DIFFERENCES).len(), 4);
    assert!(double.requests(START).is_empty());
}

#[tokio::test]
async fn a_new_branch_is_diffed_against_its_merge_base_with_the_default_branch() {
    let double = AwsDouble::start().await;
    double.on_recorded(GET_REPOSITORY, "codecommit/get-repository.json");
    double.on_recorded(GET_MERGE_OPTIONS, "codecommit/get-merge-options.json");
    double.on_recorded(
        GET_DIFFERENCES,
        "codecommit/get-differences-new-branch.json",
    );
    start_ok(&double);
    let event = sample_event("new-branch.json");
    let commit = event["detail"]["commitId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let rules = rules(
        &[("web", &["services/web/**"]), ("api", &["services/api/**"])],
        "start-none",
    );
    let output = handle(&on_double(rules, &double), event).await;
    assert_eq!(started(&output), ["web"]);

    assert_eq!(
        double.requests(GET_REPOSITORY)[0]["repositoryName"],
        "monorepo"
    );
    let merge = &double.requests(GET_MERGE_OPTIONS)[0];
    assert_eq!(merge["sourceCommitSpecifier"], commit.as_str());
    assert_eq!(merge["destinationCommitSpecifier"], "main");
    let diff = &double.requests(GET_DIFFERENCES)[0];
    assert_eq!(
        diff["beforeCommitSpecifier"], "1f2e3d4c5b6a79881726354453627180f9e8d7c6",
        "the diff starts at the merge base"
    );
    assert_eq!(diff["afterCommitSpecifier"], commit.as_str());
}

#[tokio::test]
async fn a_new_branch_without_merge_base_falls_back_to_the_first_parent_and_a_root_commit_to_every_file()
 {
    let double = AwsDouble::start().await;
    double.on_recorded(GET_REPOSITORY, "codecommit/get-repository.json");
    double.on(
        GET_MERGE_OPTIONS,
        vec![Reply::error(
            400,
            "CommitDoesNotExistException",
            "main does not exist",
        )],
    );
    double.on_recorded(GET_COMMIT, "codecommit/get-commit-root.json");
    double.on_recorded(GET_DIFFERENCES, "codecommit/get-differences-root.json");
    start_ok(&double);
    let rules = rules(
        &[("api", &["services/api/**"]), ("infra", &["infra/**"])],
        "start-candidates",
    );
    let output = handle(&on_double(rules, &double), sample_event("new-branch.json")).await;
    assert_eq!(started(&output), ["api"]);
    let diff = &double.requests(GET_DIFFERENCES)[0];
    assert!(
        diff.get("beforeCommitSpecifier").is_none(),
        "a root commit is compared with the empty tree: {diff}"
    );
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_and_then_the_diff_is_read() {
    let double = AwsDouble::start().await;
    double.on(
        GET_DIFFERENCES,
        vec![
            Reply::error(400, "ThrottlingException", "Rate exceeded"),
            Reply::error(400, "ThrottlingException", "Rate exceeded"),
            Reply::recorded("codecommit/get-differences-page-4.json"),
        ],
    );
    start_ok(&double);
    let rules = rules(
        &[("api", &["services/api/**"]), ("web", &["services/web/**"])],
        "start-none",
    );
    let output = handle(&on_double(rules, &double), push_to_main()).await;
    assert_eq!(started(&output), ["api"]);
    assert_eq!(output.plan.decisions[1].reason, Reason::NoMatchingPath);
    assert_eq!(double.requests(GET_DIFFERENCES).len(), 3);
}

/// A diff that stays unreadable, with pipelines started in moto.
async fn unreadable_diff(policy: &str) -> (Vec<String>, HandlerOutput) {
    let double = AwsDouble::start().await;
    double.on(
        GET_DIFFERENCES,
        vec![Reply::error(400, "ThrottlingException", "Rate exceeded")],
    );
    let api = moto::unique("api");
    let web = moto::unique("web");
    let always = moto::unique("always");
    moto::create_pipelines(&[&api, &web, &always]);
    let rules = rules(
        &[
            (&api, &["services/api/**"]),
            (&web, &["services/web/**"]),
            (&always, &[]),
        ],
        policy,
    );
    let moto = moto::endpoint();
    let output = handle(
        &function(rules, &double.endpoint(), &moto, None),
        push_to_main(),
    )
    .await;
    assert_eq!(
        double.requests(GET_DIFFERENCES).len(),
        3,
        "the SDK retried twice"
    );
    let mut with_executions = Vec::new();
    for name in [&api, &web, &always] {
        if moto::pipeline_execution_ids(name).await.len() == 1 {
            with_executions.push(name.split('-').next().unwrap_or_default().to_owned());
        }
    }
    (with_executions, output)
}

#[tokio::test]
async fn a_diff_that_stays_unreadable_starts_every_candidate_by_default() {
    let (started, output) = unreadable_diff("start-candidates").await;
    assert_eq!(started, ["api", "web", "always"]);
    assert_eq!(output.plan.decisions[0].reason, Reason::DiffUnavailable);
    assert_eq!(output.plan.decisions[0].decision, Decision::Start);
}

#[tokio::test]
async fn a_diff_that_stays_unreadable_starts_nothing_under_start_none() {
    let (started, output) = unreadable_diff("start-none").await;
    assert_eq!(
        started,
        ["always"],
        "only the pipeline without a path filter"
    );
    assert_eq!(output.plan.decisions[1].reason, Reason::DiffUnavailable);
    assert_eq!(output.plan.decisions[1].decision, Decision::Skip);
}

#[tokio::test]
async fn codepipeline_runs_exactly_the_matching_pipelines_once_each() {
    let double = AwsDouble::start().await;
    script_four_pages(&double);
    let names: Vec<String> = ["api", "web", "docs", "infra"]
        .iter()
        .map(|n| moto::unique(n))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    moto::create_pipelines(&refs);
    let rules = rules(
        &[
            (refs[0], &["services/api/**"]),
            (refs[1], &["services/web/**"]),
            (refs[2], &["docs/**"]),
            (refs[3], &["infra/**"]),
        ],
        "start-none",
    );
    let moto = moto::endpoint();
    let output = handle(
        &function(rules, &double.endpoint(), &moto, None),
        push_to_main(),
    )
    .await;
    let mut counts = Vec::new();
    for name in &names {
        counts.push(moto::pipeline_execution_ids(name).await.len());
    }
    assert_eq!(counts, [1, 1, 1, 0]);
    // The execution ids the handler reports are CodePipeline's.
    for start in &output.starts {
        if let pipeline_routing::StartOutcome::Started {
            pipeline,
            execution_id,
        } = start
        {
            assert_eq!(
                moto::pipeline_execution_ids(pipeline).await,
                std::slice::from_ref(execution_id)
            );
        }
    }
}

#[tokio::test]
async fn a_redelivered_event_sends_the_same_idempotency_token() {
    let double = AwsDouble::start().await;
    script_four_pages(&double);
    start_ok(&double);
    let rules = rules(
        &[("api", &["services/api/**"]), ("docs", &["docs/**"])],
        "start-none",
    );
    let function = on_double(rules, &double);
    handle(&function, push_to_main()).await;
    handle(&function, push_to_main()).await;
    let mut other = push_to_main();
    other["id"] = json!("another-event-id");
    handle(&function, other).await;

    let tokens: Vec<(String, String)> = double
        .requests(START)
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or_default().to_owned(),
                r["clientRequestToken"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(tokens.len(), 6);
    assert_eq!(
        tokens[0], tokens[2],
        "redelivery: same pipeline, same token"
    );
    assert_eq!(tokens[1], tokens[3]);
    assert_ne!(tokens[0].1, tokens[1].1, "each pipeline has its own token");
    assert_ne!(tokens[0].1, tokens[4].1, "another event, another token");
}

#[tokio::test]
async fn a_failed_start_fails_the_invocation_and_names_the_pipeline() {
    let double = AwsDouble::start().await;
    script_four_pages(&double);
    double.on_matching(
        START,
        |body| body["name"] == "docs",
        vec![Reply::error(
            400,
            "PipelineNotFoundException",
            "docs does not exist",
        )],
    );
    start_ok(&double);
    let rules = rules(
        &[("api", &["services/api/**"]), ("docs", &["docs/**"])],
        "start-none",
    );
    let error = on_double(rules, &double)
        .handle(push_to_main(), None)
        .await
        .err()
        .unwrap_or_else(|| panic!("the invocation must fail so that Lambda retries it"));
    assert_eq!(error.error_type(), "StartFailed");
    let HandlerError::StartFailed { failed, errors } = &error else {
        panic!("{error}");
    };
    assert_eq!(failed, &["docs"]);
    assert!(
        errors[0].contains("PipelineNotFoundException"),
        "{errors:?}"
    );
    assert_eq!(double.requests(START).len(), 2, "api was still started");
}

#[tokio::test]
async fn malformed_events_are_rejected_without_calling_aws() {
    let double = AwsDouble::start().await;
    let rules = rules(&[("api", &["services/api/**"])], "start-candidates");
    let function = on_double(rules, &double);
    let mut wrong_kind = push_to_main();
    wrong_kind["detail-type"] = json!("CodeCommit Pull Request State Change");
    let mut unknown_change = push_to_main();
    unknown_change["detail"]["event"] = json!("referenceRenamed");
    let mut no_commit = push_to_main();
    no_commit["detail"]
        .as_object_mut()
        .map(|d| d.remove("commitId"));
    for (event, expected) in [
        (sample_event("malformed.json"), "repositoryName"),
        (json!({}), "not a CodeCommit"),
        (json!([1, 2, 3]), "not a CodeCommit"),
        (json!(null), "not a CodeCommit"),
        (wrong_kind, "CodeCommit Pull Request State Change"),
        (unknown_change, "referenceRenamed"),
        (no_commit, "commitId"),
    ] {
        let error = function
            .handle(event.clone(), None)
            .await
            .err()
            .unwrap_or_else(|| panic!("accepted {event}"));
        assert_eq!(error.error_type(), "MalformedEvent");
        assert!(error.to_string().contains(expected), "{event}: {error}");
    }
    assert!(double.all_requests().is_empty());
}

#[tokio::test]
async fn deletes_tags_and_merge_commits_start_nothing_and_call_nothing() {
    let double = AwsDouble::start().await;
    let rules = rules(
        &[("api", &["services/api/**"]), ("all", &[])],
        "start-candidates",
    );
    let function = on_double(rules, &double);
    for (file, reason) in [
        ("branch-deleted.json", Reason::ReferenceDeleted),
        ("tag-created.json", Reason::TagsNotConfigured),
        ("merge-commit.json", Reason::UnreferencedMergeCommit),
    ] {
        let output = function
            .handle(sample_event(file), None)
            .await
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(output.starts.is_empty(), "{file}");
        assert!(
            output.plan.decisions.iter().all(|d| d.reason == reason),
            "{file}: {:?}",
            output.plan.decisions
        );
    }
    assert!(double.all_requests().is_empty());
}

#[tokio::test]
async fn rules_are_read_from_an_ssm_parameter() {
    let ssm = sdk::ssm(&moto::endpoint());
    let name = format!("/pipeline-router/{}", moto::unique("rules"));
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../routing-rules.yaml"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    ssm.put_parameter()
        .name(&name)
        .value(&text)
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let rules = load_rules(&RulesLocation::SsmParameter(name.clone()), &ssm)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(rules.repository("monorepo").is_some());

    let missing = load_rules(
        &RulesLocation::SsmParameter(format!("{name}-missing")),
        &ssm,
    )
    .await
    .err()
    .unwrap_or_else(|| panic!("a missing parameter must fail"));
    assert!(matches!(
        missing,
        LoadRulesError::Read(LoadTextError::Ssm { .. })
    ));
    assert!(
        missing.to_string().contains(&format!("{name}-missing")),
        "{missing}"
    );

    let broken = format!("{name}-broken");
    ssm.put_parameter()
        .name(&broken)
        .value("version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: p\n        paths: { include: [\"[\"] }\n")
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let invalid = load_rules(&RulesLocation::SsmParameter(broken.clone()), &ssm)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        invalid.starts_with(&format!("ssm:{broken}:6:")),
        "{invalid}"
    );
    assert!(invalid.contains("missing `]`"), "{invalid}");
}

#[tokio::test]
async fn the_routing_summary_is_published_to_sns() {
    let moto = moto::endpoint();
    let created: Value = serde_json::from_str(&moto::fixture(&[
        "topic-to-queue",
        &moto::unique("summary"),
    ]))
    .unwrap_or_else(|e| panic!("{e}"));
    let topic_arn = created["topic_arn"].as_str().unwrap_or_default().to_owned();
    let queue_url = created["queue_url"].as_str().unwrap_or_default().to_owned();

    let double = AwsDouble::start().await;
    script_four_pages(&double);
    start_ok(&double);
    let rules = rules(
        &[("api", &["services/api/**"]), ("infra", &["infra/**"])],
        "start-none",
    );
    let mut function = on_double(rules, &double);
    function.publisher = MaybeSns::Sns(SnsSummaryPublisher::new(sdk::sns(&moto), topic_arn));
    handle(&function, push_to_main()).await;

    let messages: Value = serde_json::from_str(&moto::fixture(&["read-queue", &queue_url]))
        .unwrap_or_else(|e| panic!("{e}"));
    let messages = messages.as_array().cloned().unwrap_or_default();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["Subject"], "monorepo main@e3b1f6a: started api");
    let summary: Value = serde_json::from_str(messages[0]["Message"].as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary["decisions"][0]["pipeline"], "api");
    assert_eq!(summary["decisions"][0]["decision"], "start");
    assert_eq!(summary["decisions"][1]["reason"], "no_matching_path");
    assert_eq!(summary["starts"][0]["outcome"], "started");
}
