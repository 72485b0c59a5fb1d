//! Files of the repository the tests read: the sample events in `events/` and any other
//! file by its path from the repository root. A missing or unreadable file is a test
//! failure that names it.

use std::path::Path;

use serde_json::Value;

/// The text of `path`, relative to the repository root (e.g. `routing-rules.yaml`).
pub fn repository_file(path: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// The sample event `events/<path>` (e.g. `commit-filter/push-main.json`), as JSON.
pub fn sample_event(path: &str) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../events")
        .join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}
