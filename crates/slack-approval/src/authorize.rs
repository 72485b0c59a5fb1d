//! May this Slack user decide this approval? A pure function of the approvals file, the
//! approval and facts the caller resolved (the user's group memberships, the commit's
//! author).
//!
//! Checks, in order; the first that fails is the reason given:
//! 1. the pipeline is listed in the approvals file;
//! 2. the request's workspace is the allowed `team_id`, when one is set: both the
//!    payload's `team.id` (an empty one fails) and, when given, `user.team_id`;
//! 3. the request's app is the allowed `app_id`, when one is set;
//! 4. the stage and action are the configured ones, when the file names them;
//! 5. the user is one of `approvers`, or a member of one of `approver_groups`;
//! 6. when self-approval is forbidden, the user is not the commit's author. An author that
//!    could not be mapped to a Slack user does not block the approval.
//!
//! Only the user *id* is trusted; names are for display.

use std::fmt;

use crate::approval::ApprovalRef;
use crate::config::{ApprovalsConfig, PipelineApprovals};

/// Who wants to decide, as the verified interaction payload says.
#[derive(Clone, Copy, Debug)]
pub struct Approver<'a> {
    /// Slack user id.
    pub user_id: &'a str,
    /// Workspace id of the request (`team.id`, or `user.team_id` without a `team`).
    pub team_id: Option<&'a str>,
    /// The user's own workspace (`user.team_id`), when given.
    pub user_team_id: Option<&'a str>,
    /// App id of the request (`api_app_id`).
    pub app_id: Option<&'a str>,
    /// The ids of the Slack user groups the user is a member of, as resolved by the caller
    /// (only the pipeline's `approver_groups` need resolving).
    pub group_ids: &'a [String],
}

/// The answer of [`authorize`].
#[must_use]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The user may decide.
    Allowed,
    /// The user may not; `reason` says why, in words fit for the user.
    Denied {
        /// Why.
        reason: DenyReason,
    },
}

/// Why a user may not decide an approval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DenyReason {
    /// The approvals file does not list the pipeline.
    PipelineNotConfigured {
        /// The pipeline.
        pipeline: String,
    },
    /// The request comes from another workspace than the allowed one.
    WrongTeam {
        /// The request's workspace, if any.
        team_id: Option<String>,
    },
    /// The request comes through another app than the allowed one.
    WrongApp {
        /// The request's app, if any.
        app_id: Option<String>,
    },
    /// The approval is of another stage than the configured one.
    WrongStage {
        /// The configured stage.
        expected: String,
    },
    /// The approval is of another action than the configured one.
    WrongAction {
        /// The configured action.
        expected: String,
    },
    /// The user is neither an approver nor in an approver group.
    NotAnApprover,
    /// The user wrote the commit and the pipeline forbids self-approval.
    SelfApproval,
    /// The pipeline forbids self-approval and the commit's author could not be looked up
    /// (Slack or the store failed): refused rather than risk a self-approval.
    AuthorUnverified,
}

impl DenyReason {
    /// A short code for logs and metrics (`not_an_approver`, ...).
    pub const fn code(&self) -> &'static str {
        match self {
            Self::PipelineNotConfigured { .. } => "pipeline_not_configured",
            Self::WrongTeam { .. } => "wrong_team",
            Self::WrongApp { .. } => "wrong_app",
            Self::WrongStage { .. } => "wrong_stage",
            Self::WrongAction { .. } => "wrong_action",
            Self::NotAnApprover => "not_an_approver",
            Self::SelfApproval => "self_approval",
            Self::AuthorUnverified => "author_unverified",
        }
    }
}

