//! What the integration tests share: a recorded-response AWS double, the moto server, SDK
//! clients pointed at either, and throwaway git repositories.
//!
//! The functions' real SDK clients talk real HTTP in these tests. moto (started by
//! `scripts/test.sh`, or here when `MOTO_ENDPOINT` is not set) answers the operations it
//! implements; [`AwsDouble`] answers those it lacks (CodeCommit `GetDifferences`,
//! `GetMergeOptions`, CodePipeline `PutApprovalResult`) from recorded responses.

pub mod approvals;
pub mod double;
pub mod files;
pub mod git;
pub mod http;
pub mod moto;
pub mod pipeline_events;
pub mod recording;
pub mod runtime;
pub mod sdk;
pub mod slack;
pub mod target;
pub mod template_sql;

pub use double::{AwsDouble, Reply};
