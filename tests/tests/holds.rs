//! Change freezes over real HTTP: the commit-filter handler with its AWS adapters, holds
//! in moto's DynamoDB (the `SchedulerTable` key schema), the routing summary through
//! moto's SNS, CodeCommit and CodePipeline on the recorded-response double. Then the
//! release of a hold, and the file:line errors of bad freeze configuration.

use std::sync::Arc;

use aws_adapters::holds_store::DynamoHoldStore;
use commit_filter::CommitFilter;
use commit_filter::aws::{
    CodeCommitSource, CodePipelineStarter, MaybeHolds, MaybeSns, SnsSummaryPublisher,
};
use integration_tests::target::START_EXECUTION as START;
use integration_tests::{AwsDouble, Reply, files, moto, sdk};
use pipeline_routing::{Decision, Reason, ReleaseOutcome, RoutingRules, release_hold};
use pipeline_schedules::{HoldKey, HoldStore};
use serde_json::Value;

const OLD: &str = "9a4c7e2b1d0f3a6c8e5b2d9f7a1c4e0b3d6f8a25";
const NEW: &str = "e3b1f6a2c9d84e7f0a5b3c2d1e9f8a7b6c5d4e3f";
const NEWER: &str = "1111111111111111111111111111111111111111";

/// `api` (services/api) and `docs` (no path filter) under a week-long freeze around the
/// sample push (Tuesday 2026-11-03 09:12 UTC); `web` is not frozen.
const RULES: &str = r#"version: 1
repositories:
  - name: monorepo
    pipelines:
      - name: api
        source_action: Source
        paths: { include: ["services/api/**"] }
      - name: docs
      - name: web
freezes:
  - name: release-week
    pipelines: [api, docs]
    dates: { timezone: Europe/Berlin, from: 2026-11-02, to: 2026-11-06 }
"#;

/// The end of the freeze: 2026-11-07 00:00 in Berlin.
const RELEASE_AT: &str = "2026-11-06T23:00:00Z";

/// The sample push to main, at `time`, to `commit`, with its own event id.
fn push(commit: &str, time: &str) -> Value {
    let mut event = files::sample_event("commit-filter/push-main.json");
    assert_eq!(event["detail"]["oldCommitId"], OLD);
    event["id"] = Value::String(format!("event-{commit}-{time}"));
    event["time"] = Value::String(time.to_owned());
    event["detail"]["commitId"] = Value::String(commit.to_owned());
    event
}

struct Setup {
    double: AwsDouble,
    store: DynamoHoldStore,
    function: CommitFilter<CodeCommitSource, CodePipelineStarter, MaybeSns, MaybeHolds>,
}

async fn setup() -> Setup {
    let double = AwsDouble::start().await;
    double.on_diff_pages(|_| true);
    double.on_recorded(START, "codepipeline/start-pipeline-execution.json");
    let dynamodb = sdk::dynamodb(&moto::endpoint());
    let table = moto::scheduler_table(&dynamodb).await;
    let store = DynamoHoldStore::new(dynamodb, table);
    let rules =
        RoutingRules::from_yaml(RULES, "routing-rules.yaml").unwrap_or_else(|e| panic!("{e}"));
    let function = CommitFilter {
        rules: Arc::new(rules),
        source: CodeCommitSource::new(sdk::codecommit(&double.endpoint()), None),
        starter: CodePipelineStarter::new(sdk::codepipeline(&double.endpoint())),
        publisher: MaybeSns::Off,
        holds: MaybeHolds::Dynamo(store.clone()),
    };
    Setup {
        double,
        store,
        function,
    }
}

