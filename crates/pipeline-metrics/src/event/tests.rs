use super::*;
use crate::fixtures;
use crate::fixtures::ts;

fn pipeline(json: &str) -> Envelope<PipelineDetail> {
    match parse_event(json).unwrap() {
        CodePipelineEvent::Pipeline(e) => e,
        other => panic!("expected a pipeline event, got {other:?}"),
    }
}

fn stage(json: &str) -> Envelope<StageDetail> {
    match parse_event(json).unwrap() {
        CodePipelineEvent::Stage(e) => e,
        other => panic!("expected a stage event, got {other:?}"),
    }
}

fn action(json: &str) -> Envelope<ActionDetail> {
    match parse_event(json).unwrap() {
        CodePipelineEvent::Action(e) => e,
        other => panic!("expected an action event, got {other:?}"),
    }
}

/// The pipeline-started fixture with its detail's `field` replaced by `value` (JSON).
fn started_with(field: &str, value: &str) -> String {
    let mut event: serde_json::Value = serde_json::from_str(fixtures::PIPELINE_STARTED).unwrap();
    event["detail"][field] = serde_json::from_str(value).unwrap();
    event.to_string()
}

#[test]
fn every_fixture_parses() {
    for (name, json) in fixtures::ALL {
        let event = parse_event(json).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!event.id().is_empty(), "{name}");
    }
}

#[test]
fn pipeline_started_has_every_field() {
    let e = pipeline(fixtures::PIPELINE_STARTED);
    assert_eq!(e.id, "0d9b0d6e-2f43-4c67-9b9a-1c6e5f3a0001");
    assert_eq!(e.detail_type, PIPELINE_DETAIL_TYPE);
    assert_eq!(e.source, EVENT_SOURCE);
    assert_eq!(e.account, "123456789012");
    assert_eq!(e.region, "eu-west-1");
    assert_eq!(e.time, ts("2026-03-14T09:58:02Z"));
    assert_eq!(
        e.resources,
        ["arn:aws:codepipeline:eu-west-1:123456789012:web-app-prod"]
    );
    let d = e.detail;
    assert_eq!(d.pipeline, "web-app-prod");
    assert_eq!(d.execution_id, "3f1c2b7e-5a0d-4e8f-9c61-2d7b8a4e1001");
    assert_eq!(d.state, ExecutionState::Started);
    assert_eq!(d.version, Some(4));
    assert_eq!(d.pipeline_execution_attempt, Some(1));
    assert_eq!(d.start_time.as_deref(), Some("2026-03-14T09:58:01.412Z"));
    let trigger = d.execution_trigger.unwrap();
    assert_eq!(
        trigger.trigger_type.as_deref(),
        Some("StartPipelineExecution")
    );
    assert!(trigger.trigger_detail.unwrap().contains("commit-filter"));
    assert_eq!(d.execution_result, None);
}

#[test]
fn every_pipeline_state_parses() {
    let states = [
        ("STARTED", ExecutionState::Started),
        ("SUCCEEDED", ExecutionState::Succeeded),
        ("RESUMED", ExecutionState::Resumed),
        ("FAILED", ExecutionState::Failed),
        ("CANCELED", ExecutionState::Canceled),
        ("STOPPING", ExecutionState::Stopping),
        ("STOPPED", ExecutionState::Stopped),
        ("SUPERSEDED", ExecutionState::Superseded),
    ];
    for (text, state) in states {
        let e = pipeline(&started_with("state", &format!("{text:?}")));
        assert_eq!(e.detail.state, state);
        assert_eq!(e.detail.state.as_str(), text);
    }
    // The fixtures for the common states say the same.
    let fixtures = [
        (
            "PIPELINE_SUCCEEDED",
            fixtures::PIPELINE_SUCCEEDED,
            ExecutionState::Succeeded,
        ),
        (
            "PIPELINE_FAILED",
            fixtures::PIPELINE_FAILED,
            ExecutionState::Failed,
        ),
        (
            "PIPELINE_RESUMED",
            fixtures::PIPELINE_RESUMED,
            ExecutionState::Resumed,
        ),
        (
            "PIPELINE_SUPERSEDED",
            fixtures::PIPELINE_SUPERSEDED,
            ExecutionState::Superseded,
        ),
        (
            "PIPELINE_STOPPED",
            fixtures::PIPELINE_STOPPED,
            ExecutionState::Stopped,
        ),
    ];
    for (name, fixture, state) in fixtures {
        assert_eq!(pipeline(fixture).detail.state, state, "{name}");
    }
}

