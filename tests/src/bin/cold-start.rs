//! Cold-start harness: runs a function binary the way Lambda does, against a local
//! Lambda Runtime API, and measures what a cold start costs.
//!
//! ```sh
//! cargo build --profile bench -p commit-filter
//! cargo run -p integration-tests --bin cold-start -- \
//!     target/release/commit-filter events/commit-filter/push-main.json 20
//! ```
//!
//! For each run it starts the binary fresh, serves it the event through the Runtime API
//! (`/2018-06-01/runtime/invocation/next`), and records: the time from spawn to the first
//! `next` request (init: config, clients, rules), the time to the response (first
//! invocation), and the peak resident memory (`VmHWM`). It prints the median and the
//! worst of each. AWS calls go to a local recorded-response double
//! (`AWS_ENDPOINT_URL`), which answers CodeCommit `GetDifferences` and CodePipeline
//! `StartPipelineExecution` from `tests/recorded/`, so the figure is the function's own
//! cost plus loopback round trips, not AWS latency.

use std::time::{Duration, Instant};

use integration_tests::runtime::{Outcome, RuntimeApi};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: cold-start <function binary> <event.json> [runs]");
        std::process::exit(2);
    }
    let binary = args[1].clone();
    let event = match std::fs::read_to_string(&args[2]) {
        Ok(event) => event,
        Err(error) => {
            eprintln!("cannot read {}: {error}", args[2]);
            std::process::exit(2);
        }
    };
    let runs: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(10);

    let double = integration_tests::AwsDouble::start().await;
    double.on(
        "CodeCommit_20150413.GetDifferences",
        vec![integration_tests::Reply::recorded(
            "codecommit/get-differences-page-4.json",
        )],
    );
    double.on(
        "CodePipeline_20150709.StartPipelineExecution",
        vec![integration_tests::Reply::recorded(
            "codepipeline/start-pipeline-execution.json",
        )],
    );
    let endpoint = double.endpoint();

    let mut init = Vec::new();
    let mut first_invoke = Vec::new();
    let mut peak_kib = Vec::new();
    for _ in 0..runs {
        match measure(&binary, &event, &endpoint).await {
            Ok((i, f, m, response)) => {
                init.push(i);
                first_invoke.push(f);
                peak_kib.push(m);
                if init.len() == 1 {
                    let shown: String = response.chars().take(160).collect();
                    println!("first response: {shown}");
                }
            }
            Err(error) => {
                eprintln!("run failed: {error}");
                std::process::exit(1);
            }
        }
    }
    report("init (spawn to first `next`)", &mut init);
    report("first invocation (spawn to response)", &mut first_invoke);
    peak_kib.sort_unstable();
    println!(
        "peak RSS: median {} KiB, max {} KiB",
        peak_kib[peak_kib.len() / 2],
        peak_kib[peak_kib.len() - 1]
    );
    let size = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
    println!("binary size: {:.1} MB", size as f64 / 1_000_000.0);
}

fn report(label: &str, values: &mut [Duration]) {
    values.sort_unstable();
    println!(
        "{label}: median {:.1} ms, max {:.1} ms ({} runs)",
        values[values.len() / 2].as_secs_f64() * 1000.0,
        values[values.len() - 1].as_secs_f64() * 1000.0,
        values.len()
    );
}

async fn measure(
    binary: &str,
    event: &str,
    aws_endpoint: &str,
) -> Result<(Duration, Duration, u64, String), String> {
    // One event per cold start: the binary's second `next` waits until it is killed.
    let runtime = RuntimeApi::start("cold-start").await;
    let request_id = runtime.push(event.to_owned());
    let address = runtime.address();

    let start = Instant::now();
    let mut child = std::process::Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "cold-start")
        .env("AWS_ENDPOINT_URL", aws_endpoint)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "cold-start")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "cold-start")
        .env(
            "AWS_REGION",
            std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into()),
        )
        .env(
            "AWS_ACCESS_KEY_ID",
            std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_else(|_| "testing".into()),
        )
        .env(
            "AWS_SECRET_ACCESS_KEY",
            std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|_| "testing".into()),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {binary}: {e}"))?;

    let deadline = start + Duration::from_secs(30);
    let mut peak = 0;
    let outcome = loop {
        peak = peak.max(peak_rss_kib(child.id()));
        let done = runtime
            .invocations()
            .into_iter()
            .find(|i| i.request_id == request_id);
        if let Some(done) = done {
            let next = runtime.first_next().unwrap_or(done.at);
            let body = match done.outcome {
                Outcome::Response(body) => body,
                Outcome::Error(error) => error.body,
            };
            break Ok((next - start, done.at - start, body));
        }
        if let Some(error) = runtime.init_error() {
            break Err(format!("init failed: {}", error.body));
        }
        if Instant::now() > deadline {
            break Err("no response within 30 s".to_owned());
        }
        if let Ok(Some(status)) = child.try_wait() {
            break Err(format!("the function exited: {status}"));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    peak = peak.max(peak_rss_kib(child.id()));
    let _ = child.kill();
    let _ = child.wait();
    outcome.map(|(init, invoke, body)| (init, invoke, peak, body))
}

/// Peak resident set size of a process, from /proc (Linux).
fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}
