//! Adapters: the AWS SDK (and Slack over HTTP) behind the ports that the domain crates
//! own. Function crates and the CLI build these; the domain crates never see the SDK.
//!
//! Holds (the port is [`pipeline_schedules::HoldStore`]):
//! - [`holds_store`]: held pushes in the scheduler's DynamoDB table;
//! - [`hold_releases`]: the "Release now" button's release (the port is
//!   `slack_approval::HoldReleases`), over a hold store and a starter.
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
//!
//! The scheduler (ports in `pipeline_scheduler` and `pipeline_routing`):
//! - [`scheduler_state`]: the last tick and slot claims in the scheduler table;
//! - [`codecommit_repository`]: branch heads (`GetBranch`) and diffs;
//! - [`codepipeline_runs`]: starts, and the commit the last execution built.
//!
//! Metrics (ports in `pipeline_metrics::ports` and `pipeline_metrics::reporter`):
//! - [`s3_rows`]: rows read back from the metrics bucket (all, or by day partition);
//! - [`pipeline_history`]: CodePipeline's history, for the backfill;
//! - [`metrics_reporter`]: the reporter's rows, HTML pages, Slack digest and holds.

pub mod approval_results;
pub mod approval_store;
pub mod approvals_env;
pub mod approvals_settings;
pub mod continuation_queue;
mod dynamo;
pub mod hold_releases;
pub mod holds_store;
pub mod metrics_reporter;
pub mod pipeline_facts;
pub mod slack_http;
pub mod slack_secrets;

pub mod codecommit_repository;
pub mod codepipeline_runs;
pub mod pipeline_history;
pub mod s3_rows;
pub mod scheduler_state;
