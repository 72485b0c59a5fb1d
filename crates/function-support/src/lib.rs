//! Plumbing shared by the Lambda functions and the `pipeline-router` CLI, so that each
//! function's `main.rs` is wiring only:
//!
//! - [`logs`]: structured JSON logs, one line per event, SDK and HTTP crates capped at
//!   `info`;
//! - [`text`]: a configuration file's text from the bundle, a file or an SSM parameter;
//! - [`clock`]: "now" behind a trait, so that code reading the time can be tested;
//! - [`diagnostic`]: a typed error's `errorType` and message as Lambda's [`Diagnostic`];
//! - [`folder`]: object keys as files below a local folder that stands in for a bucket.
//!
//! [`Diagnostic`]: lambda_runtime::Diagnostic

pub mod clock;
pub mod diagnostic;
pub mod folder;
pub mod logs;
pub mod text;

pub use clock::{Clock, FixedClock, SystemClock};
pub use diagnostic::{ErrorType, diagnostic};
pub use text::{Bundled, LoadTextError, TextSource};
