//! The `pipeline-router` command, as a library: every subcommand is a function here, so
//! tests run exactly what the command runs.
//!
//! - `check`: validate a rules file ([`check`]);
//! - `plan`: the routing engine on a local git repository ([`plan`]);
//! - `invoke`: a function's handler on an event file, with local backends or AWS
//!   ([`invoke_commit_filter`], [`approvals`]);
//! - `slack sign`: a Slack interaction request signed as Slack would ([`approvals`]);
//! - `metrics backfill | report`: pipeline history into rows, rows into a dashboard
//!   ([`metrics`]).

pub mod approvals;
pub mod local_git;
pub mod metrics;
pub mod recording;
pub mod render;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};

use commit_filter::handler::NoSummary;
use commit_filter::{CommitFilter, HandlerOutput};
use pipeline_routing::{
    PlanOptions, Push, Reference, ReferenceChange, RoutingPlan, RoutingRules, plan_push,
};

use crate::local_git::LocalGit;
use crate::recording::RecordingStarter;

/// Reads and validates a rules file; the error names the file, line and problem.
pub fn check(rules: &Path) -> Result<RoutingRules> {
    Ok(RoutingRules::from_path(rules)?)
}

/// What `plan` evaluates.
#[derive(Clone, Debug)]
pub struct PlanRequest {
    /// The rules file.
    pub rules: PathBuf,
    /// The local git repository.
    pub repo: PathBuf,
    /// The CodeCommit repository name the rules know it by (default: the folder name, or
    /// the only repository in the rules).
    pub repository_name: Option<String>,
    /// The branch pushed (default: the branch checked out).
    pub branch: Option<String>,
    /// A tag pushed, instead of a branch.
    pub tag: Option<String>,
    /// The previous commit; none means "a new branch" (merge base / first parent).
    pub from: Option<String>,
    /// The pushed commit (default `HEAD`).
    pub to: String,
}

/// Runs the routing engine on a local repository and a commit range.
pub async fn plan(request: &PlanRequest) -> Result<RoutingPlan> {
    let rules = check(&request.rules)?;
    let git = LocalGit::open(&request.repo)?;
    let repository = match &request.repository_name {
        Some(name) => name.clone(),
        None => default_repository_name(&rules, &git)?,
    };
    let reference = match (&request.tag, &request.branch) {
        (Some(tag), _) => Reference::Tag(tag.clone()),
        (None, Some(branch)) => Reference::Branch(branch.clone()),
        (None, None) => Reference::Branch(git.current_branch()?.context(
            "HEAD is detached: name the pushed branch with --branch (or a tag with --tag)",
        )?),
    };
    let push = Push {
        event_id: "local-plan".to_owned(),
        repository,
        reference,
        change: if request.from.is_some() {
            ReferenceChange::ReferenceUpdated
        } else {
            ReferenceChange::ReferenceCreated
        },
        commit_id: git.resolve(&request.to)?,
        old_commit_id: request
            .from
            .as_deref()
            .map(|f| git.resolve(f))
            .transpose()?,
    };
    Ok(plan_push(&rules, &push, &git, &PlanOptions::default()).await)
}

fn default_repository_name(rules: &RoutingRules, git: &LocalGit) -> Result<String> {
    let folder = git.folder_name()?;
    if rules.repository(&folder).is_some() {
        return Ok(folder);
    }
    match rules.repositories.as_slice() {
        [only] => Ok(only.name.clone()),
        _ => bail!(
            "the rules do not name a repository `{folder}` (the folder name): say which with --repository-name ({})",
            rules
                .repositories
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The result of invoking the commit-filter handler locally.
#[derive(Debug)]
pub struct LocalInvocation {
    /// What the handler returned (or its error).
    pub output: std::result::Result<HandlerOutput, commit_filter::HandlerError>,
    /// The starts that were recorded instead of sent.
    pub recorded_starts: Vec<pipeline_routing::StartRequest>,
}

/// Runs the commit-filter handler on an event, with the diff from a local repository and
/// starts recorded instead of sent.
pub async fn invoke_commit_filter(
    event: serde_json::Value,
    rules: &Path,
    repo: &Path,
) -> Result<LocalInvocation> {
    let function = CommitFilter {
        rules: Arc::new(check(rules)?),
        source: LocalGit::open(repo)?,
        starter: RecordingStarter::default(),
        publisher: NoSummary,
    };
    let output = function.handle(event, None).await;
    Ok(LocalInvocation {
        output,
        recorded_starts: function.starter.requests(),
    })
}

/// Runs the commit-filter handler on an event against AWS, with the credentials and
/// region of the environment: the diff from CodeCommit, starts sent to CodePipeline.
pub async fn invoke_commit_filter_on_aws(
    event: serde_json::Value,
    rules: &Path,
) -> std::result::Result<HandlerOutput, anyhow::Error> {
    let aws = aws_config::load_from_env().await;
    let function = CommitFilter {
        rules: Arc::new(check(rules)?),
        source: commit_filter::aws::CodeCommitSource::new(
            aws_sdk_codecommit::Client::new(&aws),
            None,
        ),
        starter: commit_filter::aws::CodePipelineStarter::new(aws_sdk_codepipeline::Client::new(
            &aws,
        )),
        publisher: NoSummary,
    };
    Ok(function.handle(event, None).await?)
}

/// Reads an event file as JSON, with an error that names the file.
pub fn read_event(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the event file {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}
