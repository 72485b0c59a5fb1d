//! CodePipeline execution events as rows for Athena, and the metrics computed from them.
//!
//! The flow, one module per step:
//!
//! 1. [`event`]: tolerant serde types for the three EventBridge detail-types
//!    (`CodePipeline {Pipeline,Stage,Action} Execution State Change`).
//! 2. [`row`]: one event becomes one flat [`Row`]; its snake_case field names are the
//!    columns of the Glue table.
//! 3. [`batch`]: rows become one gzip JSON-lines object per day partition
//!    (`{prefix}/dt=YYYY-MM-DD/{batch_id}.json.gz`), and such objects are read back.
//! 4. [`metrics`]: executions, success and failure counts, durations and DORA metrics,
//!    defined exactly as the Athena queries compute them.
//! 5. [`dashboard`]: the report computed from the rows, as a self-contained HTML page
//!    (inline CSS and SVG, written with `maud`) and a plain-text summary; its `digest`,
//!    the daily Slack message.
//! 6. [`reporter`]: the daily run: read the period's partitions, write the dashboard,
//!    post the digest, over ports the adapters implement.
//!
//! The crate knows nothing of Lambda or the AWS SDK: the `metrics-extractor` function and
//! the CLI's `metrics report` adapt their inputs to these functions.

pub mod backfill;
pub mod batch;
pub mod dashboard;
pub mod event;
pub mod metrics;
pub mod ports;
pub mod reporter;
pub mod row;
pub mod utc;

pub use backfill::{BackfillRequest, BackfillSummary, backfill};
pub use batch::{BatchError, BatchObject, decode_object, encode_batch};
pub use dashboard::{Report, ReportConfig};
pub use event::{CodePipelineEvent, EventError, ExecutionState, Level, parse_event};
pub use metrics::{DoraConfig, Execution, Outcome, Tier};
pub use ports::{HistoryError, ObjectWriter, Page, PipelineHistory, WriteError};
pub use row::{Row, Source};

#[cfg(test)]
pub(crate) mod fixtures;