#[test]
fn state_spellings_and_unknown_states() {
    assert_eq!(ExecutionState::parse("Cancelled"), ExecutionState::Canceled);
    assert_eq!(ExecutionState::parse("InProgress"), ExecutionState::Started);
    assert_eq!(
        ExecutionState::parse("succeeded"),
        ExecutionState::Succeeded
    );
    let e = pipeline(fixtures::PIPELINE_UNKNOWN_STATE);
    assert_eq!(e.detail.state, ExecutionState::Other("QUEUED".into()));
    assert_eq!(e.detail.state.as_str(), "QUEUED");
    assert!(!e.detail.state.is_terminal());
}

#[test]
fn terminal_states() {
    let terminal = [
        "SUCCEEDED",
        "FAILED",
        "CANCELED",
        "STOPPED",
        "SUPERSEDED",
        "ABANDONED",
    ];
    let running = ["STARTED", "RESUMED", "STOPPING"];
    for s in terminal {
        assert!(ExecutionState::parse(s).is_terminal(), "{s}");
    }
    for s in running {
        assert!(!ExecutionState::parse(s).is_terminal(), "{s}");
    }
}

#[test]
fn version_and_attempt_as_int_float_or_string() {
    for (json, expected) in [
        ("4", Some(4)),
        ("4.0", Some(4)),
        ("\"4\"", Some(4)),
        ("\" 4 \"", Some(4)),
        ("\"4.0\"", Some(4)),
        ("null", None),
        ("4.5", None),
        ("-1", None),
        ("\"latest\"", None),
        ("{\"n\": 4}", None),
        ("[4]", None),
        ("true", None),
    ] {
        let e = pipeline(&started_with("version", json));
        assert_eq!(e.detail.version, expected, "version {json}");
        let e = pipeline(&started_with("pipeline-execution-attempt", json));
        assert_eq!(
            e.detail.pipeline_execution_attempt, expected,
            "attempt {json}"
        );
    }
    let e = pipeline(fixtures::PIPELINE_STARTED_VERSION_STRING);
    assert_eq!(e.detail.version, Some(7));
    assert_eq!(e.detail.pipeline_execution_attempt, Some(1));
}

#[test]
fn legacy_pipeline_event_without_optional_fields() {
    let e = pipeline(fixtures::PIPELINE_STARTED_LEGACY);
    assert_eq!(e.detail.version, Some(1));
    assert_eq!(e.detail.pipeline_execution_attempt, None);
    assert_eq!(e.detail.start_time, None);
    assert_eq!(e.detail.execution_trigger, None);
    assert_eq!(e.detail.execution_result, None);
}

#[test]
fn pipeline_failed_has_execution_result() {
    let r = pipeline(fixtures::PIPELINE_FAILED)
        .detail
        .execution_result
        .unwrap();
    assert_eq!(r.error_code.as_deref(), Some("JobFailed"));
    assert!(
        r.external_execution_summary
            .unwrap()
            .contains("COMMAND_EXECUTION_ERROR")
    );
}

#[test]
fn stage_events() {
    let e = stage(fixtures::STAGE_STARTED);
    assert_eq!(e.detail.stage, "Source");
    assert_eq!(e.detail.execution.state, ExecutionState::Started);
    assert_eq!(e.detail.execution.execution_trigger, None);
    let e = stage(fixtures::STAGE_SUCCEEDED);
    assert_eq!(e.detail.execution.state, ExecutionState::Succeeded);
    assert!(e.detail.execution.execution_trigger.is_some());
    let e = stage(fixtures::STAGE_FAILED);
    assert_eq!(e.detail.stage, "Build");
    assert_eq!(e.detail.execution.state, ExecutionState::Failed);
    assert_eq!(e.detail.execution.version, Some(4));
    assert_eq!(e.detail.execution.pipeline_execution_attempt, Some(1));
}

