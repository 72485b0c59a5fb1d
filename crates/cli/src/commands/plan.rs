//! `pipeline-router plan`: the routing engine on a local git repository and a commit
//! range, printed as a table or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use pipeline_routing::{
    PlanOptions, Push, Reference, ReferenceChange, RoutingPlan, RoutingRules, plan_push,
};

use pipeline_schedules::jiff::Timestamp;

use crate::commands::check::check;
use crate::local_git::LocalGit;
use crate::render::plan_table;

/// `plan`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct PlanArgs {
    /// What to evaluate.
    #[command(flatten)]
    pub request: PlanRequest,
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
}

impl PlanArgs {
    /// Plans and prints.
    pub async fn run(self) -> Result<ExitCode> {
        let plan = plan(&self.request).await?;
        if self.json {
            crate::outln!("{}", serde_json::to_string_pretty(&plan)?);
        } else {
            crate::out!("{}", plan_table(&plan));
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// What `plan` evaluates.
#[derive(Clone, Debug, clap::Args)]
pub struct PlanRequest {
    /// The rules file.
    #[arg(long, default_value = "routing-rules.yaml")]
    pub rules: PathBuf,
    /// The local git repository.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// The CodeCommit repository name in the rules (default: the folder name, or the
    /// only repository in the rules).
    #[arg(long)]
    pub repository_name: Option<String>,
    /// The pushed branch (default: the branch checked out).
    #[arg(long, conflicts_with = "tag")]
    pub branch: Option<String>,
    /// A pushed tag instead of a branch.
    #[arg(long)]
    pub tag: Option<String>,
    /// The commit before the push; omit it for a new branch (compared with its merge
    /// base with the default branch).
    #[arg(long)]
    pub from: Option<String>,
    /// The pushed commit.
    #[arg(long, default_value = "HEAD")]
    pub to: String,
    /// When the push happens (RFC 3339, e.g. 2026-11-27T17:00:00+01:00): a pipeline under
    /// a freeze then is `frozen` (held until its `release_at`) or skipped [default: now].
    #[arg(long)]
    pub at: Option<String>,
}

/// Runs the routing engine on a local repository and a commit range. A repository name
/// the rules do not know is an error that lists the names they do.
pub async fn plan(request: &PlanRequest) -> Result<RoutingPlan> {
    let rules = check(&request.rules)?;
    let git = LocalGit::open(&request.repo)?;
    let repository = match &request.repository_name {
        Some(name) if rules.repository(name).is_some() => name.clone(),
        Some(name) => bail!(
            "the rules do not name a repository `{name}`: --repository-name must be one of {}",
            configured_names(&rules)
        ),
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
        time: None,
        pushed_by: None,
    };
    let at = match &request.at {
        Some(text) => parse_at(text)?,
        None => Timestamp::now(),
    };
    let options = PlanOptions {
        at: Some(at),
        ..PlanOptions::default()
    };
    Ok(plan_push(&rules, &push, &git, &options).await)
}

/// `--at`: an RFC 3339 instant (`2026-11-27T16:00:00Z`, `2026-11-27T17:00:00+01:00`).
fn parse_at(text: &str) -> Result<Timestamp> {
    text.trim().parse::<Timestamp>().with_context(|| {
        format!("--at `{text}`: expected an RFC 3339 time such as 2026-11-27T17:00:00+01:00")
    })
}

/// The repository names in the rules, for error messages: `a, b`.
fn configured_names(rules: &RoutingRules) -> String {
    rules
        .repositories
        .iter()
        .map(|r| r.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
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
            configured_names(rules)
        ),
    }
}
