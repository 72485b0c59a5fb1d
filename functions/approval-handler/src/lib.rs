//! The `approval-handler` Lambda: Slack POSTs a click on an approval message (or the
//! reject-reason modal) through a Lambda Function URL or API Gateway HTTP API; the
//! handler verifies Slack's signature, authorizes the user, calls `PutApprovalResult`
//! and updates the message, answering within Slack's 3 seconds.
//!
//! - [`http`]: the Function URL / HTTP API request and response;
//! - [`handler`]: read the request, run the click workflow ([`slack_approval::clicks`]),
//!   or the "Release now" workflow of a held push ([`slack_approval::release`]), answer;
//! - [`aws`]: the production wiring, from the environment.
//!
//! The adapters (Slack over HTTPS, DynamoDB, secrets, `PutApprovalResult`) are in the
//! `aws-adapters` crate, shared with the `approval-requester`.

pub mod aws;
pub mod handler;
pub mod http;

pub use handler::{ApprovalHandler, FunctionHandler};
pub use http::{FunctionUrlRequest, FunctionUrlResponse};
pub use slack_approval::clicks::{MODAL_NOT_OPENED, RESULT_UNKNOWN, TRY_AGAIN};

#[cfg(test)]
mod tests;
