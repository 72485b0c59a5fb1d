use std::collections::BTreeMap;

use serde::Deserialize;

use super::*;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    name: String,
    #[serde(default)]
    items: Vec<String>,
    #[serde(default)]
    nested: BTreeMap<String, Vec<String>>,
}

fn load(text: &str) -> Result<Loaded<Config>, String> {
    from_str::<Config>(text, "config.yaml", &Options::default()).map_err(|e| e.to_string())
}

fn error_of(text: &str) -> String {
    load(text).err().unwrap_or_default()
}

#[test]
fn a_plain_document_loads() {
    let loaded = load("name: a\nitems: [x, y]\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.value.name, "a");
    assert_eq!(loaded.value.items, ["x", "y"]);
}

#[test]
fn tags_are_refused_wherever_they_are() {
    let cases = [
        // The shapes of issue 10: a tagged sequence, a tag on a mapping value.
        (
            "name: a\nitems: !!python/object/apply:os.system [\"rm -rf /\"]\n",
            2,
        ),
        ("name: !!something a\n", 1),
        ("name: a\nitems: [x, !custom y]\n", 2),
        // Core-schema tags are tags too: serde_norway would read `!!str 1` as "1".
        ("name: !!str 1\n", 1),
        // A tagged mapping, deep down.
        ("name: a\nnested:\n  k:\n    - x\n    - !!map {a: b}\n", 5),
        // A tagged mapping at the root, a verbatim tag, the non-specific `!`.
        ("--- !config\nname: a\n", 1),
        ("name: !<tag:example.com,2000:x> a\n", 1),
        ("name: ! a\n", 1),
        // A tag declared through a %TAG directive.
        ("%TAG !e! tag:example.com,2000:\n---\nname: !e!thing a\n", 3),
        // A tagged key.
        ("name: a\nnested: {!k key: [x]}\n", 2),
    ];
    for (text, line) in cases {
        let error = error_of(text);
        assert!(
            error.starts_with(&format!("config.yaml:{line}:")),
            "{text:?}: {error}"
        );
        assert!(
            error.contains("YAML tags are not allowed"),
            "{text:?}: {error}"
        );
    }
}

#[test]
fn the_tag_error_names_the_tag() {
    let error = error_of("name: a\nitems: !!python/object/apply:os.system [x]\n");
    assert!(
        error.contains("(found `!!python/object/apply:os.system`)"),
        "{error}"
    );
    let error = error_of("name: !custom a\n");
    assert!(error.contains("(found `!custom`)"), "{error}");
}

#[test]
fn serde_errors_name_file_line_and_column() {
    let error = error_of("name: a\nitem: [x]\n");
    assert!(error.starts_with("config.yaml:2:1: "), "{error}");
    assert!(error.contains("unknown field `item`"), "{error}");
    assert!(
        !error.contains(" at line "),
        "the position is said once: {error}"
    );
    let error = error_of("name: a\nitems: 3\n");
    assert!(
        error.starts_with("config.yaml:2:8: items: invalid type"),
        "{error}"
    );
}

#[test]
fn malformed_yaml_names_the_line() {
    let error = error_of("name: a\nitems: [x\n");
    assert!(error.starts_with("config.yaml:"), "{error}");
    assert!(
        error.contains("config.yaml:3:") || error.contains("config.yaml:2:"),
        "{error}"
    );
}

#[test]
fn node_positions_are_kept_for_later_checks() {
    let loaded = load("name: a\nitems:\n  - x\n  - y\nnested:\n  k: [p, q]\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let source = &loaded.source;
    assert_eq!(
        source.location("name"),
        Some(Location { line: 1, column: 7 })
    );
    assert_eq!(
        source.location("items[1]"),
        Some(Location { line: 4, column: 5 })
    );
    assert_eq!(loaded.value.nested["k"], ["p", "q"]);
    assert_eq!(source.location("nested.k[1]").map(|l| l.line), Some(6));
    assert_eq!(source.location("nested.k[2]"), None);
    let error = source.error_at("items[1]", "is not allowed").to_string();
    assert_eq!(error, "config.yaml:4:5: items[1]: is not allowed");
    assert_eq!(
        source.error("whole file").to_string(),
        "config.yaml: whole file"
    );
}

#[test]
fn texts_and_files_over_the_limit_are_refused() {
    let options = Options { max_bytes: 16 };
    let text = "name: a\nitems: [x, y, z]\n";
    let error = from_str::<Config>(text, "big.yaml", &options)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert_eq!(
        error,
        "big.yaml: the file is larger than the limit of 16 bytes"
    );

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("big.yaml");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let error = from_path::<Config>(&path, &options).err();
    assert!(
        matches!(error, Some(YamlError::TooLarge { limit: 16, .. })),
        "{error:?}"
    );
    let loaded = from_path::<Config>(&path, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.value.items.len(), 3);
    assert_eq!(loaded.source.origin(), path.display().to_string());
}

#[test]
fn a_missing_file_is_a_read_error() {
    let error = from_path::<Config>(Path::new("/nonexistent/c.yaml"), &Options::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        error.starts_with("/nonexistent/c.yaml: cannot read the file"),
        "{error}"
    );
}
