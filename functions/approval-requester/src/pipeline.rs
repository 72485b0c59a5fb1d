//! What CodePipeline (and CodeCommit) can tell about the commit being approved.
//!
//! The approval notification names pipeline, stage, action and token but not the
//! execution, so: `GetPipelineState` finds the execution whose approval action holds this
//! token; `GetPipelineExecution` gives its first artifact revision (`revisionId`,
//! `revisionSummary`, `revisionUrl`); for a CodeCommit source the repository is read from
//! the revision URL and `GetCommit` gives the author's name and email. Every step is best
//! effort: a message without the commit is better than no message.

use std::future::Future;

use aws_sdk_codepipeline::error::DisplayErrorContext;

/// The source revision of an execution.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Revision {
    /// Commit id (`revisionId`).
    pub commit_id: String,
    /// Commit message: `revisionSummary`, or its `CommitMessage` for connection sources.
    pub message: String,
    /// `revisionUrl`, when given.
    pub url: Option<String>,
}

/// A commit's author.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Author {
    /// Name as in the commit.
    pub name: String,
    /// Email as in the commit.
    pub email: Option<String>,
}

/// The port: look-ups in CodePipeline and CodeCommit. Errors are messages for the log.
pub trait PipelineFacts {
    /// The execution id of the approval action holding `token`.
    fn execution_of(
        &self,
        pipeline: &str,
        stage: &str,
        action: &str,
        token: &str,
    ) -> impl Future<Output = Result<Option<String>, String>> + Send;

    /// The execution's first source revision.
    fn revision(
        &self,
        pipeline: &str,
        execution_id: &str,
    ) -> impl Future<Output = Result<Option<Revision>, String>> + Send;

    /// The author of a CodeCommit commit.
    fn author(
        &self,
        repository: &str,
        commit_id: &str,
    ) -> impl Future<Output = Result<Option<Author>, String>> + Send;
}

/// The CodeCommit repository named in a console commit URL, like
/// `https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/web/commit/9fce…`
/// or the older `…/codecommit/home#/repository/web/commit/9fce…`.
pub fn codecommit_repository(url: &str) -> Option<&str> {
    if !url.contains("codecommit") {
        return None;
    }
    let rest = ["/repositories/", "/repository/"]
        .iter()
        .find_map(|marker| url.split_once(marker).map(|(_, rest)| rest))?;
    let (name, after) = rest.split_once('/')?;
    (after.starts_with("commit/") && !name.is_empty()).then_some(name)
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

/// The port over the AWS SDK.
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
    ) -> Result<Option<String>, String> {
        let state = self
            .codepipeline
            .get_pipeline_state()
            .name(pipeline)
            .send()
            .await
            .map_err(|e| format!("GetPipelineState: {}", DisplayErrorContext(e)))?;
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
    ) -> Result<Option<Revision>, String> {
        let output = self
            .codepipeline
            .get_pipeline_execution()
            .pipeline_name(pipeline)
            .pipeline_execution_id(execution_id)
            .send()
            .await
            .map_err(|e| format!("GetPipelineExecution: {}", DisplayErrorContext(e)))?;
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

    async fn author(&self, repository: &str, commit_id: &str) -> Result<Option<Author>, String> {
        let output = self
            .codecommit
            .get_commit()
            .repository_name(repository)
            .commit_id(commit_id)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "GetCommit: {}",
                    aws_sdk_codecommit::error::DisplayErrorContext(e)
                )
            })?;
        Ok(output.commit().and_then(|c| c.author()).map(|a| Author {
            name: a.name().unwrap_or_default().to_owned(),
            email: a.email().map(str::to_owned).filter(|e| !e.is_empty()),
        }))
    }
}

/// No look-ups: for local runs without AWS.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoPipelineFacts;

impl PipelineFacts for NoPipelineFacts {
    async fn execution_of(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<Option<String>, String> {
        Ok(None)
    }

    async fn revision(&self, _: &str, _: &str) -> Result<Option<Revision>, String> {
        Ok(None)
    }

    async fn author(&self, _: &str, _: &str) -> Result<Option<Author>, String> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_from_console_urls() {
        assert_eq!(
            codecommit_repository(
                "https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/web-app/commit/9fceb02?region=eu-west-1"
            ),
            Some("web-app")
        );
        assert_eq!(
            codecommit_repository(
                "https://console.aws.amazon.com/codecommit/home#/repository/monorepo/commit/abc"
            ),
            Some("monorepo")
        );
        assert_eq!(
            codecommit_repository("https://github.com/acme/web/commit/abc"),
            None
        );
    }

    #[test]
    fn messages_of_connection_sources() {
        assert_eq!(
            summary_message(r#"{"ProviderType":"GitHub","CommitMessage":"Fix totals"}"#),
            "Fix totals"
        );
        assert_eq!(summary_message("Fix totals\n\nbody"), "Fix totals\n\nbody");
    }
}
