//! [`CodePipelineResults`]: `PutApprovalResult` through the SDK, the adapter of
//! [`ApprovalResults`].

use aws_sdk_codepipeline::error::DisplayErrorContext;
use aws_sdk_codepipeline::operation::put_approval_result::PutApprovalResultError;
use aws_sdk_codepipeline::types::{ApprovalResult, ApprovalStatus as SdkStatus};
use slack_approval::ports::{ApprovalResults, PutResultError};
use slack_approval::{ApprovalRef, ApprovalStatus};

/// `PutApprovalResult` through the SDK.
#[derive(Clone, Debug)]
pub struct CodePipelineResults {
    client: aws_sdk_codepipeline::Client,
}

impl CodePipelineResults {
    /// Over a CodePipeline client.
    pub fn new(client: aws_sdk_codepipeline::Client) -> Self {
        Self { client }
    }
}

impl ApprovalResults for CodePipelineResults {
    async fn put_result(
        &self,
        approval: &ApprovalRef,
        status: ApprovalStatus,
        summary: &str,
    ) -> Result<(), PutResultError> {
        let status = match status {
            ApprovalStatus::Approved => SdkStatus::Approved,
            ApprovalStatus::Rejected => SdkStatus::Rejected,
        };
        let result = ApprovalResult::builder()
            .status(status)
            .summary(summary)
            .build()
            .map_err(|e| PutResultError::Other(format!("invalid approval result: {e}")))?;
        let sent = self
            .client
            .put_approval_result()
            .pipeline_name(&approval.pipeline)
            .stage_name(&approval.stage)
            .action_name(&approval.action)
            .token(&approval.token)
            .result(result)
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(error) => Err(match error.as_service_error() {
                Some(PutApprovalResultError::ApprovalAlreadyCompletedException(_)) => {
                    PutResultError::AlreadyCompleted
                }
                Some(PutApprovalResultError::InvalidApprovalTokenException(_)) => {
                    PutResultError::InvalidToken
                }
                Some(
                    PutApprovalResultError::ActionNotFoundException(_)
                    | PutApprovalResultError::StageNotFoundException(_)
                    | PutApprovalResultError::PipelineNotFoundException(_),
                ) => PutResultError::NotFound(DisplayErrorContext(&error).to_string()),
                // Sent, but no answer: CodePipeline may have recorded the decision.
                _ if matches!(
                    error,
                    aws_sdk_codepipeline::error::SdkError::TimeoutError(_)
                        | aws_sdk_codepipeline::error::SdkError::ResponseError(_)
                ) =>
                {
                    PutResultError::Unknown(format!(
                        "PutApprovalResult: {}",
                        DisplayErrorContext(&error)
                    ))
                }
                _ => PutResultError::Other(format!(
                    "PutApprovalResult: {}",
                    DisplayErrorContext(&error)
                )),
            }),
        }
    }
}
