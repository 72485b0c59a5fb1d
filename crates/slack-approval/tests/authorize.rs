//! Who may decide which approval, against an approvals file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

use slack_approval::{ApprovalRef, ApprovalsConfig, Approver, Decision, DenyReason, authorize};

const CONFIG: &str = "\
version: 1
default_channel: C0DEPLOYS
team_id: T0ACME
forbid_self_approval: true
pipelines:
  - name: web-prod
    approvers: [U0ALICE, W0BOB]
    approver_groups: [S0RELEASE]
    stage: Production
    action: ApproveRelease
    app_id: A0APPROVE
  - name: api-staging
    approvers: [U0ALICE]
    forbid_self_approval: false
  - name: partner
    approvers: [U0PARTNER]
    team_id: T0PARTNER
  - name: groups-only
    approver_groups: [S0OPS]
";

fn config() -> ApprovalsConfig {
    ApprovalsConfig::from_yaml(CONFIG, "approvals.yaml").unwrap()
}

fn approval(pipeline: &str, stage: &str, action: &str) -> ApprovalRef {
    ApprovalRef {
        pipeline: pipeline.into(),
        stage: stage.into(),
        action: action.into(),
        token: "t".into(),
        commit_id: None,
        commit_author: None,
    }
}

fn web() -> ApprovalRef {
    approval("web-prod", "Production", "ApproveRelease")
}

fn who<'a>(user: &'a str, groups: &'a [String]) -> Approver<'a> {
    Approver {
        user_id: user,
        team_id: Some("T0ACME"),
        user_team_id: None,
        app_id: Some("A0APPROVE"),
        group_ids: groups,
    }
}

fn denied(reason: DenyReason) -> Decision {
    Decision::Denied { reason }
}

