//! commit-filter: the sample pushes through the shipped rules, starts counted in moto.

use super::*;

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
