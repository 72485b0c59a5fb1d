//! The `approval-requester` Lambda, and the adapters both approval functions share.
//!
//! One function, two event kinds (told apart by their shape, see [`event`]):
//! - SNS approval notifications from CodePipeline: post a Block Kit message with Approve /
//!   Reject buttons to the pipeline's channel, and record where it is ([`store`]);
//! - EventBridge `CodePipeline Action Execution State Change` of `Approval` actions: when
//!   an approval ends without a click (console, CLI, timeout, stopped run), replace the
//!   message so no stale buttons are left. A click recorded by the `approval-handler`
//!   wins: its "Approved by" message is never overwritten.
//!
//! Modules:
//! - [`handler`]: parse, post or close, log; generic over the ports;
//! - [`slack`]: the Slack Web API port and its HTTPS adapter (shared with the handler);
//! - [`store`]: the DynamoDB record of each message (shared with the handler);
//! - [`secrets`]: the Slack signing secret and bot token, from Secrets Manager or SSM
//!   (shared with the handler);
//! - [`local`]: a recording Slack for local runs and tests;
//! - [`pipeline`]: the commit being approved, from CodePipeline and CodeCommit;
//! - [`config`]: settings from the environment and `approvals.yaml` (shared).

pub mod config;
pub mod event;
pub mod handler;
pub mod local;
pub mod pipeline;
pub mod secrets;
pub mod slack;
pub mod store;

pub use handler::{ApprovalRequester, HandlerError, RequesterOutput};