#[test]
fn action_events() {
    let e = action(fixtures::ACTION_STARTED);
    assert_eq!(e.detail.stage, "Deploy");
    assert_eq!(e.detail.action, "DeployToProd");
    let t = e.detail.action_type.unwrap();
    assert_eq!(t.owner.as_deref(), Some("AWS"));
    assert_eq!(t.category.as_deref(), Some("Deploy"));
    assert_eq!(t.provider.as_deref(), Some("CodeDeploy"));
    assert_eq!(t.version.as_deref(), Some("1"));
    assert_eq!(e.detail.input_artifacts.unwrap().len(), 1);

    let e = action(fixtures::ACTION_SUCCEEDED_SOURCE);
    let r = e.detail.execution.execution_result.unwrap();
    assert_eq!(
        r.external_execution_id.as_deref(),
        Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b")
    );
    let out = e.detail.output_artifacts.unwrap();
    assert_eq!(out[0].name.as_deref(), Some("SourceArtifact"));
    assert_eq!(
        out[0].s3location.as_ref().unwrap().bucket.as_deref(),
        Some("codepipeline-eu-west-1-123456789012")
    );

    let e = action(fixtures::ACTION_FAILED);
    assert_eq!(e.detail.execution.state, ExecutionState::Failed);
    assert_eq!(
        e.detail
            .execution
            .execution_result
            .unwrap()
            .error_code
            .as_deref(),
        Some("JobFailed")
    );
    assert_eq!(e.detail.output_artifacts, Some(vec![]));
}

#[test]
fn action_abandoned() {
    let e = action(fixtures::ACTION_ABANDONED);
    assert_eq!(e.detail.execution.state, ExecutionState::Abandoned);
    assert_eq!(e.detail.execution.state.as_str(), "ABANDONED");
    assert!(e.detail.execution.state.is_terminal());
}

#[test]
fn legacy_action_with_integer_type_version() {
    let e = action(fixtures::ACTION_STARTED_LEGACY);
    assert_eq!(e.detail.action_type.unwrap().version.as_deref(), Some("1"));
    assert_eq!(e.detail.action_execution_id, None);
    assert_eq!(e.detail.execution.pipeline_execution_attempt, None);
    assert_eq!(e.detail.execution.version, Some(1));
    assert_eq!(e.detail.execution.start_time, None);
}

#[test]
fn type_version_as_float_or_null() {
    let mut event: serde_json::Value = serde_json::from_str(fixtures::ACTION_STARTED).unwrap();
    event["detail"]["type"]["version"] = serde_json::json!(2.0);
    let e = action(&event.to_string());
    assert_eq!(e.detail.action_type.unwrap().version.as_deref(), Some("2"));
    event["detail"]["type"]["version"] = serde_json::Value::Null;
    let e = action(&event.to_string());
    assert_eq!(e.detail.action_type.unwrap().version, None);
}

#[test]
fn unknown_fields_are_ignored() {
    let json = started_with("some-future-field", r#"{"nested": [1, 2, 3]}"#);
    assert_eq!(pipeline(&json).detail.state, ExecutionState::Started);
}

#[test]
fn errors_name_what_is_wrong() {
    assert!(matches!(
        parse_event("not json"),
        Err(EventError::Envelope(_))
    ));
    let other = fixtures::PIPELINE_STARTED
        .replace(PIPELINE_DETAIL_TYPE, "CodeCommit Repository State Change");
    match parse_event(&other) {
        Err(EventError::UnsupportedDetailType { id, detail_type }) => {
            assert_eq!(id, "0d9b0d6e-2f43-4c67-9b9a-1c6e5f3a0001");
            assert_eq!(detail_type, "CodeCommit Repository State Change");
        }
        other => panic!("{other:?}"),
    }
    let mut event: serde_json::Value = serde_json::from_str(fixtures::PIPELINE_STARTED).unwrap();
    event["detail"]
        .as_object_mut()
        .unwrap()
        .remove("execution-id");
    let err = parse_event(&event.to_string()).unwrap_err();
    assert!(matches!(err, EventError::Detail { .. }), "{err:?}");
    assert!(err.to_string().contains("execution-id"), "{err}");
    let bad_time = fixtures::PIPELINE_STARTED.replace("2026-03-14T09:58:02Z", "yesterday");
    assert!(matches!(
        parse_event(&bad_time),
        Err(EventError::Time { .. })
    ));
}

#[test]
fn action_event_without_action_name_is_an_error() {
    let mut event: serde_json::Value = serde_json::from_str(fixtures::ACTION_STARTED).unwrap();
    event["detail"].as_object_mut().unwrap().remove("action");
    assert!(matches!(
        parse_event(&event.to_string()),
        Err(EventError::Detail { .. })
    ));
}

#[test]
fn timestamps_with_offsets_become_utc() {
    let t = parse_timestamp("2026-03-15T01:30:00+02:00").unwrap();
    assert_eq!(t, ts("2026-03-14T23:30:00Z"));
    assert_eq!(t.to_string(), "2026-03-14T23:30:00Z");
    assert_eq!(parse_timestamp("2026-03-14"), None);
}
