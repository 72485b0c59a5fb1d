//! The moto server: its endpoint, and fixtures created in it.
//!
//! `scripts/test.sh` installs moto and starts one server for the whole suite, exporting
//! `MOTO_ENDPOINT`. When that variable is not set (a plain `cargo test`), the first test
//! that needs moto starts it on a free port itself (`support/moto_server.py`, which makes
//! DynamoDB's conditional writes atomic as they are in AWS); it stops after 30 minutes.
//! A missing moto is a test failure with instructions, never a skipped test.

use std::net::TcpStream;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};

static ENDPOINT: OnceLock<String> = OnceLock::new();

/// The endpoint of a running moto server.
pub fn endpoint() -> String {
    ENDPOINT
        .get_or_init(|| match std::env::var("MOTO_ENDPOINT") {
            Ok(endpoint) if !endpoint.is_empty() => endpoint,
            _ => start_server(),
        })
        .clone()
}

fn start_server() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"));
    // `timeout` ends the server even though nothing waits for it.
    let launcher = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("support/moto_server.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let spawned = Command::new("timeout")
        .arg("1800")
        .arg(&python)
        .arg(&launcher)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(error) = spawned {
        panic!(
            "cannot start {python} {} ({error}): run the suite with scripts/test.sh, or `pip install -c scripts/constraints.txt \"moto[server]\"`",
            launcher.display()
        );
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return format!("http://127.0.0.1:{port}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "moto_server did not listen on port {port} within 30 s: is `moto[server]>=5.2.5` installed? scripts/test.sh installs it"
    );
}

/// Runs `tests/support/moto_fixtures.py` with `args` against the moto server (boto3 comes
/// with moto). Used for set-up that our functions never do themselves, like creating
/// pipelines and the IAM role they need.
pub fn fixture(args: &[&str]) -> String {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("support/moto_fixtures.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let output = Command::new(&python)
        .arg(&script)
        .arg("--endpoint")
        .arg(endpoint())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python} {}: {e}", script.display()));
    assert!(
        output.status.success(),
        "moto fixture {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Creates pipelines (with a CodeCommit source action named `Source`) in moto.
pub fn create_pipelines(names: &[&str]) {
    let mut args = vec!["create-pipelines"];
    args.extend_from_slice(names);
    fixture(&args);
}

/// A name no other test uses, so tests can share one moto server.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos % 100_000
    )
}

/// The ids of moto's executions of `pipeline` (CodePipeline `ListPipelineExecutions`).
pub async fn pipeline_execution_ids(pipeline: &str) -> Vec<String> {
    crate::sdk::codepipeline(&endpoint())
        .list_pipeline_executions()
        .pipeline_name(pipeline)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListPipelineExecutions {pipeline}: {e:?}"))
        .pipeline_execution_summaries()
        .iter()
        .filter_map(|s| s.pipeline_execution_id().map(str::to_owned))
        .collect()
}

/// A string attribute definition (DynamoDB `CreateTable`).
fn string_attribute(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A partition key on `name`.
fn hash_key(name: &str) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(KeyType::Hash)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A new scheduler table in moto like the template's (partition key `pk`, S); returns
/// its name. Holds, the last tick and slot claims all live in it.
pub async fn scheduler_table(client: &aws_sdk_dynamodb::Client) -> String {
    let name = unique("scheduler");
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string_attribute("pk"))
        .key_schema(hash_key("pk"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateTable {name}: {e:?}"));
    name
}

/// A new approvals table in moto as the template declares it: partition key `pk`, and the
/// global secondary index `index` (the adapter's `EXECUTION_INDEX`) on `execution_key`;
/// returns its name.
pub async fn approvals_table(client: &aws_sdk_dynamodb::Client, index: &str) -> String {
    let name = unique("approvals");
    let by_execution = GlobalSecondaryIndex::builder()
        .index_name(index)
        .key_schema(hash_key("execution_key"))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string_attribute("pk"))
        .attribute_definitions(string_attribute("execution_key"))
        .key_schema(hash_key("pk"))
        .global_secondary_indexes(by_execution)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateTable {name}: {e:?}"));
    name
}

/// A new, empty S3 bucket in moto named after `prefix`; returns its name.
pub async fn bucket(prefix: &str) -> String {
    let name = unique(prefix);
    crate::sdk::s3(&endpoint())
        .create_bucket()
        .bucket(&name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBucket {name}: {e:?}"));
    name
}

/// The content type and the bytes of `key` in moto's `bucket`.
pub async fn get_object(bucket: &str, key: &str) -> (Option<String>, Vec<u8>) {
    let object = crate::sdk::s3(&endpoint())
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetObject s3://{bucket}/{key}: {e:?}"));
    let content_type = object.content_type().map(str::to_owned);
    let bytes = object
        .body
        .collect()
        .await
        .unwrap_or_else(|e| panic!("GetObject s3://{bucket}/{key} body: {e}"))
        .into_bytes();
    (content_type, bytes.to_vec())
}

/// Puts `bytes` under `key` in moto's `bucket`.
pub async fn put_object(bucket: &str, key: &str, bytes: Vec<u8>) {
    crate::sdk::s3(&endpoint())
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(bytes.into())
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutObject s3://{bucket}/{key}: {e:?}"));
}