impl fmt::Display for DenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PipelineNotConfigured { pipeline } => write!(
                f,
                "Approvals of pipeline {pipeline} cannot be decided from Slack: it is not in the approvals file. Use the console."
            ),
            Self::WrongTeam { .. } => {
                f.write_str("Approvals can only be decided from the pipeline's own Slack workspace.")
            }
            Self::WrongApp { .. } => {
                f.write_str("This message does not belong to the approvals app.")
            }
            Self::WrongStage { expected } => write!(
                f,
                "Only approvals of stage {expected} of this pipeline can be decided from Slack. Use the console."
            ),
            Self::WrongAction { expected } => write!(
                f,
                "Only approvals of action {expected} of this pipeline can be decided from Slack. Use the console."
            ),
            Self::NotAnApprover => {
                f.write_str("You are not an approver of this pipeline, so nothing was changed.")
            }
            Self::SelfApproval => f.write_str(
                "You wrote the commit being approved, and this pipeline needs someone else to approve it.",
            ),
            Self::AuthorUnverified => f.write_str(
                "This pipeline needs someone other than the commit's author to approve, and the author could not be checked just now. Nothing was changed: try again in a moment.",
            ),
        }
    }
}

fn deny(reason: DenyReason) -> Decision {
    Decision::Denied { reason }
}

/// Why approvals of `stage` / `action` of this pipeline cannot be decided from Slack by
/// anybody (the file names another stage or action), if they cannot.
fn scope_refusal(pipeline: &PipelineApprovals, stage: &str, action: &str) -> Option<DenyReason> {
    if let Some(expected) = &pipeline.stage
        && expected != stage
    {
        return Some(DenyReason::WrongStage {
            expected: expected.clone(),
        });
    }
    if let Some(expected) = &pipeline.action
        && expected != action
    {
        return Some(DenyReason::WrongAction {
            expected: expected.clone(),
        });
    }
    None
}

/// Why nobody could decide this approval from Slack, whoever clicks: the pipeline is not
/// in the approvals file, or the file allows another stage or action. The requester then
/// posts the approval without buttons, saying this.
pub fn undecidable_from_slack(
    config: &ApprovalsConfig,
    pipeline: &str,
    stage: &str,
    action: &str,
) -> Option<DenyReason> {
    match config.pipeline(pipeline) {
        None => Some(DenyReason::PipelineNotConfigured {
            pipeline: pipeline.to_owned(),
        }),
        Some(p) => scope_refusal(p, stage, action),
    }
}

/// Decides whether `who` may approve or reject `approval`.
/// `commit_author_slack_id` is the Slack id of the commit's author when known.
pub fn authorize(
    config: &ApprovalsConfig,
    approval: &ApprovalRef,
    who: &Approver<'_>,
    commit_author_slack_id: Option<&str>,
) -> Decision {
    decide(config, &approval.pipeline, who, |pipeline| {
        // Checks 4 to 6, after the workspace and app ones.
        scope_refusal(pipeline, &approval.stage, &approval.action)
            .or_else(|| approver_refusal(pipeline, who))
            .or_else(|| {
                (config.self_approval_forbidden(pipeline)
                    && commit_author_slack_id.is_some_and(|author| author == who.user_id))
                .then_some(DenyReason::SelfApproval)
            })
    })
}

/// Decides whether `who` may release a held push of `pipeline` ("Release now"): the
/// checks 1 to 3 and 5 of [`authorize`]. Any approver of the pipeline may release it,
/// whichever stage or action the file scopes its approvals to (the file lists a pipeline
/// once, so its approvers are the ones of every approval action it has); self-approval
/// does not apply (a release starts the held commit, it approves nothing).
pub fn authorize_release(config: &ApprovalsConfig, pipeline: &str, who: &Approver<'_>) -> Decision {
    decide(config, pipeline, who, |settings| {
        approver_refusal(settings, who)
    })
}

/// The checks 1 to 3 of [`authorize`] (the pipeline is listed, the workspace and app are
/// the allowed ones), then `rest` on the pipeline's settings.
fn decide<'c>(
    config: &'c ApprovalsConfig,
    pipeline: &str,
    who: &Approver<'_>,
    rest: impl FnOnce(&'c PipelineApprovals) -> Option<DenyReason>,
) -> Decision {
    let Some(settings) = config.pipeline(pipeline) else {
        return deny(DenyReason::PipelineNotConfigured {
            pipeline: pipeline.to_owned(),
        });
    };
    match workspace_refusal(config, settings, who).or_else(|| rest(settings)) {
        Some(reason) => deny(reason),
        None => Decision::Allowed,
    }
}

