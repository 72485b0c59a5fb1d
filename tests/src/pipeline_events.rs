//! CodePipeline's EventBridge events (`CodePipeline ... Execution State Change`), as the
//! metrics tests write their histories by hand: one envelope, one pipeline detail.

use serde_json::{Value, json};

/// The account every hand-written event comes from.
pub const ACCOUNT: &str = "123456789012";
/// The region every hand-written event comes from.
pub const REGION: &str = "eu-west-1";

/// An EventBridge `CodePipeline {detail_type} Execution State Change` event (`detail_type`
/// is `Pipeline`, `Stage` or `Action`) from [`ACCOUNT`] in [`REGION`], its resource the
/// pipeline of `detail`.
pub fn event(id: &str, time: &str, detail_type: &str, detail: Value) -> Value {
    let pipeline = detail["pipeline"].as_str().unwrap_or("");
    json!({
        "version": "0",
        "id": id,
        "detail-type": format!("CodePipeline {detail_type} Execution State Change"),
        "source": "aws.codepipeline",
        "account": ACCOUNT,
        "time": time,
        "region": REGION,
        "resources": [format!("arn:aws:codepipeline:{REGION}:{ACCOUNT}:{pipeline}")],
        "detail": detail
    })
}

/// The detail of a pipeline event: execution `exec` of `pipeline` in `state`, started at
/// `start` by `StartPipelineExecution`, attempt `attempt`.
pub fn pipeline_detail(
    pipeline: &str,
    exec: &str,
    state: &str,
    start: &str,
    attempt: u32,
) -> Value {
    json!({"pipeline": pipeline, "execution-id": exec, "state": state, "start-time": start,
           "version": 1.0, "pipeline-execution-attempt": f64::from(attempt),
           "execution-trigger": {"trigger-type": "StartPipelineExecution"}})
}
