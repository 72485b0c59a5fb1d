//! The sample events in `events/metrics-extractor/`, for tests.

/// `events/metrics-extractor/action-abandoned.json`.
pub const ACTION_ABANDONED: &str =
    include_str!("../../../events/metrics-extractor/action-abandoned.json");
/// `events/metrics-extractor/action-failed.json`.
pub const ACTION_FAILED: &str =
    include_str!("../../../events/metrics-extractor/action-failed.json");
/// `events/metrics-extractor/action-started-legacy.json`.
pub const ACTION_STARTED_LEGACY: &str =
    include_str!("../../../events/metrics-extractor/action-started-legacy.json");
/// `events/metrics-extractor/action-started.json`.
pub const ACTION_STARTED: &str =
    include_str!("../../../events/metrics-extractor/action-started.json");
/// `events/metrics-extractor/action-succeeded-connection-source.json`.
pub const ACTION_SUCCEEDED_CONNECTION_SOURCE: &str =
    include_str!("../../../events/metrics-extractor/action-succeeded-connection-source.json");
/// `events/metrics-extractor/action-succeeded-source.json`.
pub const ACTION_SUCCEEDED_SOURCE: &str =
    include_str!("../../../events/metrics-extractor/action-succeeded-source.json");
/// `events/metrics-extractor/pipeline-failed.json`.
pub const PIPELINE_FAILED: &str =
    include_str!("../../../events/metrics-extractor/pipeline-failed.json");
/// `events/metrics-extractor/pipeline-resumed.json`.
pub const PIPELINE_RESUMED: &str =
    include_str!("../../../events/metrics-extractor/pipeline-resumed.json");
/// `events/metrics-extractor/pipeline-started-legacy.json`.
pub const PIPELINE_STARTED_LEGACY: &str =
    include_str!("../../../events/metrics-extractor/pipeline-started-legacy.json");
/// `events/metrics-extractor/pipeline-started-version-string.json`.
pub const PIPELINE_STARTED_VERSION_STRING: &str =
    include_str!("../../../events/metrics-extractor/pipeline-started-version-string.json");
/// `events/metrics-extractor/pipeline-started.json`.
pub const PIPELINE_STARTED: &str =
    include_str!("../../../events/metrics-extractor/pipeline-started.json");
/// `events/metrics-extractor/pipeline-stopped.json`.
pub const PIPELINE_STOPPED: &str =
    include_str!("../../../events/metrics-extractor/pipeline-stopped.json");
/// `events/metrics-extractor/pipeline-succeeded.json`.
pub const PIPELINE_SUCCEEDED: &str =
    include_str!("../../../events/metrics-extractor/pipeline-succeeded.json");
/// `events/metrics-extractor/pipeline-superseded.json`.
pub const PIPELINE_SUPERSEDED: &str =
    include_str!("../../../events/metrics-extractor/pipeline-superseded.json");
/// `events/metrics-extractor/pipeline-unknown-state.json`.
pub const PIPELINE_UNKNOWN_STATE: &str =
    include_str!("../../../events/metrics-extractor/pipeline-unknown-state.json");
/// `events/metrics-extractor/stage-failed.json`.
pub const STAGE_FAILED: &str = include_str!("../../../events/metrics-extractor/stage-failed.json");
/// `events/metrics-extractor/stage-started.json`.
pub const STAGE_STARTED: &str =
    include_str!("../../../events/metrics-extractor/stage-started.json");
/// `events/metrics-extractor/stage-succeeded.json`.
pub const STAGE_SUCCEEDED: &str =
    include_str!("../../../events/metrics-extractor/stage-succeeded.json");

/// Every sample event, by file name.
pub const ALL: [(&str, &str); 18] = [
    ("action-abandoned.json", ACTION_ABANDONED),
    ("action-failed.json", ACTION_FAILED),
    ("action-started-legacy.json", ACTION_STARTED_LEGACY),
    ("action-started.json", ACTION_STARTED),
    (
        "action-succeeded-connection-source.json",
        ACTION_SUCCEEDED_CONNECTION_SOURCE,
    ),
    ("action-succeeded-source.json", ACTION_SUCCEEDED_SOURCE),
    ("pipeline-failed.json", PIPELINE_FAILED),
    ("pipeline-resumed.json", PIPELINE_RESUMED),
    ("pipeline-started-legacy.json", PIPELINE_STARTED_LEGACY),
    (
        "pipeline-started-version-string.json",
        PIPELINE_STARTED_VERSION_STRING,
    ),
    ("pipeline-started.json", PIPELINE_STARTED),
    ("pipeline-stopped.json", PIPELINE_STOPPED),
    ("pipeline-succeeded.json", PIPELINE_SUCCEEDED),
    ("pipeline-superseded.json", PIPELINE_SUPERSEDED),
    ("pipeline-unknown-state.json", PIPELINE_UNKNOWN_STATE),
    ("stage-failed.json", STAGE_FAILED),
    ("stage-started.json", STAGE_STARTED),
    ("stage-succeeded.json", STAGE_SUCCEEDED),
];

/// `events/metrics-extractor/sqs-batch.json`: an SQS event of three CodePipeline events.
pub const SQS_BATCH: &str = include_str!("../../../events/metrics-extractor/sqs-batch.json");
/// `events/metrics-extractor/sqs-batch-with-bad-records.json`: the same with a CodeCommit
/// event and a body that is not JSON in positions 2 and 3.
pub const SQS_BATCH_WITH_BAD_RECORDS: &str =
    include_str!("../../../events/metrics-extractor/sqs-batch-with-bad-records.json");

/// The message bodies of an SQS event sample.
pub fn sqs_bodies(sqs_event: &str) -> Vec<String> {
    let event: serde_json::Value = serde_json::from_str(sqs_event).unwrap();
    event["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["body"].as_str().unwrap().to_owned())
        .collect()
}

/// An RFC 3339 timestamp written in a test.
pub(crate) fn ts(text: &str) -> jiff::Timestamp {
    text.parse()
        .unwrap_or_else(|e| panic!("{text} is not a timestamp: {e}"))
}