/// Check 2 and 3: the request's workspace and app are the allowed ones, when set.
fn workspace_refusal(
    config: &ApprovalsConfig,
    settings: &PipelineApprovals,
    who: &Approver<'_>,
) -> Option<DenyReason> {
    if let Some(team) = config.allowed_team(settings) {
        if who.team_id != Some(team) {
            return Some(DenyReason::WrongTeam {
                team_id: who.team_id.map(str::to_owned),
            });
        }
        if let Some(user_team) = who.user_team_id
            && user_team != team
        {
            return Some(DenyReason::WrongTeam {
                team_id: Some(user_team.to_owned()),
            });
        }
    }
    if let Some(app) = config.allowed_app(settings)
        && who.app_id != Some(app)
    {
        return Some(DenyReason::WrongApp {
            app_id: who.app_id.map(str::to_owned),
        });
    }
    None
}

/// Check 5: the user is listed in `approvers` or a member of one of `approver_groups`.
fn approver_refusal(settings: &PipelineApprovals, who: &Approver<'_>) -> Option<DenyReason> {
    let listed = settings.approvers.iter().any(|u| u == who.user_id);
    let in_group = settings
        .approver_groups
        .iter()
        .any(|g| who.group_ids.contains(g));
    (!listed && !in_group).then_some(DenyReason::NotAnApprover)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ApprovalsConfig {
        ApprovalsConfig {
            default_channel: Some("C1".into()),
            team_id: Some("T1".into()),
            app_id: None,
            forbid_self_approval: false,
            pipelines: vec![PipelineApprovals {
                name: "web".into(),
                approvers: vec!["U1".into()],
                approver_groups: vec!["S1".into()],
                ..PipelineApprovals::default()
            }],
        }
    }

    fn approval() -> ApprovalRef {
        ApprovalRef {
            pipeline: "web".into(),
            stage: "Approve".into(),
            action: "Manual".into(),
            token: "t".into(),
            commit_id: None,
            commit_author: None,
        }
    }

    #[test]
    fn approvers_and_group_members_are_allowed() {
        let c = config();
        let who = Approver {
            user_id: "U1",
            team_id: Some("T1"),
            user_team_id: Some("T1"),
            app_id: Some("A1"),
            group_ids: &[],
        };
        assert_eq!(authorize(&c, &approval(), &who, None), Decision::Allowed);
        let groups = ["S1".to_owned()];
        let member = Approver {
            user_id: "U9",
            group_ids: &groups,
            ..who
        };
        assert_eq!(authorize(&c, &approval(), &member, None), Decision::Allowed);
        let stranger = Approver {
            user_id: "U9",
            ..who
        };
        assert_eq!(
            authorize(&c, &approval(), &stranger, None),
            Decision::Denied {
                reason: DenyReason::NotAnApprover
            }
        );
    }

    #[test]
    fn any_approver_of_the_pipeline_may_release_its_hold_whatever_the_stage() {
        let mut c = config();
        c.pipelines[0].stage = Some("Production".into());
        let who = Approver {
            user_id: "U1",
            team_id: Some("T1"),
            user_team_id: Some("T1"),
            app_id: None,
            group_ids: &[],
        };
        assert_eq!(authorize_release(&c, "web", &who), Decision::Allowed);
        let groups = ["S1".to_owned()];
        let member = Approver {
            user_id: "U9",
            group_ids: &groups,
            ..who
        };
        assert_eq!(authorize_release(&c, "web", &member), Decision::Allowed);
        let denied = |who: &Approver<'_>, pipeline: &str| match authorize_release(&c, pipeline, who)
        {
            Decision::Denied { reason } => reason.code(),
            Decision::Allowed => "allowed",
        };
        assert_eq!(
            denied(
                &Approver {
                    user_id: "U9",
                    ..who
                },
                "web"
            ),
            "not_an_approver"
        );
        assert_eq!(
            denied(
                &Approver {
                    team_id: Some("T2"),
                    ..who
                },
                "web"
            ),
            "wrong_team"
        );
        assert_eq!(
            denied(
                &Approver {
                    user_team_id: Some("T2"),
                    ..who
                },
                "web"
            ),
            "wrong_team"
        );
        assert_eq!(denied(&who, "api"), "pipeline_not_configured");
    }
}
