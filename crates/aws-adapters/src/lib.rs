//! Adapters: the AWS SDK (and Slack over HTTP) behind the ports that the domain crates
//! own. Function crates and the CLI build these; the domain crates never see the SDK.
//!
//! Approvals (the ports are in `slack_approval::ports`):
//! - [`slack_http`]: the Slack Web API over HTTPS;
//! - [`approval_store`]: the approval messages' DynamoDB table;
//! - [`approval_results`]: CodePipeline `PutApprovalResult`;
//! - [`pipeline_facts`]: the commit being approved, from CodePipeline and CodeCommit;
//! - [`slack_secrets`]: the Slack signing secret and bot token, from Secrets Manager or SSM;
//! - [`approvals_settings`]: both approval functions' environment and `approvals.yaml`;
//! - [`continuation_queue`]: the approval-handler's queue of work that continues after
//!   Slack's 3 seconds;
//! - [`approvals_env`]: all of the above built from the environment, once per container.

pub mod approval_results;
pub mod approval_store;
pub mod approvals_env;
pub mod approvals_settings;
pub mod continuation_queue;
pub mod pipeline_facts;
pub mod slack_http;
pub mod slack_secrets;

pub mod pipeline_history;
pub mod s3_rows;
