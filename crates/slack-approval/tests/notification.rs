//! Parsing the CodePipeline manual-approval notification, including the sample SNS event.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

use serde_json::Value;
use slack_approval::notification::{NotificationError, parse_notification};

fn sample_event_message() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../events/approval-requester/approval-notification.json"
    );
    let event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(event["Records"][0]["EventSource"], "aws:sns");
    event["Records"][0]["Sns"]["Message"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn parses_the_sample_event() {
    let n = parse_notification(&sample_event_message()).unwrap();
    assert_eq!(n.region, "eu-west-1");
    assert_eq!(n.approval.pipeline_name, "web-prod");
    assert_eq!(n.approval.stage_name, "Production");
    assert_eq!(n.approval.action_name, "ApproveRelease");
    assert_eq!(n.approval.token, "3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34");
    assert_eq!(n.approval.expires.to_string(), "2026-11-10T09:41:00Z");
    assert!(n.approval.approval_review_link.ends_with(&n.approval.token));
    assert!(n.approval.external_entity_link.is_some());
    assert!(n.approval.custom_data.is_some());
}

const MINIMAL: &str = r#"{
  "region": "us-east-2",
  "consoleLink": "https://console.aws.amazon.com/codepipeline/home?region=us-east-2#/view/MyFirstPipeline",
  "approval": {
    "pipelineName": "MyFirstPipeline",
    "stageName": "MyApprovalStage",
    "actionName": "MyApprovalAction",
    "token": "1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN",
    "expires": "2016-07-07T20:22Z",
    "approvalReviewLink": "https://console.aws.amazon.com/codepipeline/home?region=us-east-2#/view/MyFirstPipeline/MyApprovalStage/MyApprovalAction/approve/1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN"
  }
}"#;

#[test]
fn optional_fields_may_be_absent_null_or_empty() {
    let n = parse_notification(MINIMAL).unwrap();
    assert_eq!(n.approval.external_entity_link, None);
    assert_eq!(n.approval.custom_data, None);
    assert_eq!(n.approval.expires.unix(), 1_467_922_920);

    let with_nulls = MINIMAL.replace(
        r#""expires""#,
        r#""externalEntityLink": null, "customData": "", "expires""#,
    );
    let n = parse_notification(&with_nulls).unwrap();
    assert_eq!(n.approval.external_entity_link, None);
    assert_eq!(n.approval.custom_data, None);
}

#[test]
fn expires_with_or_without_seconds() {
    for (expires, unix) in [
        ("2016-07-07T20:22Z", 1_467_922_920),
        ("2016-07-07T20:22:30Z", 1_467_922_950),
        ("2016-07-07T20:22:30.250Z", 1_467_922_950),
        ("2016-07-07T22:22+02:00", 1_467_922_920),
    ] {
        let doc = MINIMAL.replace("2016-07-07T20:22Z", expires);
        assert_eq!(
            parse_notification(&doc).unwrap().approval.expires.unix(),
            unix,
            "{expires}"
        );
    }
    let doc = MINIMAL.replace("2016-07-07T20:22Z", "next tuesday");
    let err = parse_notification(&doc).unwrap_err();
    assert!(matches!(err, NotificationError::BadExpires(_)));
    assert!(err.to_string().contains("approval.expires"), "{err}");
    assert!(err.to_string().contains("next tuesday"), "{err}");
}

#[test]
fn unknown_fields_are_ignored() {
    let doc = MINIMAL.replace(r#""region""#, r#""future": {"x": 1}, "region""#);
    assert!(parse_notification(&doc).is_ok());
}

#[test]
fn errors_name_the_field() {
    let cases = [
        ("", "not JSON"),
        ("[]", "should be an object"),
        ("{}", "missing field `approval`"),
        (
            r#"{"approval": "x"}"#,
            "field `approval` should be an object",
        ),
    ];
    for (doc, expected) in cases {
        let err = parse_notification(doc).unwrap_err().to_string();
        assert!(err.contains(expected), "{doc}: {err}");
    }
    for field in [
        "pipelineName",
        "stageName",
        "actionName",
        "token",
        "expires",
        "approvalReviewLink",
    ] {
        let doc: Value = serde_json::from_str(MINIMAL).unwrap();
        let mut doc = doc;
        doc["approval"].as_object_mut().unwrap().remove(field);
        let err = parse_notification(&doc.to_string())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!("approval notification: missing field `approval.{field}`")
        );

        let mut doc: Value = serde_json::from_str(MINIMAL).unwrap();
        doc["approval"][field] = Value::from(7);
        let err = parse_notification(&doc.to_string())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!("approval notification: field `approval.{field}` should be a string")
        );
    }
    for field in ["region", "consoleLink"] {
        let mut doc: Value = serde_json::from_str(MINIMAL).unwrap();
        doc.as_object_mut().unwrap().remove(field);
        let err = parse_notification(&doc.to_string())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!("approval notification: missing field `{field}`")
        );
    }
    let doc = MINIMAL.replace(
        r#""token": "1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN""#,
        r#""token": """#,
    );
    let err = parse_notification(&doc).unwrap_err().to_string();
    assert_eq!(
        err,
        "approval notification: field `approval.token` is empty"
    );
}
