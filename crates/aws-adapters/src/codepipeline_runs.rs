//! [`CodePipelineRuns`]: CodePipeline behind routing's [`PipelineStarter`]
//! (`StartPipelineExecution` with `sourceRevisions` and `clientRequestToken`) and the
//! scheduler's [`ExecutionHistory`] (`ListPipelineExecutions`' `sourceRevisions`).

use aws_sdk_codepipeline::error::DisplayErrorContext;
use aws_sdk_codepipeline::types::{
    PipelineExecutionStatus, SourceRevisionOverride, SourceRevisionType,
};
use pipeline_routing::{PipelineStarter, SourceError, StartRequest};
use pipeline_scheduler::ExecutionHistory;

/// How many executions, newest first, are looked through for the last one that built.
const EXECUTIONS_READ: i32 = 20;

/// A CodePipeline client that starts pipelines and reads their executions.
#[derive(Clone, Debug)]
pub struct CodePipelineRuns {
    client: aws_sdk_codepipeline::Client,
}

impl CodePipelineRuns {
    /// Over a CodePipeline client.
    pub fn new(client: aws_sdk_codepipeline::Client) -> Self {
        Self { client }
    }
}

impl PipelineStarter for CodePipelineRuns {
    async fn start(&self, request: &StartRequest) -> Result<String, SourceError> {
        let mut call = self
            .client
            .start_pipeline_execution()
            .name(&request.pipeline)
            .client_request_token(&request.client_request_token);
        if let Some(revision) = &request.source_revision {
            let override_ = SourceRevisionOverride::builder()
                .action_name(&revision.action_name)
                .revision_type(SourceRevisionType::CommitId)
                .revision_value(&revision.commit_id)
                .build()
                .map_err(|e| SourceError::new(format!("invalid source revision: {e}")))?;
            call = call.source_revisions(override_);
        }
        let output = call.send().await.map_err(|e| {
            SourceError::new(format!(
                "CodePipeline StartPipelineExecution failed: {}",
                DisplayErrorContext(e)
            ))
        })?;
        Ok(output
            .pipeline_execution_id()
            .unwrap_or_default()
            .to_owned())
    }
}

impl ExecutionHistory for CodePipelineRuns {
    async fn last_built_commit(
        &self,
        pipeline: &str,
        source_action: Option<&str>,
    ) -> Result<Option<String>, SourceError> {
        let output = self
            .client
            .list_pipeline_executions()
            .pipeline_name(pipeline)
            .max_results(EXECUTIONS_READ)
            .send()
            .await
            .map_err(|e| {
                SourceError::new(format!(
                    "CodePipeline ListPipelineExecutions failed: {}",
                    DisplayErrorContext(e)
                ))
            })?;
        // Newest first; a failed, stopped or superseded run did not build its commit.
        let built = output.pipeline_execution_summaries().iter().find(|e| {
            matches!(
                e.status(),
                Some(PipelineExecutionStatus::InProgress | PipelineExecutionStatus::Succeeded)
            )
        });
        Ok(built.and_then(|execution| {
            let revisions = execution.source_revisions();
            let revision = match source_action {
                Some(action) => revisions.iter().find(|r| r.action_name() == action),
                None => revisions.first(),
            };
            revision
                .and_then(|r| r.revision_id())
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
        }))
    }
}
