//! The `summary` of `PutApprovalResult`: who decided from Slack, and why when they said.
//!
//! It is what the console and `GetPipelineState` show as the approval's comment, so it
//! names the Slack user by name and id (`Approved in Slack by jane (U123ABC)`), then the
//! reason (`: tests fail on staging`). CodePipeline accepts at most 512 characters
//! (`ApprovalResult.summary`, length 0 to 512): longer summaries are cut on a character
//! boundary and end in `…`. The name comes first and is itself capped, so the cut only
//! ever shortens the reason, never the user id.

use crate::approval::ApprovalStatus;
use crate::interaction::SlackUser;
use crate::text::{single_line, truncate_chars};

/// CodePipeline's limit on `ApprovalResult.summary`, in characters.
pub const MAX_SUMMARY_CHARS: usize = 512;

/// Longest user name kept in a summary, in characters.
const MAX_NAME_CHARS: usize = 80;

/// The summary for `status` decided by `user`, with `reason` when given (whitespace and
/// control characters collapse to single spaces). At most [`MAX_SUMMARY_CHARS`] characters.
pub fn approval_summary(status: ApprovalStatus, user: &SlackUser, reason: Option<&str>) -> String {
    let id = single_line(&user.id);
    let name = single_line(user.display_name());
    let mut summary = if name.is_empty() || name == id {
        format!("{status} in Slack by {id}")
    } else {
        format!(
            "{status} in Slack by {} ({id})",
            truncate_chars(&name, MAX_NAME_CHARS)
        )
    };
    match reason.map(single_line).filter(|r| !r.is_empty()) {
        Some(reason) => {
            summary.push_str(": ");
            summary.push_str(&reason);
        }
        None => summary.push('.'),
    }
    truncate_chars(&summary, MAX_SUMMARY_CHARS).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: Option<&str>) -> SlackUser {
        SlackUser {
            id: "U123ABC".into(),
            username: name.map(str::to_owned),
            name: None,
            team_id: None,
        }
    }

    #[test]
    fn names_the_user_and_the_reason() {
        assert_eq!(
            approval_summary(ApprovalStatus::Approved, &user(Some("jane")), None),
            "Approved in Slack by jane (U123ABC)."
        );
        assert_eq!(
            approval_summary(
                ApprovalStatus::Rejected,
                &user(None),
                Some("  tests\nfail  ")
            ),
            "Rejected in Slack by U123ABC: tests fail"
        );
        assert_eq!(
            approval_summary(ApprovalStatus::Rejected, &user(Some("jane")), Some(" ")),
            "Rejected in Slack by jane (U123ABC)."
        );
    }
}
