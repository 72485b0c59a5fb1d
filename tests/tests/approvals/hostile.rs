//! Requests that are not what Slack sends: each gets its status, none reaches
//! CodePipeline.

use super::*;

#[tokio::test]
async fn hostile_requests_get_the_right_status_and_no_codepipeline_call() {
    let (world, value) = accepting_world().await;
    let good = click(&world, APPROVE_ACTION_ID, "U0ALICE", &value);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut event = good.clone();
        f(&mut event);
        event
    };
    let other_secret = signed_request_event(
        &form_body(&json!({"type": "block_actions"})),
        &slack_approval::SigningSecret::new("not-the-secret").unwrap(),
        NOW,
    );
    let cases: Vec<(&str, Value, u16)> = vec![
        (
            "tampered signature",
            with(&|e| e["headers"]["x-slack-signature"] = json!(format!("v0={}", "a".repeat(64)))),
            401,
        ),
        (
            "no signature",
            with(&|e| {
                e["headers"]
                    .as_object_mut()
                    .unwrap()
                    .remove("x-slack-signature");
            }),
            401,
        ),
        (
            "replayed after 5 minutes",
            with(&|e| e["headers"]["x-slack-request-timestamp"] = json!((NOW - 301).to_string())),
            401,
        ),
        (
            "from the future",
            with(&|e| e["headers"]["x-slack-request-timestamp"] = json!((NOW + 301).to_string())),
            401,
        ),
        (
            "tampered body",
            with(&|e| e["body"] = json!("cGF5bG9hZD0lN0IlN0Q=")),
            401,
        ),
        ("signed with another secret", other_secret, 401),
        ("body not base64", with(&|e| e["body"] = json!("***")), 400),
        (
            "GET",
            with(&|e| e["requestContext"]["http"]["method"] = json!("GET")),
            405,
        ),
        ("not an HTTP event", json!(["payload"]), 400),
        (
            "signed, but response_url elsewhere",
            {
                let payload = json!({
                    "type": "block_actions", "user": {"id": "U0ALICE"}, "api_app_id": "A0APPROVE",
                    "team": {"id": "T0ACME"}, "response_url": "http://10.0.0.5/steal",
                    "actions": [{"action_id": APPROVE_ACTION_ID, "value": value}]
                });
                signed_request_event(
                    &form_body(&payload),
                    &slack_approval::SigningSecret::new(SIGNING_SECRET).unwrap(),
                    NOW,
                )
            },
            400,
        ),
        (
            "signed, but not a payload",
            signed_request_event(
                "text=hello",
                &slack_approval::SigningSecret::new(SIGNING_SECRET).unwrap(),
                NOW,
            ),
            400,
        ),
    ];
    for (name, event, status) in cases {
        let response = world.handler.handle(event, NOW).await;
        assert_eq!(response.status_code, status, "{name}: {}", response.body);
        assert!(!response.body.contains(SIGNING_SECRET), "{name}");
    }
    assert!(world.double.requests(PUT).is_empty());
    assert!(world.slack.responses().is_empty());
}
