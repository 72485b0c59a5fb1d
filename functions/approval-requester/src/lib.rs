//! The `approval-requester` Lambda.
//!
//! One function, two event kinds (told apart by their shape, see [`event`]):
//! - SNS approval notifications from CodePipeline: post a Block Kit message with Approve /
//!   Reject buttons to the pipeline's channel, and record where it is;
//! - EventBridge `CodePipeline Action Execution State Change` of `Approval` actions: when
//!   an approval ends without a click (console, CLI, timeout, stopped run), replace the
//!   message so no stale buttons are left. A click recorded by the `approval-handler`
//!   wins: its "Approved by" message is never overwritten;
//! - SNS routing summaries from commit-filter: each `frozen` decision (a push a change
//!   freeze held) is announced in the pipeline's channel with a "Release now" button
//!   ([`slack_approval::held`]).
//!
//! Modules:
//! - [`event`]: the two event kinds;
//! - [`handler`]: parse, call the workflows ([`slack_approval::requests`]), map errors;
//! - [`aws`]: the production wiring, from the environment.
//!
//! The adapters (Slack over HTTPS, DynamoDB, secrets, CodePipeline facts) are in the
//! `aws-adapters` crate, shared with the `approval-handler`.

pub mod aws;
pub mod event;
pub mod handler;

pub use handler::{ApprovalRequester, HandlerError, RequesterFunction};
pub use slack_approval::RequesterOutput;

#[cfg(test)]
mod tests;
