//! The `X-Amz-Target` values of the operations the tests script on the [`AwsDouble`]
//! (CodeCommit 2015-04-13 and CodePipeline 2015-07-09 JSON protocols).
//!
//! [`AwsDouble`]: crate::AwsDouble

/// CodeCommit `GetDifferences`.
pub const GET_DIFFERENCES: &str = "CodeCommit_20150413.GetDifferences";
/// CodeCommit `GetMergeOptions`.
pub const GET_MERGE_OPTIONS: &str = "CodeCommit_20150413.GetMergeOptions";
/// CodeCommit `GetRepository`.
pub const GET_REPOSITORY: &str = "CodeCommit_20150413.GetRepository";
/// CodeCommit `GetCommit`.
pub const GET_COMMIT: &str = "CodeCommit_20150413.GetCommit";
/// CodePipeline `StartPipelineExecution`.
pub const START_EXECUTION: &str = "CodePipeline_20150709.StartPipelineExecution";
/// CodePipeline `GetPipelineState`.
pub const GET_PIPELINE_STATE: &str = "CodePipeline_20150709.GetPipelineState";
/// CodePipeline `GetPipelineExecution`.
pub const GET_PIPELINE_EXECUTION: &str = "CodePipeline_20150709.GetPipelineExecution";
/// CodePipeline `PutApprovalResult`.
pub const PUT_APPROVAL_RESULT: &str = "CodePipeline_20150709.PutApprovalResult";
