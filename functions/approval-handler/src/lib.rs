//! The `approval-handler` Lambda: Slack POSTs a click on an approval message (or the
//! reject-reason modal) through a Lambda Function URL or API Gateway HTTP API; the
//! handler verifies Slack's signature, authorizes the user, calls `PutApprovalResult`
//! and updates the message, answering within Slack's 3 seconds.
//!
//! - [`http`]: the Function URL / HTTP API request and response;
//! - [`handler`]: verify, resolve, decide ([`slack_approval`]), act, answer;
//! - [`aws`]: the CodePipeline port over the SDK, and a recording one.
//!
//! The Slack client, the secrets and the approval store are shared with the requester
//! (`approval_requester::{slack, secrets, store}`).

pub mod aws;
pub mod handler;
pub mod http;

pub use handler::{ApprovalHandler, ApprovalResults, PutResultError};
pub use http::{FunctionUrlRequest, FunctionUrlResponse};

#[cfg(test)]
mod tests;