fn started_pipelines(double: &AwsDouble) -> Vec<String> {
    double
        .requests(START)
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_push_during_a_freeze_is_held_not_started_and_announced() {
    let created: Value = serde_json::from_str(&moto::fixture(&[
        "topic-to-queue",
        &moto::unique("frozen-summary"),
    ]))
    .unwrap_or_else(|e| panic!("{e}"));
    let topic_arn = created["topic_arn"].as_str().unwrap_or_default().to_owned();
    let queue_url = created["queue_url"].as_str().unwrap_or_default().to_owned();
    let mut setup = setup().await;
    setup.function.publisher = MaybeSns::Sns(SnsSummaryPublisher::new(
        sdk::sns(&moto::endpoint()),
        topic_arn,
    ));

    let output = setup
        .function
        .handle(push(NEW, "2026-11-03T09:12:44Z"), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let decisions: Vec<(&str, Decision, Reason)> = output
        .plan
        .decisions
        .iter()
        .map(|d| (d.pipeline.as_str(), d.decision, d.reason))
        .collect();
    assert_eq!(
        decisions,
        vec![
            ("api", Decision::Frozen, Reason::FreezeHold),
            ("docs", Decision::Frozen, Reason::FreezeHold),
            ("web", Decision::Start, Reason::NoPathFilter),
        ]
    );
    // Only the pipeline outside the freeze was started.
    assert_eq!(started_pipelines(&setup.double), vec!["web"]);
    // The holds are in DynamoDB, one per pipeline and branch.
    let holds = setup.store.list().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(holds.len(), 2, "{holds:?}");
    assert_eq!(holds[0].pipeline, "api");
    assert_eq!(holds[0].branch, "main");
    assert_eq!(holds[0].commit_id, NEW);
    assert_eq!(holds[0].freeze, "release-week");
    assert_eq!(holds[0].release_at.to_string(), RELEASE_AT);
    assert_eq!(
        holds[0].pushed_by.as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/Developer/jane.doe")
    );
    // The summary names the freeze and the release time.
    let messages: Value = serde_json::from_str(&moto::fixture(&["read-queue", &queue_url]))
        .unwrap_or_else(|e| panic!("{e}"));
    let messages = messages.as_array().cloned().unwrap_or_default();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(
        messages[0]["Subject"],
        "monorepo main@e3b1f6a: started web; held api, docs (freeze)"
    );
    let summary: Value = serde_json::from_str(messages[0]["Message"].as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary["decisions"][0]["decision"], "frozen");
    assert_eq!(summary["decisions"][0]["freeze"], "release-week");
    assert_eq!(summary["decisions"][0]["release_at"], RELEASE_AT);
    assert_eq!(summary["holds"][0]["outcome"], "held");
    assert_eq!(summary["holds"][0]["write"], "created");
}

#[tokio::test]
async fn two_pushes_during_a_freeze_leave_one_hold_at_the_newer_commit_in_either_order() {
    for newer_first in [false, true] {
        let setup = setup().await;
        let older = push(NEW, "2026-11-03T09:12:44Z");
        let newer = push(NEWER, "2026-11-03T10:00:00Z");
        let (first, second) = if newer_first {
            (newer, older)
        } else {
            (older, newer)
        };
        for event in [first, second] {
            setup
                .function
                .handle(event, None)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let hold = setup
            .store
            .get(&HoldKey::new("api", "main"))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no hold"));
        assert_eq!(hold.commit_id, NEWER, "newer first: {newer_first}");
        assert_eq!(hold.pushes, 2);
        assert_eq!(hold.recent_commits, vec![NEWER, NEW]);
        assert_eq!(hold.held_since.to_string(), "2026-11-03T09:12:44Z");
    }
}

#[tokio::test]
async fn concurrent_pushes_keep_the_newest_commit_and_count_every_push() {
    let setup = setup().await;
    let events: Vec<Value> = (0..6)
        .map(|i| push(&format!("{i:040}"), &format!("2026-11-03T10:0{i}:00Z")))
        .collect();
    let handles = events
        .into_iter()
        .rev()
        .map(|event| setup.function.handle(event, None));
    for result in futures_join(handles).await {
        result.unwrap_or_else(|e| panic!("{e}"));
    }
    let hold = setup
        .store
        .get(&HoldKey::new("docs", "main"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no hold"));
    assert_eq!(hold.commit_id, format!("{:040}", 5));
    assert_eq!(hold.pushes, 6);
}

/// Polls every future together on this task (no extra crate for `join_all`).
async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|context| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(context) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[tokio::test]
async fn two_overlapping_releases_start_the_held_commit_once() {
    let setup = setup().await;
    for (commit, time) in [
        (NEW, "2026-11-03T09:12:44Z"),
        (NEWER, "2026-11-03T10:00:00Z"),
    ] {
        setup
            .function
            .handle(push(commit, time), None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let before = setup.double.requests(START).len();
    let key = HoldKey::new("api", "main");
    let starter = CodePipelineStarter::new(sdk::codepipeline(&setup.double.endpoint()));
    let (a, b) = tokio::join!(
        release_hold(&setup.store, &starter, &key, "tick-1", release_time()),
        release_hold(&setup.store, &starter, &key, "tick-2", release_time()),
    );
    let outcomes = [
        a.unwrap_or_else(|e| panic!("{e}")),
        b.unwrap_or_else(|e| panic!("{e}")),
    ];
    let released = outcomes
        .iter()
        .filter(|o| matches!(o, ReleaseOutcome::Released { .. }))
        .count();
    assert_eq!(released, 1, "{outcomes:?}");
    let starts = setup.double.requests(START);
    assert_eq!(starts.len(), before + 1);
    let start = &starts[before];
    assert_eq!(start["name"], "api");
    assert_eq!(start["sourceRevisions"][0]["actionName"], "Source");
    assert_eq!(start["sourceRevisions"][0]["revisionType"], "COMMIT_ID");
    assert_eq!(start["sourceRevisions"][0]["revisionValue"], NEWER);
    assert_eq!(
        start["clientRequestToken"].as_str().map(str::len),
        Some(64),
        "{start}"
    );
    assert_eq!(setup.store.get(&key).await.ok().flatten(), None);
    // The other hold is untouched.
    assert!(
        setup
            .store
            .get(&HoldKey::new("docs", "main"))
            .await
            .ok()
            .flatten()
            .is_some()
    );
}

/// A release whose start CodePipeline refuses leaves the hold in DynamoDB unclaimed, so
/// the next tick starts it instead of finding it "claimed elsewhere" forever.
#[tokio::test]
async fn a_release_whose_start_fails_is_retried_by_the_next_tick() {
    let setup = setup().await;
    setup
        .function
        .handle(push(NEW, "2026-11-03T09:12:44Z"), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let key = HoldKey::new("api", "main");
    let refusing = AwsDouble::start().await;
    refusing.on(
        START,
        vec![Reply::error(
            400,
            "PipelineNotFoundException",
            "The pipeline api was not found",
        )],
    );
    let starter = CodePipelineStarter::new(sdk::codepipeline(&refusing.endpoint()));
    let failed = release_hold(&setup.store, &starter, &key, "tick-1", release_time()).await;
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(refusing.requests(START).len(), 1);
    let hold = setup
        .store
        .get(&key)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(hold.map(|h| h.claimed_by), Some(None));

    let starter = CodePipelineStarter::new(sdk::codepipeline(&setup.double.endpoint()));
    let before = setup.double.requests(START).len();
    let next = release_hold(&setup.store, &starter, &key, "tick-2", release_time())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(next, ReleaseOutcome::Released { .. }), "{next:?}");
    let starts = setup.double.requests(START);
    assert_eq!(starts.len(), before + 1);
    assert_eq!(starts[before]["sourceRevisions"][0]["revisionValue"], NEW);
    assert_eq!(setup.store.get(&key).await.ok().flatten(), None);
}

/// A release whose claim was left behind (the releaser died, or DynamoDB failed after
/// the start) is not stuck: in DynamoDB the claim lapses after the lease, the next tick
/// takes it and starts the hold with the same `clientRequestToken`, and the release is
/// recorded: the hold is no longer listed, and a later tick starts nothing.
#[tokio::test]
async fn a_claim_left_behind_lapses_after_the_lease_and_the_release_is_recorded_once() {
    let setup = setup().await;
    setup
        .function
        .handle(push(NEW, "2026-11-03T09:12:44Z"), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let key = HoldKey::new("api", "main");
    let claimed_at = release_time();
    assert!(
        setup
            .store
            .claim_release(&key, "slack:U0ALICE:1.2", claimed_at)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    );
    let starter = CodePipelineStarter::new(sdk::codepipeline(&setup.double.endpoint()));
    let before = setup.double.requests(START).len();
    let minutes = |m: i64| {
        claimed_at
            .checked_add(pipeline_schedules::jiff::SignedDuration::from_mins(m))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let early = release_hold(&setup.store, &starter, &key, "tick-1", minutes(14))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(early, ReleaseOutcome::ClaimedElsewhere),
        "{early:?}"
    );
    assert_eq!(
        setup.double.requests(START).len(),
        before,
        "nothing started"
    );

    let late = release_hold(&setup.store, &starter, &key, "tick-2", minutes(15))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let ReleaseOutcome::Released { hold, .. } = late else {
        panic!("{late:?}");
    };
    let starts = setup.double.requests(START);
    assert_eq!(starts.len(), before + 1);
    assert_eq!(starts[before]["clientRequestToken"], hold.release_token());
    assert_eq!(setup.store.get(&key).await.ok().flatten(), None);
    assert!(
        setup
            .store
            .list()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .all(|h| h.key() != key),
        "a released hold is not listed"
    );
    let record = setup
        .store
        .released(&key)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .and_then(|h| h.released);
    assert_eq!(record.map(|r| r.claim_token), Some("tick-2".to_owned()));
    let again = release_hold(&setup.store, &starter, &key, "tick-3", minutes(16))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(again, ReleaseOutcome::Missing), "{again:?}");
    assert_eq!(
        setup.double.requests(START).len(),
        before + 1,
        "started once"
    );
}

/// Eight releasers claim a hold at once through the DynamoDB adapter, for twenty holds:
/// each time exactly one claim wins, because the claim is one conditional write (the
/// overlap guarantee every release path relies on).
#[tokio::test]
async fn of_eight_concurrent_claims_of_a_hold_exactly_one_wins() {
    let setup = setup().await;
    let at: pipeline_schedules::jiff::Timestamp = "2026-11-03T09:12:44Z"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    for round in 0..20 {
        let pipeline = format!("pipeline-{round}");
        let hold = pipeline_schedules::Hold::for_push(
            "monorepo",
            &pipeline,
            "main",
            NEW,
            None,
            None,
            at,
            "release-week",
            at,
        );
        let key = hold.key();
        setup
            .store
            .put_newest(hold)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let tokens: Vec<String> = (0..8).map(|n| format!("tick-{n}")).collect();
        let claims = tokens
            .iter()
            .map(|token| setup.store.claim_release(&key, token, release_time()));
        let won: Vec<bool> = futures_join(claims)
            .await
            .into_iter()
            .map(|claim| claim.unwrap_or_else(|e| panic!("{e}")))
            .collect();
        assert_eq!(
            won.iter().filter(|won| **won).count(),
            1,
            "{key:?}: {won:?}"
        );
        let stored = setup
            .store
            .get(&key)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let winner = won.iter().position(|won| *won).map(|n| tokens[n].clone());
        assert_eq!(stored.map(|h| h.claimed_by), Some(winner));
    }
}

/// Bad freeze configuration in a rules file on disk: each error names the file and line.
#[test]
fn bad_calendar_configuration_names_the_file_and_line() {
    let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let rules_path = folder.path().join("routing-rules.yaml");
    let head = "version: 1\nrepositories:\n  - name: monorepo\n    pipelines:\n      - name: api\n";
    let cases = [
        (
            "schedules:\n  - pipeline: api\n    branch: main\n    expression: rate(1 hour)\n    timezone: Mars/Olympus\n",
            ":10:",
            "unknown time zone `Mars/Olympus`",
        ),
        (
            "schedules:\n  - pipeline: api\n    branch: main\n    expression: cron(0 0 * * * *)\n",
            ":9:",
            "cron",
        ),
        (
            "freezes:\n  - name: never\n    pipelines: [api]\n    weekly: { from: MON 08:00, to: MON 08:00 }\n",
            ":9:",
            "is empty",
        ),
        (
            "freezes:\n  - name: orphan\n    pipelines: [api, wbe]\n    holidays: { dates: [2026-12-25] }\n",
            ":8:",
            "`wbe` matches no pipeline",
        ),
    ];
    let shown = rules_path.display().to_string();
    for (tail, line, message) in cases {
        std::fs::write(&rules_path, format!("{head}{tail}")).unwrap_or_else(|e| panic!("{e}"));
        let error = RoutingRules::from_path(&rules_path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.starts_with(&format!("{shown}{line}")), "{error}");
        assert!(error.contains(message), "{error}");
    }
    // A malformed .ics beside the rules: its own file and line.
    std::fs::write(
        folder.path().join("company.ics"),
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261301T100000Z\nEND:VEVENT\nEND:VCALENDAR\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        &rules_path,
        format!("{head}freezes:\n  - name: company\n    pipelines: [api]\n    ics: {{ path: company.ics }}\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let error = RoutingRules::from_path(&rules_path)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(error.starts_with("company.ics:3:"), "{error}");
    assert!(error.contains(&shown), "{error}");
    assert!(error.contains("freeze `company`"), "{error}");
}

/// When the tests' releases run (after every sample hold's release time).
fn release_time() -> pipeline_schedules::jiff::Timestamp {
    pipeline_schedules::jiff::Timestamp::from_second(1_800_000_000)
        .unwrap_or_else(|e| panic!("{e}"))
}
