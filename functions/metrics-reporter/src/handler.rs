//! The handler: parse the run event, pick the day, run the reporter, map errors. Generic
//! over the ports, so the same code runs in Lambda (S3, Slack, DynamoDB) and in tests.

use function_support::ErrorType;
use jiff::Timestamp;
use pipeline_metrics::batch::format_day;
use pipeline_metrics::reporter::{
    DigestPoster, HeldPushes, ReportSink, Reporter, ReporterError, ReporterOutcome, RowSource,
};
use serde::Serialize;

use crate::event::{EventError, parse_run};

/// The reporter function over its ports.
#[derive(Clone, Debug)]
pub struct ReporterFunction<S, K, P, H> {
    /// The use case with its ports.
    pub reporter: Reporter<S, K, P, H>,
}

/// What the function answers: the day, the rows read, the keys written, the channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Response {
    /// The day reported on (`YYYY-MM-DD`).
    pub day: String,
    /// Rows read.
    pub rows: usize,
    /// Keys written.
    pub written: Vec<String>,
    /// The channel the digest went to, if any.
    pub posted_to: Option<String>,
}

impl From<&ReporterOutcome> for Response {
    fn from(o: &ReporterOutcome) -> Self {
        Response {
            day: format_day(o.day),
            rows: o.rows,
            written: o.written.clone(),
            posted_to: o.posted_to.clone(),
        }
    }
}

/// Why a run failed. Each variant is an `errorType` that can be searched for.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The event is not a run event; retrying will not help.
    #[error("malformed event")]
    MalformedEvent(#[from] EventError),
    /// The rows could not be read. Retried.
    #[error(transparent)]
    RowsUnavailable(ReporterError),
    /// A report could not be written. Retried.
    #[error(transparent)]
    WriteFailed(ReporterError),
    /// The digest could not be posted (the reports were written). Retried.
    #[error(transparent)]
    PostFailed(ReporterError),
}

impl ErrorType for HandlerError {
    fn error_type(&self) -> &'static str {
        match self {
            HandlerError::MalformedEvent(_) => "MalformedEvent",
            HandlerError::RowsUnavailable(_) => "RowsUnavailable",
            HandlerError::WriteFailed(_) => "WriteFailed",
            HandlerError::PostFailed(_) => "PostFailed",
        }
    }
}

impl From<HandlerError> for lambda_runtime::Diagnostic {
    /// The `errorType`, and the message with its causes (`what: why`).
    fn from(error: HandlerError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: error.error_type().to_owned(),
            error_message: error_chain(&error),
        }
    }
}

impl<S, K, P, H> ReporterFunction<S, K, P, H>
where
    S: RowSource + Sync,
    K: ReportSink + Sync,
    P: DigestPoster + Sync,
    H: HeldPushes + Sync,
{
    /// Handles one run event; `now` is used when the event has no time.
    pub async fn handle(
        &self,
        event: serde_json::Value,
        now: Timestamp,
    ) -> Result<Response, HandlerError> {
        let run = parse_run(event).inspect_err(|error| {
            tracing::error!(decision = "rejected", error = %error, "malformed run event");
        })?;
        let day = run.report_day(now);
        match self.reporter.run(day).await {
            Ok(outcome) => Ok(Response::from(&outcome)),
            Err(error) => {
                let chain = error_chain(&error);
                tracing::error!(decision = "failed", day = %format_day(day), error = %chain, "report not completed");
                Err(match error {
                    ReporterError::Read(_) => HandlerError::RowsUnavailable(error),
                    ReporterError::Write { .. } => HandlerError::WriteFailed(error),
                    ReporterError::Post { .. } => HandlerError::PostFailed(error),
                })
            }
        }
    }
}

/// `error: cause: cause`, for the log line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
