//! `pipeline-router plan` on a real git history starts the same pipelines as the Lambda
//! handler given the same diff through CodeCommit's API (recorded-response double built
//! from that history) and starting pipelines in CodePipeline (moto).

use std::collections::BTreeSet;
use std::sync::Arc;

use commit_filter::CommitFilter;
use commit_filter::aws::{CodeCommitSource, CodePipelineStarter, MaybeSns};
use integration_tests::git::TempRepo;
use integration_tests::target::{GET_DIFFERENCES, GET_MERGE_OPTIONS};
use integration_tests::{AwsDouble, Reply, moto, sdk};
use pipeline_router_cli::{PlanRequest, plan};
use pipeline_routing::RoutingRules;
use serde_json::{Value, json};

/// The short names of the fixture's pipelines, in the order of its rules.
const SHORT_NAMES: [&str; 6] = [
    "api",
    "web",
    "gateway",
    "readmes",
    "not-root-readme",
    "libs",
];

struct Fixture {
    repo: TempRepo,
    rules_file: tempfile::NamedTempFile,
    /// short name -> pipeline name in moto.
    pipelines: Vec<(String, String)>,
}

fn fixture() -> Fixture {
    let repo = TempRepo::new();
    let pipelines: Vec<(String, String)> = SHORT_NAMES
        .iter()
        .map(|s| ((*s).to_owned(), moto::unique(s)))
        .collect();
    let names: Vec<&str> = pipelines.iter().map(|(_, n)| n.as_str()).collect();
    moto::create_pipelines(&names);
    let rules = format!(
        r#"version: 1
repositories:
  - name: monorepo
    default_branch: main
    pipelines:
      - name: {api}
        source_action: Source
        paths: {{ include: ["services/api/**"] }}
      - name: {web}
        paths: {{ include: ["services/web/**"] }}
      - name: {gateway}
        paths: {{ include: ["api-gateway/**"] }}
      - name: {readmes}
        paths: {{ include: ["{{README.md,**/README.md}}"] }}
      - name: {not_root_readme}
        paths: {{ exclude: [README.md] }}
      - name: {libs}
        branches: {{ include: [main] }}
        paths: {{ include: ["libs/*/src/*.rs"] }}
"#,
        api = names[0],
        web = names[1],
        gateway = names[2],
        readmes = names[3],
        not_root_readme = names[4],
        libs = names[5],
    );
    let rules_file = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(rules_file.path(), rules).unwrap_or_else(|e| panic!("{e}"));
    Fixture {
        repo,
        rules_file,
        pipelines,
    }
}

fn push_event(id: &str, branch: &str, old: Option<&str>, new: &str) -> Value {
    let mut detail = json!({
        "callerUserArn": "arn:aws:sts::123456789012:assumed-role/Developer/dev",
        "commitId": new,
        "event": if old.is_some() { "referenceUpdated" } else { "referenceCreated" },
        "referenceFullName": format!("refs/heads/{branch}"),
        "referenceName": branch,
        "referenceType": "branch",
        "repositoryId": "5f2c8a1e-3b7d-4c9a-8e61-0d4f7b2a9c35",
        "repositoryName": "monorepo"
    });
    if let Some(old) = old {
        detail["oldCommitId"] = json!(old);
    }
    json!({
        "version": "0",
        "id": id,
        "detail-type": "CodeCommit Repository State Change",
        "source": "aws.codecommit",
        "account": "123456789012",
        "time": "2026-11-30T10:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:codecommit:us-east-1:123456789012:monorepo"],
        "detail": detail
    })
}

