//! The six function binaries end to end, run the way Lambda runs them: each test builds
//! (if needed) and spawns the real binary against a local Lambda Runtime API
//! ([`RuntimeApi`]), with its AWS SDK pointed at moto and, for what moto lacks (CodeCommit
//! diffs, `PutApprovalResult`, the approval look-ups), at the recorded-response double
//! through `AWS_ENDPOINT_URL_<SERVICE>`; Slack is the local recording server. Settings
//! and secrets are where production reads them (environment variables naming SSM
//! parameters and a Secrets Manager secret in moto). The events are the samples in
//! `events/`.
//!
//! One module per function: `commit_filter`, `approvals` (approval-requester and
//! approval-handler), `metrics` (metrics-extractor), `metrics_reporter`, `scheduler`;
//! this file builds and runs them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use approval_handler::http::{form_body, signed_request_event};
use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::files::{repository_file, sample_event as sample};
use integration_tests::runtime::{Invocation, RuntimeApi};
use integration_tests::slack::SlackServer;
use integration_tests::target::{
    GET_COMMIT, GET_DIFFERENCES, GET_MERGE_OPTIONS, GET_PIPELINE_EXECUTION as GET_EXECUTION,
    GET_PIPELINE_STATE as GET_STATE, GET_REPOSITORY, PUT_APPROVAL_RESULT as PUT_RESULT,
    START_EXECUTION,
};
use integration_tests::{AwsDouble, Reply, moto, sdk};
use pipeline_metrics::row::{self, Row, Source};
use serde_json::{Value, json};
use slack_approval::message::{APPROVE_ACTION_ID, REJECT_ACTION_ID};
use slack_approval::{ApprovalRef, SigningSecret};

/// How long one invocation may take before the test fails (a debug binary, a shared
/// machine; a healthy run takes well under a second).
const INVOCATION_TIMEOUT: Duration = Duration::from_secs(60);

const SIGNING_SECRET: &str = "e2e-signing-secret-0123456789abcdef";
const BOT_TOKEN: &str = "xoxb-e2e-bot-token";
const APPROVAL_TOKEN: &str = "3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34";

// ---------------------------------------------------------------------------------------
// Building and running the binaries

/// The six binaries, built once per test run in the test's own profile and target dir.
fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let dir = BUILT
        .get_or_init(build_binaries)
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"));
    dir.join(name)
}

/// `$CARGO build` of the function binaries into the directory this test executable was
/// built in (`<target>/<profile>/deps/<test>` → `<target>/<profile>`); cargo skips what
/// is up to date.
fn build_binaries() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("no profile directory above {}", exe.display()))?
        .to_owned();
    let target_dir = profile_dir
        .parent()
        .ok_or_else(|| format!("no target directory above {}", profile_dir.display()))?;
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_owned(),
        Some(other) => other.to_owned(),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(&cargo);
    command
        .args(["build", "--profile", &profile])
        .env("CARGO_TARGET_DIR", target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for name in [
        "commit-filter",
        "approval-requester",
        "approval-handler",
        "metrics-extractor",
        "metrics-reporter",
        "scheduler",
    ] {
        command.args(["-p", name, "--bin", name]);
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run {cargo} build: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{cargo} build of the function binaries failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(profile_dir)
}

/// A running function binary, killed when dropped. Its stdout and stderr (the JSON logs)
/// go to files that failure messages quote.
struct Function {
    name: String,
    child: Child,
    stdout: tempfile::NamedTempFile,
    stderr: tempfile::NamedTempFile,
    runtime: RuntimeApi,
}

impl Function {
    /// Starts `name` against a new Runtime API, with the Lambda variables, test
    /// credentials, the SDK pointed at moto, and `env` (which wins).
    async fn start(name: &str, env: &[(&str, String)]) -> Self {
        let path = binary(name);
        let runtime = RuntimeApi::start(name).await;
        let stdout = tempfile::NamedTempFile::new().unwrap();
        let stderr = tempfile::NamedTempFile::new().unwrap();
        let mut command = Command::new(&path);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", runtime.address().to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/12/01/[$LATEST]e2e")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", moto::endpoint())
            .env("RUST_LOG", "info")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(stdout.reopen().unwrap())
            .stderr(stderr.reopen().unwrap());
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
        Self {
            name: name.to_owned(),
            child,
            stdout,
            stderr,
            runtime,
        }
    }

    /// Serves `event` and waits for the binary's answer; fails with the binary's logs if
    /// it exits or does not answer in time.
    async fn invoke(&mut self, event: &Value) -> Invocation {
        let request_id = self.runtime.push(event.to_string());
        let deadline = Instant::now() + INVOCATION_TIMEOUT;
        loop {
            // Wakes as soon as the answer arrives; the slice only bounds how late an exit
            // of the binary is noticed.
            let slice = Duration::from_millis(250);
            if let Some(done) = self.runtime.wait_for(&request_id, slice).await {
                return done;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let init = self.runtime.init_error();
                panic!(
                    "{} exited ({status}) before answering {request_id}; init error: {init:?}\n{}",
                    self.name,
                    self.logs()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "{} did not answer {request_id} within {INVOCATION_TIMEOUT:?}\n{}",
                    self.name,
                    self.logs()
                );
            }
        }
    }

    /// Serves `event` and returns the JSON response, failing (with logs) on an error.
    async fn respond(&mut self, event: &Value) -> Value {
        let done = self.invoke(event).await;
        let Some(body) = done.response() else {
            panic!(
                "{} reported an error: {:?}\n{}",
                self.name,
                done.error(),
                self.logs()
            );
        };
        serde_json::from_str(body).unwrap_or_else(|e| {
            panic!(
                "{}: response is not JSON ({e}): {body}\n{}",
                self.name,
                self.logs()
            )
        })
    }

    /// The last lines of the binary's stdout and stderr.
    fn logs(&self) -> String {
        let tail = |file: &tempfile::NamedTempFile| {
            let text = std::fs::read_to_string(file.path()).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(40)..].join("\n")
        };
        format!(
            "--- {} stdout (tail) ---\n{}\n--- {} stderr (tail) ---\n{}",
            self.name,
            tail(&self.stdout),
            self.name,
            tail(&self.stderr)
        )
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asserts `condition`, with the function's logs in the failure message.
macro_rules! check {
    ($function:expr, $condition:expr, $($message:tt)+) => {
        assert!($condition, "{}\n{}", format!($($message)+), $function.logs())
    };
}

/// Asserts equality, with the function's logs in the failure message.
macro_rules! check_eq {
    ($function:expr, $left:expr, $right:expr, $($message:tt)+) => {
        match (&$left, &$right) {
            (left, right) => assert!(
                left == right,
                "{}\n  left: {left:?}\n right: {right:?}\n{}",
                format!($($message)+),
                $function.logs()
            ),
        }
    };
}

/// Waits (up to 10 s) until `condition` holds; returns whether it did.
async fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

/// Puts `value` in moto's SSM under a unique name; returns the name.
async fn ssm_parameter(prefix: &str, value: &str) -> String {
    let name = format!("/{}", moto::unique(prefix));
    sdk::ssm(&moto::endpoint())
        .put_parameter()
        .name(&name)
        .value(value)
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutParameter {name}: {e:?}"));
    name
}

// The parts, after the helpers and macros above that they use.
mod approvals;
mod commit_filter;
mod metrics;
mod metrics_reporter;
mod scheduler;
