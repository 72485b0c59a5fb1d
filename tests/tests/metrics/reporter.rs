//! The metrics-reporter end to end over real HTTP: rows in a moto S3 bucket, a hold in a
//! moto DynamoDB scheduler table, the digest to the local Slack server, through the
//! function's handler and the real `aws-adapters` adapters.
//!
//! The day is 2026-03-03 with one-day periods (previous: 2026-03-02). Figures by hand:
//!
//! - 03-02: deploy-prod P1 10:00 -> SUCCEEDED 10:30 (commit C1): lead time 30m 00s.
//! - 03-03: build-app B1 08:00 -> SUCCEEDED 08:10 (C2); deploy-prod P2 09:00 -> FAILED 09:20
//!   (DeployToProd, JobFailed, C2); P3 11:00 -> SUCCEEDED 11:15 (C2).
//!   So yesterday: 3 runs in 2 pipelines, 1 failed; DORA on 03-03: 1.00/day (Elite, no
//!   change), lead time 08:00 -> 11:15 = 3h 15m (High, was Elite, +2h 45m worse), restore
//!   09:20 -> 11:15 = 1h 55m (High, was no data), failure rate 50.0% (Low, was 0.0%
//!   Elite: +50.0 pts worse).
//! - 2025-12-01 (ancient-pipeline) and 2026-03-04 (tomorrow-pipeline) are partitions the
//!   reporter must not read.

use super::*;

use aws_adapters::holds_store::DynamoHoldStore;
use aws_adapters::metrics_reporter::{
    HTML_CONTENT_TYPE, S3ReportSink, S3RowSource, SlackDigestPoster, StoreHeldPushes,
};
use aws_adapters::slack_http::SlackHttp;
use aws_adapters::slack_secrets::BotToken;
use integration_tests::slack::SlackServer;
use metrics_reporter::ReporterFunction;
use pipeline_metrics::reporter::{
    DigestPoster, HeldPushes, ReportSink, Reporter, ReporterConfig, RowSource,
};
use pipeline_schedules::{Hold, HoldStore};

pub(crate) const C1: &str = "1111111111111111111111111111111111111111";
pub(crate) const C2: &str = "2222222222222222222222222222222222222222";
pub(crate) const BOT_TOKEN: &str = "xoxb-e2e-digest";
pub(crate) const DASHBOARD: &str = "https://dashboards.example.com/pipelines/latest.html";

/// The history described above, as events: one [`History::run`] per row (STARTED, the
/// source action 30 s later with the commit, deploy-prod's deploy one minute before the
/// end, the final state).
pub(crate) fn reporter_history() -> Vec<String> {
    let (d2, d3) = ("2026-03-02", "2026-03-03");
    #[rustfmt::skip]
    let runs = [
        // pipeline, execution, day, start, end, commit, final state
        ("deploy-prod", "P1", d2, "10:00", "10:30", Some(C1), "SUCCEEDED"),
        ("build-app", "B1", d3, "08:00", "08:10", Some(C2), "SUCCEEDED"),
        ("deploy-prod", "P2", d3, "09:00", "09:20", Some(C2), "FAILED"),
        ("deploy-prod", "P3", d3, "11:00", "11:15", Some(C2), "SUCCEEDED"),
        ("ancient-pipeline", "X1", "2025-12-01", "09:00", "09:05", None, "FAILED"),
        ("tomorrow-pipeline", "X1", "2026-03-04", "09:00", "09:05", None, "FAILED"),
    ];
    let mut h = History::new();
    for (pipeline, exec, day, start, end, commit, state) in runs {
        let at = |time: &str| format!("{day}T{time}:00Z");
        h.run(pipeline, exec, &at(start), commit, state, &at(end));
    }
    h.events
}

/// Runs `function` on `event` with the clock far after the days reported on (the events
/// say which day).
pub(crate) async fn handle<S, K, P, H>(
    function: &ReporterFunction<S, K, P, H>,
    event: Value,
) -> metrics_reporter::handler::Response
where
    S: RowSource + Sync,
    K: ReportSink + Sync,
    P: DigestPoster + Sync,
    H: HeldPushes + Sync,
{
    function
        .handle(event, "2026-12-01T00:00:00Z".parse().unwrap())
        .await
        .unwrap()
}

/// The rows of `events`, as the metrics-extractor stores them: one gzip object per day.
pub(crate) fn objects(events: &[String]) -> Vec<pipeline_metrics::BatchObject> {
    let rows = expected_rows(events.iter().map(String::as_str));
    pipeline_metrics::encode_batch(PREFIX, "e2e-reporter", &rows).unwrap()
}

/// A new bucket in moto holding `events` as rows.
pub(crate) async fn bucket_with(events: &[String]) -> String {
    let bucket = moto::bucket("e2e-reports").await;
    for object in objects(events) {
        moto::put_object(&bucket, &object.key, object.bytes).await;
    }
    bucket
}

