//! The `decision` field of the approval functions' logs: one value per outcome, the same
//! words in the code, the logs and `docs/slack-approvals.md` (its "Log decisions" table,
//! checked by a test).

use serde::Serialize;

/// What one approval log line says was done. Logged as `decision = value.as_str()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogDecision {
    /// Requester: the approval was posted to Slack.
    Posted,
    /// Requester: the approval was not posted (no channel configured for the pipeline).
    NotPosted,
    /// Requester: the event needs nothing done (another event, a start, no message).
    Ignored,
    /// Requester: the approval ended outside Slack after a click decided it: the
    /// "Approved by" message is kept.
    Kept,
    /// Requester: the approval ended outside Slack; its message was closed.
    Closed,
    /// Handler: the request was refused with 400, 401 or 405 (not Slack's, malformed).
    HttpError,
    /// Handler: a Slack interaction the approvals do not use; answered 200.
    Acknowledged,
    /// Handler: the user may not decide; told so, nothing decided.
    Refused,
    /// Handler: Reject was clicked; the reason form was opened.
    ReasonModalOpened,
    /// Handler: the reason form could not be opened; the clicker is asked to retry.
    ReasonModalNotOpened,
    /// Handler: CodePipeline recorded the approval.
    Approved,
    /// Handler: CodePipeline recorded the rejection.
    Rejected,
    /// Handler: a second click (or one after the approval ended): nothing sent.
    AlreadyDecided,
    /// Handler: CodePipeline says the approval had ended (decided, expired, gone).
    EndedElsewhere,
    /// Handler: CodePipeline did not answer in time; the result is not known.
    ResultUnknown,
    /// Handler: `PutApprovalResult` failed; nothing decided, the clicker may retry.
    PutFailed,
    /// Handler: the work did not fit in the request's budget; it continues from the queue.
    Continued,
    /// Handler: the work did not fit in the budget and could not be queued either.
    NotContinued,
    /// Requester: a held push was announced with a "Release now" button.
    Announced,
    /// Handler: "Release now": the held push was started and the hold deleted.
    Released,
    /// Handler: "Release now" on a hold that is gone or being released elsewhere.
    AlreadyReleased,
    /// Handler: "Release now" failed (store or start); the hold stays.
    ReleaseFailed,
}

impl LogDecision {
    /// Every value, in the order of the docs' table.
    pub const ALL: [LogDecision; 22] = [
        Self::Posted,
        Self::NotPosted,
        Self::Ignored,
        Self::Kept,
        Self::Closed,
        Self::HttpError,
        Self::Acknowledged,
        Self::Refused,
        Self::ReasonModalOpened,
        Self::ReasonModalNotOpened,
        Self::Approved,
        Self::Rejected,
        Self::AlreadyDecided,
        Self::EndedElsewhere,
        Self::ResultUnknown,
        Self::PutFailed,
        Self::Continued,
        Self::NotContinued,
        Self::Announced,
        Self::Released,
        Self::AlreadyReleased,
        Self::ReleaseFailed,
    ];

    /// The value as logged (and as serialized).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Posted => "posted",
            Self::NotPosted => "not_posted",
            Self::Ignored => "ignored",
            Self::Kept => "kept",
            Self::Closed => "closed",
            Self::HttpError => "http_error",
            Self::Acknowledged => "acknowledged",
            Self::Refused => "refused",
            Self::ReasonModalOpened => "reason_modal_opened",
            Self::ReasonModalNotOpened => "reason_modal_not_opened",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::AlreadyDecided => "already_decided",
            Self::EndedElsewhere => "ended_elsewhere",
            Self::ResultUnknown => "result_unknown",
            Self::PutFailed => "put_failed",
            Self::Continued => "continued",
            Self::NotContinued => "not_continued",
            Self::Announced => "announced",
            Self::Released => "released",
            Self::AlreadyReleased => "already_released",
            Self::ReleaseFailed => "release_failed",
        }
    }
}

impl std::fmt::Display for LogDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_names_match_their_json() {
        for decision in LogDecision::ALL {
            assert_eq!(
                serde_json::to_value(decision).unwrap(),
                decision.as_str(),
                "{decision:?}"
            );
        }
    }

    /// The docs' "Log decisions" table lists exactly these values, in this order.
    #[test]
    fn the_docs_table_lists_every_decision() {
        let docs = include_str!("../../../docs/slack-approvals.md");
        let table = docs
            .split("<!-- log-decisions -->")
            .nth(1)
            .expect("docs/slack-approvals.md has a <!-- log-decisions --> table");
        let documented: Vec<&str> = table
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .filter_map(|row| row.split('`').nth(1))
            .collect();
        let coded: Vec<&str> = LogDecision::ALL.iter().map(|d| d.as_str()).collect();
        assert_eq!(documented, coded);
    }

    /// Every `decision =` in the approval code names a [`LogDecision`], never a literal.
    #[test]
    fn no_literal_decision_values_in_the_approval_code() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for dir in [
            "crates/slack-approval/src",
            "functions/approval-requester/src",
            "functions/approval-handler/src",
        ] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let literal = ["decision = \"", "decision=\""]
                        .iter()
                        .any(|needle| text.contains(needle));
                    assert!(!literal, "{} logs a literal decision", path.display());
                }
            }
        }
    }
}
