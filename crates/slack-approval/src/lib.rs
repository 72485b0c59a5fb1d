//! The Slack side of CodePipeline manual approvals: request verification, Block Kit
//! messages and approver decisions. Nothing here knows about Lambda or the AWS SDK.
//!
//! The pieces, in the order an approval meets them:
//!
//! 1. [`notification`]: CodePipeline publishes an approval to SNS; parse its message.
//! 2. [`config`]: `approvals.yaml` says which channel a pipeline's approvals go to and who
//!    may approve them.
//! 3. [`message`]: the Block Kit `chat.postMessage` body with Approve / Reject buttons
//!    (the `approval-requester` function posts it), and every later update of it.
//! 4. [`verify`]: Slack POSTs a click to the `approval-handler` function; check
//!    `X-Slack-Signature` before reading anything.
//! 5. [`interaction`]: parse the form-encoded `payload=<json>` of the click
//!    (`block_actions`) or of the reject-reason modal (`view_submission`).
//! 6. [`authorize`](mod@authorize): may this Slack user decide this approval?
//! 7. [`summary`]: the `PutApprovalResult` summary naming who decided, at most 512 chars.
//! 8. [`decide`](mod@decide): all of the above in one call that tells the handler what to do.
//!
//! [`approval`] holds the approval reference carried in button values, and [`timestamp`]
//! the small UTC time type used for expiry and decision times.
//!
//! The workflows the two functions run, over ports this crate owns:
//!
//! - [`ports`]: Slack ([`SlackApi`]), the approval store ([`ApprovalStore`]),
//!   `PutApprovalResult` ([`ApprovalResults`]) and the run's facts ([`PipelineFacts`]),
//!   with typed errors; their SDK / HTTPS adapters are in the `aws-adapters` crate;
//! - [`requests`]: post an approval notification; close its message when the approval
//!   ends outside Slack (the `approval-requester`);
//! - [`clicks`]: verify, decide, then claim, put, release or replace (the
//!   `approval-handler`), with the texts shown to the clicker;
//! - [`continuation`]: one deadline per request, and the work that continues after the
//!   200 through a queue ([`Continuations`]);
//! - [`memory`]: in-memory and recording adapters for the CLI and tests;
//! - [`log`]: the `decision` values of the logs.
//!
//! Held pushes (a change freeze held a push; see `docs/schedules-and-freezes.md`):
//!
//! - [`held`]: the announcement of a held push with its "Release now" button (the
//!   `approval-requester` posts it from the routing summary), and its replacements;
//! - [`release`]: the "Release now" click (the `approval-handler`): verify, authorize
//!   ([`authorize_release`]), release through [`HoldReleases`], replace the message.

#![warn(missing_docs)]

pub mod approval;
pub mod authorize;
pub mod clicks;
pub mod config;
pub mod continuation;
pub mod decide;
pub mod fields;
pub mod held;
pub mod interaction;
pub mod log;
pub mod memory;
pub mod message;
pub mod notification;
pub mod ports;
pub mod release;
pub mod requests;
pub mod summary;
mod text;
pub mod timestamp;
pub mod verify;

pub use approval::{ApprovalRef, ApprovalRefError, ApprovalStatus};
pub use authorize::{
    Approver, Decision, DenyReason, authorize, authorize_release, undecidable_from_slack,
};
pub use clicks::Clicks;
pub use config::{ApprovalsConfig, ConfigError, PipelineApprovals};
pub use continuation::{Continuation, Continuations, Limits, QueueError, Resume};
pub use decide::{
    FactsToResolve, HttpReply, INVALID_REQUEST, Outcome, ReasonModal, Refusal, ResolvedFacts,
    ResponseUrlPolicy, Verdict, decide, decide_interaction, decide_interaction_with,
    facts_to_resolve, verify_and_parse,
};
pub use fields::FieldError;
pub use held::{AnnounceError, Announcements, HeldView, RELEASE_ACTION_ID};
pub use interaction::{BlockActions, Interaction, InteractionError, SlackUser, ViewSubmission};
pub use log::LogDecision;
pub use message::{CommitInfo, EndedReason, MessageError};
pub use notification::{ApprovalDetails, ApprovalNotification, NotificationError};
pub use ports::{
    ApprovalMessage, ApprovalResults, ApprovalStore, FactsError, PipelineFacts, PostedMessage,
    PutResultError, SlackApi, SlackError, StoreError,
};
pub use release::{HoldReleased, HoldReleases, ReleaseClicks, ReleaseFailed};
pub use requests::{RequestError, RequesterOutput, Requests};
pub use summary::{MAX_SUMMARY_CHARS, approval_summary};
pub use timestamp::{Timestamp, TimestampError};
pub use verify::{HttpRequest, SecretError, SigningSecret, VerifyError};