async fn execution_counts(fixture: &Fixture) -> Vec<usize> {
    let client = sdk::codepipeline(&moto::endpoint());
    let mut counts = Vec::new();
    for (_, name) in &fixture.pipelines {
        let output = client
            .list_pipeline_executions()
            .pipeline_name(name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        counts.push(output.pipeline_execution_summaries().len());
    }
    counts
}

/// Runs plan and the handler on one push; returns the short names each started.
async fn both(
    fixture: &Fixture,
    id: &str,
    branch: &str,
    from: Option<&str>,
    to: &str,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let short_name = |name: &str| {
        fixture
            .pipelines
            .iter()
            .find(|(_, n)| n == name)
            .map(|(s, _)| s.clone())
            .unwrap_or_else(|| panic!("unknown pipeline {name}"))
    };
    let planned = plan(&PlanRequest {
        rules: fixture.rules_file.path().to_path_buf(),
        repo: fixture.repo.path().to_path_buf(),
        repository_name: Some("monorepo".into()),
        branch: Some(branch.into()),
        tag: None,
        from: from.map(str::to_owned),
        to: to.into(),
        at: None,
    })
    .await
    .unwrap_or_else(|e| panic!("plan: {e:#}"));
    let planned: BTreeSet<String> = planned.starts().map(|d| short_name(&d.pipeline)).collect();

    // CodeCommit's view of the same history, two differences per page.
    let double = AwsDouble::start().await;
    let base = match from {
        Some(from) => from.to_owned(),
        None => {
            let base = fixture.repo.git(&["merge-base", to, "main"]);
            double.on(
                GET_MERGE_OPTIONS,
                vec![Reply::ok(json!({
                    "mergeOptions": ["THREE_WAY_MERGE"],
                    "sourceCommitId": to,
                    "destinationCommitId": fixture.repo.git(&["rev-parse", "main"]),
                    "baseCommitId": base
                }))],
            );
            base
        }
    };
    let pages = fixture.repo.get_differences_pages(Some(&base), to, 2);
    for (index, page) in pages.into_iter().enumerate() {
        let token = (index > 0).then(|| format!("page-{index}"));
        let (expected_before, expected_after) = (base.clone(), to.to_owned());
        double.on_matching(
            GET_DIFFERENCES,
            move |body| {
                body.get("NextToken").and_then(Value::as_str) == token.as_deref()
                    && body["beforeCommitSpecifier"] == expected_before.as_str()
                    && body["afterCommitSpecifier"] == expected_after.as_str()
            },
            vec![Reply::ok(page)],
        );
    }
    let before = execution_counts(fixture).await;
    let rules =
        RoutingRules::from_path(fixture.rules_file.path()).unwrap_or_else(|e| panic!("{e}"));
    let function = CommitFilter {
        rules: Arc::new(rules),
        source: CodeCommitSource::new(sdk::codecommit(&double.endpoint()), Some(2)),
        starter: CodePipelineStarter::new(sdk::codepipeline(&moto::endpoint())),
        publisher: MaybeSns::Off,
        holds: commit_filter::NoHolds,
    };
    function
        .handle(push_event(id, branch, from, to), None)
        .await
        .unwrap_or_else(|e| panic!("handler: {e}"));
    let after = execution_counts(fixture).await;
    let mut started = BTreeSet::new();
    for (index, (short, _)) in fixture.pipelines.iter().enumerate() {
        match after[index] - before[index] {
            0 => {}
            1 => {
                started.insert(short.clone());
            }
            n => panic!("{short} started {n} times"),
        }
    }
    (planned, started)
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[tokio::test]
async fn plan_and_handler_start_the_same_pipelines_on_a_real_history() {
    let fixture = fixture();
    let repo = &fixture.repo;
    let c0 = repo.commit(
        "initial layout",
        &[
            ("README.md", Some("root\n")),
            ("docs/README.md", Some("docs\n")),
            ("services/api/main.go", Some("package main\n")),
            ("services/web/index.js", Some("web\n")),
            ("api-gateway/routes.yaml", Some("routes: []\n")),
            ("libs/util/src/lib.rs", Some("// util\n")),
        ],
    );
    let c1 = repo.commit("nested readme", &[("docs/README.md", Some("docs v2\n"))]);
    let c2 = repo.commit(
        "delete the web entry point",
        &[("services/web/index.js", None)],
    );
    let c3 = repo.rename("services/api/main.go", "cmd/api/main.go");
    let c4 = repo.commit(
        "gateway only",
        &[("api-gateway/routes.yaml", Some("routes: [a]\n"))],
    );
    let c5 = repo.commit("root readme only", &[("README.md", Some("root v2\n"))]);
    let c6 = repo.commit(
        "deep lib file",
        &[("libs/util/src/deep/inner.rs", Some("//\n"))],
    );
    repo.git(&["checkout", "-q", "-b", "feature/login", &c3]);
    let f1 = repo.commit("login page", &[("services/web/login.js", Some("login\n"))]);
    let f2 = repo.commit("more login", &[("services/web/login.css", Some("css\n"))]);
    repo.git(&["checkout", "-q", "main"]);
    let c7 = repo.commit(
        "after the branch",
        &[
            ("services/api/extra.go", Some("x\n")),
            ("libs/util/src/lib.rs", Some("// util v2\n")),
        ],
    );

    let cases: Vec<(&str, Option<&str>, &str, BTreeSet<String>)> = vec![
        ("main", Some(&c0), &c1, set(&["readmes", "not-root-readme"])),
        ("main", Some(&c1), &c2, set(&["web", "not-root-readme"])),
        // A rename counts by its old path (api) and its new path (neither).
        ("main", Some(&c2), &c3, set(&["api", "not-root-readme"])),
        // `api` does not match `api-gateway/`.
        ("main", Some(&c3), &c4, set(&["gateway", "not-root-readme"])),
        // The root README alone: excluded for not-root-readme.
        ("main", Some(&c4), &c5, set(&["readmes"])),
        // `*` stays in one folder: libs/*/src/*.rs does not take src/deep/inner.rs.
        ("main", Some(&c5), &c6, set(&["not-root-readme"])),
        // Several commits at once.
        ("main", Some(&c0), &c7, set(&SHORT_NAMES)),
        // A new branch: compared with its merge base with main (c3), not main's head.
        ("feature/login", None, &f2, set(&["web", "not-root-readme"])),
        (
            "feature/login",
            Some(&f1),
            &f2,
            set(&["web", "not-root-readme"]),
        ),
    ];
    for (index, (branch, from, to, expected)) in cases.into_iter().enumerate() {
        let (planned, started) = both(&fixture, &format!("event-{index}"), branch, from, to).await;
        assert_eq!(planned, started, "case {index}: plan and handler disagree");
        assert_eq!(planned, expected, "case {index}");
    }
}