#[test]
fn the_table() {
    let c = config();
    let release = vec!["S0RELEASE".to_owned()];
    let ops = vec!["S0OPS".to_owned()];
    let other = vec!["S0OTHER".to_owned()];
    let cases: Vec<(&str, ApprovalRef, Approver<'_>, Option<&str>, Decision)> = vec![
        (
            "listed user",
            web(),
            who("U0ALICE", &[]),
            None,
            Decision::Allowed,
        ),
        (
            "listed W user",
            web(),
            who("W0BOB", &[]),
            None,
            Decision::Allowed,
        ),
        (
            "group member",
            web(),
            who("U0DAVE", &release),
            None,
            Decision::Allowed,
        ),
        (
            "other group",
            web(),
            who("U0DAVE", &other),
            None,
            denied(DenyReason::NotAnApprover),
        ),
        (
            "stranger",
            web(),
            who("U0MALLORY", &[]),
            None,
            denied(DenyReason::NotAnApprover),
        ),
        (
            "id compare is exact",
            web(),
            who("u0alice", &[]),
            None,
            denied(DenyReason::NotAnApprover),
        ),
        (
            "groups-only pipeline",
            approval("groups-only", "s", "a"),
            who("U0X", &ops),
            None,
            Decision::Allowed,
        ),
        (
            "groups-only, not a member",
            approval("groups-only", "s", "a"),
            who("U0X", &release),
            None,
            denied(DenyReason::NotAnApprover),
        ),
        (
            "unlisted pipeline",
            approval("secret-prod", "Production", "ApproveRelease"),
            who("U0ALICE", &[]),
            None,
            denied(DenyReason::PipelineNotConfigured {
                pipeline: "secret-prod".into(),
            }),
        ),
        (
            "pipeline names are case-sensitive",
            approval("Web-Prod", "Production", "ApproveRelease"),
            who("U0ALICE", &[]),
            None,
            denied(DenyReason::PipelineNotConfigured {
                pipeline: "Web-Prod".into(),
            }),
        ),
        (
            "wrong stage",
            approval("web-prod", "Staging", "ApproveRelease"),
            who("U0ALICE", &[]),
            None,
            denied(DenyReason::WrongStage {
                expected: "Production".into(),
            }),
        ),
        (
            "wrong action",
            approval("web-prod", "Production", "Other"),
            who("U0ALICE", &[]),
            None,
            denied(DenyReason::WrongAction {
                expected: "ApproveRelease".into(),
            }),
        ),
        (
            "any stage when none configured",
            approval("api-staging", "Whatever", "Any"),
            Approver {
                app_id: None,
                ..who("U0ALICE", &[])
            },
            None,
            Decision::Allowed,
        ),
        (
            "wrong team",
            web(),
            Approver {
                team_id: Some("T0OTHER"),
                ..who("U0ALICE", &[])
            },
            None,
            denied(DenyReason::WrongTeam {
                team_id: Some("T0OTHER".into()),
            }),
        ),
        (
            "user of another workspace in the right team's request",
            web(),
            Approver {
                user_team_id: Some("T0OTHER"),
                ..who("U0ALICE", &[])
            },
            None,
            denied(DenyReason::WrongTeam {
                team_id: Some("T0OTHER".into()),
            }),
        ),
        (
            "empty team id",
            web(),
            Approver {
                team_id: Some(""),
                user_team_id: Some("T0ACME"),
                ..who("U0ALICE", &[])
            },
            None,
            denied(DenyReason::WrongTeam {
                team_id: Some(String::new()),
            }),
        ),
        (
            "no team when one is required",
            web(),
            Approver {
                team_id: None,
                ..who("U0ALICE", &[])
            },
            None,
            denied(DenyReason::WrongTeam { team_id: None }),
        ),
        (
            "pipeline's own team overrides",
            approval("partner", "s", "a"),
            Approver {
                team_id: Some("T0PARTNER"),
                ..who("U0PARTNER", &[])
            },
            None,
            Decision::Allowed,
        ),
        (
            "default team no longer valid where overridden",
            approval("partner", "s", "a"),
            who("U0PARTNER", &[]),
            None,
            denied(DenyReason::WrongTeam {
                team_id: Some("T0ACME".into()),
            }),
        ),
        (
            "wrong app",
            web(),
            Approver {
                app_id: Some("A0OTHER"),
                ..who("U0ALICE", &[])
            },
            None,
            denied(DenyReason::WrongApp {
                app_id: Some("A0OTHER".into()),
            }),
        ),
        (
            "self-approval forbidden by default",
            web(),
            who("U0ALICE", &[]),
            Some("U0ALICE"),
            denied(DenyReason::SelfApproval),
        ),
        (
            "self-approval by a group member",
            web(),
            who("U0DAVE", &release),
            Some("U0DAVE"),
            denied(DenyReason::SelfApproval),
        ),
        (
            "someone else's commit",
            web(),
            who("U0ALICE", &[]),
            Some("U0CAROL"),
            Decision::Allowed,
        ),
        (
            "unknown author does not block",
            web(),
            who("U0ALICE", &[]),
            None,
            Decision::Allowed,
        ),
        (
            "self-approval allowed where the pipeline says so",
            approval("api-staging", "s", "a"),
            who("U0ALICE", &[]),
            Some("U0ALICE"),
            Decision::Allowed,
        ),
        (
            "not an approver comes before self-approval",
            web(),
            who("U0MALLORY", &[]),
            Some("U0MALLORY"),
            denied(DenyReason::NotAnApprover),
        ),
    ];
    for (name, approval, approver, author, expected) in cases {
        assert_eq!(
            authorize(&c, &approval, &approver, author),
            expected,
            "{name}"
        );
    }
}

#[test]
fn reasons_read_well_and_have_codes() {
    let reasons = [
        DenyReason::PipelineNotConfigured {
            pipeline: "p".into(),
        },
        DenyReason::WrongTeam { team_id: None },
        DenyReason::WrongApp { app_id: None },
        DenyReason::WrongStage {
            expected: "s".into(),
        },
        DenyReason::WrongAction {
            expected: "a".into(),
        },
        DenyReason::NotAnApprover,
        DenyReason::SelfApproval,
    ];
    let mut codes = std::collections::HashSet::new();
    for r in reasons {
        let text = r.to_string();
        assert!(text.ends_with('.'), "{text}");
        assert!(codes.insert(r.code()));
    }
}
