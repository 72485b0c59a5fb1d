//! Adapters: the AWS SDK (and Slack over HTTP) behind the ports that the domain crates
//! own. Function crates and the CLI build these; the domain crates never see the SDK.

pub mod pipeline_history;
pub mod s3_rows;
