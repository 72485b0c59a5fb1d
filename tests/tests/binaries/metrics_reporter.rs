//! metrics-reporter: the sample batch's rows in moto S3 under `dt=`, the scheduled sample
//! event: both reports written as HTML, the digest posted to the channel with the bot
//! token from Secrets Manager.

use super::approvals::slack_secret;
use super::metrics::rows_of;
use super::*;

#[tokio::test]
async fn metrics_reporter_writes_both_reports_and_posts_the_digest_of_the_scheduled_day() {
    let bucket = moto::bucket("e2e-reports").await;
    let rows = rows_of(&sample("metrics-extractor/sqs-batch.json"), &[]);
    for object in pipeline_metrics::encode_batch("pipeline-events", "e2e", &rows).unwrap() {
        moto::put_object(&bucket, &object.key, object.bytes).await;
    }
    let slack = SlackServer::start().await;
    let mut function = Function::start(
        "metrics-reporter",
        &[
            ("METRICS_BUCKET", bucket.clone()),
            ("PRODUCTION_PIPELINES", "web-app-prod".to_owned()),
            ("DIGEST_CHANNEL", "C0E2EDIGEST".to_owned()),
            ("SLACK_SECRET_ID", slack_secret().await),
            ("SLACK_API_URL", slack.api_url()),
        ],
    )
    .await;

    // Scheduled at 00:15 on 03-15: the report is for 03-14, the sample batch's day.
    let response = function
        .respond(&sample("metrics-reporter/scheduled.json"))
        .await;
    check_eq!(
        function,
        response,
        json!({
            "day": "2026-03-14",
            "rows": rows.len(),
            "written": ["reports/latest.html", "reports/2026-03-14.html"],
            "posted_to": "C0E2EDIGEST"
        }),
        "the response"
    );
    for key in ["reports/latest.html", "reports/2026-03-14.html"] {
        let (content_type, bytes) = moto::get_object(&bucket, key).await;
        check_eq!(
            function,
            content_type.as_deref(),
            Some("text/html; charset=utf-8"),
            "{key}"
        );
        let page = String::from_utf8_lossy(&bytes);
        check!(
            function,
            page.starts_with("<!DOCTYPE html>") && page.contains("web-app-prod"),
            "{key} is the dashboard of web-app-prod"
        );
    }

    let posts: Vec<_> = slack
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/chat.postMessage")
        .collect();
    check_eq!(function, posts.len(), 1, "one digest posted");
    let post = &posts[0];
    check_eq!(
        function,
        post.authorization.as_deref(),
        Some(format!("Bearer {BOT_TOKEN}").as_str()),
        "the bot token from Secrets Manager"
    );
    check_eq!(function, post.body["channel"], "C0E2EDIGEST", "the channel");
    let text = post.body["text"].as_str().unwrap_or_default();
    check!(
        function,
        text.starts_with("Pipeline metrics for 2026-03-14: 1 run in 1 pipeline"),
        "the digest's text: {text}"
    );
}
