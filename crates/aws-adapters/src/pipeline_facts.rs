//! [`AwsPipelineFacts`]: what CodePipeline (and CodeCommit) can tell about the commit being
//! approved, the SDK adapter of [`PipelineFacts`].
//!
//! The approval notification names pipeline, stage, action and token but not the
//! execution, so: `GetPipelineState` finds the execution whose approval action holds this
//! token; `GetPipelineExecution` gives its first artifact revision (`revisionId`,
//! `revisionSummary`, `revisionUrl`); for a CodeCommit source the repository is read from
//! the revision URL and `GetCommit` gives the author's name and email. Every step is best
//! effort: a message without the commit is better than no message.

use aws_sdk_codepipeline::error::DisplayErrorContext;
use slack_approval::ports::{Author, FactsError, PipelineFacts, Revision};

fn facts_error(operation: &'static str, message: impl std::fmt::Display) -> FactsError {
    FactsError {
        operation,
        message: message.to_string(),
    }
}

/// The commit message in a `revisionSummary`: connection sources (GitHub, GitLab,
/// Bitbucket) give JSON with a `CommitMessage`, CodeCommit the message itself.
pub fn summary_message(summary: &str) -> String {
    if summary.trim_start().starts_with('{')
        && let Ok(doc) = serde_json::from_str::<serde_json::Value>(summary)
        && let Some(message) = doc.get("CommitMessage").and_then(|m| m.as_str())
    {
        return message.to_owned();
    }
    summary.to_owned()
}

/// The facts over the AWS SDK.
#[derive(Clone, Debug)]
pub struct AwsPipelineFacts {
    codepipeline: aws_sdk_codepipeline::Client,
    codecommit: aws_sdk_codecommit::Client,
}

impl AwsPipelineFacts {
    /// Over these clients.
    pub fn new(
        codepipeline: aws_sdk_codepipeline::Client,
        codecommit: aws_sdk_codecommit::Client,
    ) -> Self {
        Self {
            codepipeline,
            codecommit,
        }
    }
}

impl PipelineFacts for AwsPipelineFacts {
    async fn execution_of(
        &self,
        pipeline: &str,
        stage: &str,
        action: &str,
        token: &str,
    ) -> Result<Option<String>, FactsError> {
        let state = self
            .codepipeline
            .get_pipeline_state()
            .name(pipeline)
            .send()
            .await
            .map_err(|e| facts_error("GetPipelineState", DisplayErrorContext(e)))?;
        let execution = state
            .stage_states()
            .iter()
            .filter(|s| s.stage_name() == Some(stage))
            .find(|s| {
                s.action_states().iter().any(|a| {
                    a.action_name() == Some(action)
                        && a.latest_execution().and_then(|e| e.token()) == Some(token)
                })
            })
            .and_then(|s| s.latest_execution())
            .map(|e| e.pipeline_execution_id().to_owned());
        Ok(execution)
    }

    async fn revision(
        &self,
        pipeline: &str,
        execution_id: &str,
    ) -> Result<Option<Revision>, FactsError> {
        let output = self
            .codepipeline
            .get_pipeline_execution()
            .pipeline_name(pipeline)
            .pipeline_execution_id(execution_id)
            .send()
            .await
            .map_err(|e| facts_error("GetPipelineExecution", DisplayErrorContext(e)))?;
        let revision = output
            .pipeline_execution()
            .and_then(|e| e.artifact_revisions().first())
            .and_then(|r| {
                Some(Revision {
                    commit_id: r.revision_id()?.to_owned(),
                    message: summary_message(r.revision_summary().unwrap_or_default()),
                    url: r.revision_url().map(str::to_owned),
                })
            });
        Ok(revision)
    }

    async fn author(
        &self,
        repository: &str,
        commit_id: &str,
    ) -> Result<Option<Author>, FactsError> {
        let output = self
            .codecommit
            .get_commit()
            .repository_name(repository)
            .commit_id(commit_id)
            .send()
            .await
            .map_err(|e| {
                facts_error(
                    "GetCommit",
                    aws_sdk_codecommit::error::DisplayErrorContext(e),
                )
            })?;
        Ok(output.commit().and_then(|c| c.author()).map(|a| Author {
            name: a.name().unwrap_or_default().to_owned(),
            email: a.email().map(str::to_owned).filter(|e| !e.is_empty()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_connection_sources() {
        assert_eq!(
            summary_message(r#"{"ProviderType":"GitHub","CommitMessage":"Fix totals"}"#),
            "Fix totals"
        );
        assert_eq!(summary_message("Fix totals\n\nbody"), "Fix totals\n\nbody");
    }
}