/// The hold waiting on the weekend freeze.
fn weekend_hold() -> Hold {
    let at = |t: &str| -> jiff::Timestamp { t.parse().unwrap() };
    Hold {
        repository: "monorepo".to_owned(),
        pipeline: "deploy-prod".to_owned(),
        branch: "main".to_owned(),
        commit_id: C2.to_owned(),
        source_action: Some("Source".to_owned()),
        pushes: 2,
        recent_commits: vec![C2.to_owned()],
        pushed_by: None,
        held_since: at("2026-03-06T17:00:00Z"),
        release_at: at("2026-03-09T08:00:00Z"),
        freeze: "weekend".to_owned(),
        updated_at: at("2026-03-06T18:00:00Z"),
        claimed_by: None,
        claimed_at: None,
        released: None,
    }
}

/// A Slack poster to the local server.
pub(crate) fn slack_poster(slack: &SlackServer) -> SlackDigestPoster {
    let token = BotToken::new(BOT_TOKEN).unwrap();
    SlackDigestPoster::new(
        SlackHttp::new(&slack.api_url(), token, std::time::Duration::from_secs(5)).unwrap(),
    )
}

/// Every text of a message's blocks (section texts, fields, context elements), in order.
pub(crate) fn block_texts(blocks: &[Value]) -> Vec<String> {
    let mut texts = Vec::new();
    for b in blocks {
        if let Some(t) = b.pointer("/text/text").and_then(Value::as_str) {
            texts.push(t.to_owned());
        }
        for key in ["fields", "elements"] {
            for item in b.get(key).and_then(Value::as_array).into_iter().flatten() {
                if let Some(t) = item.get("text").and_then(Value::as_str) {
                    texts.push(t.to_owned());
                }
            }
        }
    }
    texts
}

/// The content type and the text of a page in the bucket.
async fn get(bucket: &str, key: &str) -> (Option<String>, String) {
    let (content_type, bytes) = moto::get_object(bucket, key).await;
    (content_type, String::from_utf8(bytes).unwrap())
}

#[tokio::test]
async fn reporter_writes_the_dashboard_and_posts_the_digest_from_only_the_partitions_it_needs() {
    let events = reporter_history();
    let bucket = bucket_with(&events).await;
    let dynamodb = sdk::dynamodb(&moto::endpoint());
    let table = moto::scheduler_table(&dynamodb).await;
    let store = DynamoHoldStore::new(dynamodb, table);
    store.put_newest(weekend_hold()).await.unwrap();
    let slack = SlackServer::start().await;
    let s3 = sdk::s3(&moto::endpoint());
    let function = ReporterFunction {
        reporter: Reporter {
            rows: S3RowSource::new(s3.clone(), bucket.clone(), PREFIX.to_owned()),
            sink: S3ReportSink::new(s3, bucket.clone()),
            poster: slack_poster(&slack),
            holds: StoreHeldPushes::new(store),
            config: ReporterConfig {
                report: ReportConfig {
                    dora: DoraConfig {
                        production_pipelines: ["deploy-prod".to_owned()].into(),
                        period: None,
                    },
                    ..ReportConfig::default()
                },
                period_days: 1,
                channel: Some("#deploys".to_owned()),
                dashboard_url: Some(DASHBOARD.to_owned()),
            },
        },
    };

    // Scheduled at 00:15 on 03-04: the report is for 03-03.
    let response = handle(&function, json!({"scheduled_time": "2026-03-04T00:15:00Z"})).await;
    assert_eq!(response.day, "2026-03-03");
    assert_eq!(
        response.written,
        ["reports/latest.html", "reports/2026-03-03.html"]
    );
    assert_eq!(response.posted_to.as_deref(), Some("#deploys"));
    // The rows of 03-02 and 03-03 only: 4 + 11 events.
    assert_eq!(response.rows, 15);

    // Both pages: HTML with the pipelines of the period, nothing from other partitions.
    let (latest_type, latest) = get(&bucket, "reports/latest.html").await;
    let (day_type, day) = get(&bucket, "reports/2026-03-03.html").await;
    assert_eq!(latest_type.as_deref(), Some(HTML_CONTENT_TYPE));
    assert_eq!(day_type.as_deref(), Some(HTML_CONTENT_TYPE));
    assert_eq!(latest, day);
    assert!(latest.starts_with("<!DOCTYPE html>"));
    for id in DORA_TILE_IDS {
        assert!(latest.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    assert!(latest.contains("deploy-prod") && latest.contains("build-app"));
    assert!(!latest.contains("ancient-pipeline") && !latest.contains("tomorrow-pipeline"));

    // The digest, as Slack received it.
    let posts: Vec<_> = slack
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/chat.postMessage")
        .collect();
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    assert_eq!(
        post.authorization.as_deref(),
        Some(format!("Bearer {BOT_TOKEN}").as_str())
    );
    let body = &post.body;
    assert_eq!(body["channel"], "#deploys");
    assert_eq!(
        body["text"],
        "Pipeline metrics for 2026-03-03: 3 runs in 2 pipelines, 1 failed (in 1 pipeline); 1 push held by freezes."
    );
    let blocks = body["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50);
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[0]["text"]["text"], "Pipeline metrics · 2026-03-03");
    let types: Vec<&str> = blocks.iter().filter_map(|b| b["type"].as_str()).collect();
    assert_eq!(
        types,
        [
            "header", "section", "section", "divider", "section", "section", "divider", "section",
            "section", "section", "context"
        ]
    );
    let texts = block_texts(blocks);
    assert_eq!(
        texts[2],
        "✗ *deploy-prod* 2 runs: 1 succeeded, 1 failed\n      ↳ Deploy / DeployToProd failed 1 of 2 (JobFailed)\n✓ *build-app* 1 run: 1 succeeded"
    );
    let fields = blocks[5]["fields"].as_array().unwrap();
    let fields: Vec<&str> = fields.iter().filter_map(|f| f["text"].as_str()).collect();
    assert_eq!(
        fields,
        [
            "*Deployment frequency*\n1.00/day · Elite\n→ no change",
            "*Lead time for changes*\n3h 15m · High\n↑ +2h 45m, worse · Elite → High",
            fields[2], // the restore tile: its name is the dashboard's (see below)
            "*Change failure rate*\n50.0% · Low\n↑ +50.0 pts, worse · Elite → Low",
        ]
    );
    assert!(
        fields[2].ends_with("\n1h 55m · High\nwas - · No data → High"),
        "{}",
        fields[2]
    );
    assert_eq!(
        texts[9],
        "• *deploy-prod* @ main: freeze weekend, releases 2026-03-09 08:00 UTC (2 pushes)"
    );
    assert_eq!(texts[10], format!("<{DASHBOARD}|Open the dashboard>"));
    let all = texts.join("\n");
    assert!(!all.contains("ancient-pipeline") && !all.contains("tomorrow-pipeline"));
}

/// The Lambda's own wiring (`metrics_reporter::aws::from_config`, what `main.rs` runs)
/// from the function's variables: the bot token read from Secrets Manager, the holds from
/// the scheduler table, rows and pages in the bucket; a hand re-run of a given day.
#[tokio::test]
async fn the_lambda_wiring_reads_its_secret_and_table_and_reports_a_given_day() {
    let bucket = bucket_with(&reporter_history()).await;
    let dynamodb = sdk::dynamodb(&moto::endpoint());
    let table = moto::scheduler_table(&dynamodb).await;
    DynamoHoldStore::new(dynamodb, table.clone())
        .put_newest(weekend_hold())
        .await
        .unwrap();
    let secret = moto::unique("pipeline-router-e2e/digest-slack");
    sdk::secretsmanager(&moto::endpoint())
        .create_secret()
        .name(&secret)
        .secret_string(json!({"signing_secret": "s3cr3t", "bot_token": BOT_TOKEN}).to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateSecret {secret}: {e:?}"));
    let slack = SlackServer::start().await;
    let vars = [
        ("METRICS_BUCKET", bucket.clone()),
        ("PRODUCTION_PIPELINES", "deploy-prod".to_owned()),
        ("METRICS_PERIOD_DAYS", "1".to_owned()),
        ("DIGEST_CHANNEL", "C0DEPLOYS".to_owned()),
        ("SLACK_SECRET_ID", secret),
        ("SLACK_API_URL", slack.api_url()),
        ("SCHEDULER_TABLE", table),
        ("AWS_REGION", "us-east-1".to_owned()),
    ];
    let config = metrics_reporter::config::Config::from_lookup(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    })
    .unwrap();
    let aws = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(moto::endpoint())
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "e2e",
        ))
        .load()
        .await;
    let function = metrics_reporter::aws::from_config(&config, &aws)
        .await
        .unwrap();
    let response = handle(&function, json!({"day": "2026-03-03"})).await;
    assert_eq!(response.day, "2026-03-03");
    assert_eq!(response.posted_to.as_deref(), Some("C0DEPLOYS"));
    let (content_type, page) = get(&bucket, "reports/2026-03-03.html").await;
    assert_eq!(content_type.as_deref(), Some(HTML_CONTENT_TYPE));
    assert!(page.contains("deploy-prod"));
    let posted = slack.calls("chat.postMessage");
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0]["channel"], "C0DEPLOYS");
    let all = block_texts(posted[0]["blocks"].as_array().unwrap()).join("\n");
    assert!(
        all.contains("freeze weekend, releases 2026-03-09 08:00 UTC"),
        "{all}"
    );
    // The default link: the S3 console page of the latest report.
    assert!(
        all.contains(&format!(
            "<https://us-east-1.console.aws.amazon.com/s3/object/{bucket}?region=us-east-1&amp;prefix=reports/latest.html|Open the dashboard>"
        )),
        "{all}"
    );
}
