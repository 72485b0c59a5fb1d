use super::*;

fn parse(text: &str) -> Result<RoutingRules, String> {
    RoutingRules::from_yaml(text, "rules.yaml").map_err(|e| e.to_string())
}

#[test]
fn the_seed_cases_are_expressible() {
    let rules = parse(
        r#"
version: 1
repositories:
  - name: sandbox
    pipelines:
      - name: app
        paths: { exclude: [readme.md] }
      - name: codepipeline-customization-sandbox-pipeline-1
        paths: { include: [config_1.json] }
      - name: codepipeline-customization-sandbox-pipeline-2
        paths: { include: [config_2.json] }
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let repo = rules
        .repository("sandbox")
        .unwrap_or_else(|| panic!("repo"));
    assert_eq!(repo.pipelines.len(), 3);
    assert_eq!(
        repo.pipelines[0].paths.check("readme.md"),
        FilterMatch::Excluded("readme.md".into())
    );
    assert_eq!(
        repo.pipelines[0].paths.check("script.py"),
        FilterMatch::Included(None)
    );
    assert_eq!(
        repo.pipelines[2].paths.check("config_1.json"),
        FilterMatch::NotIncluded
    );
    assert_eq!(rules.on_diff_failure, DiffFailurePolicy::StartCandidates);
}

#[test]
fn unknown_keys_name_the_line() {
    let error = parse(
        "version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: p\n        path: { include: [a] }\n",
    )
    .err()
    .unwrap_or_default();
    assert!(error.starts_with("rules.yaml:6:"), "{error}");
    assert!(error.contains("unknown field `path`"), "{error}");
}

#[test]
fn bad_globs_name_the_line_and_the_problem() {
    let error = parse(
        "version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: p\n        paths:\n          include:\n            - \"src/[ab\"\n",
    )
    .err()
    .unwrap_or_default();
    assert!(error.starts_with("rules.yaml:8:"), "{error}");
    assert!(error.contains("missing `]`"), "{error}");
}

#[test]
fn wrong_types_and_bad_yaml_are_errors() {
    for (text, expected) in [
        ("version: 1\nrepositories: 3\n", "rules.yaml:2:"),
        ("version: [1\n", "rules.yaml:"),
        ("version: 1\n", "missing field `repositories`"),
        ("version: 2\nrepositories: []\n", "unsupported version 2"),
        (
            "version: 1\non_diff_failure: maybe\nrepositories: []\n",
            "unknown variant `maybe`",
        ),
        (
            "version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: 'bad name'\n",
            "not a valid pipeline name",
        ),
        (
            "version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: p\n      - name: p\n",
            "pipeline `p` is listed twice",
        ),
        (
            "version: 1\nrepositories:\n  - name: r\n    pipelines: []\n  - name: r\n    pipelines: []\n",
            "repository `r` is listed twice",
        ),
    ] {
        let error = parse(text).err().unwrap_or_default();
        assert!(error.contains(expected), "{text:?}: {error}");
    }
}

#[test]
fn missing_file_is_a_clear_error() {
    let error = RoutingRules::from_path(Path::new("/nonexistent/rules.yaml"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        error.starts_with("/nonexistent/rules.yaml: cannot read"),
        "{error}"
    );
}

#[test]
fn pipeline_names_are_listed_once() {
    let rules = parse(
        "version: 1\nrepositories:\n  - name: a\n    pipelines: [{name: p}, {name: q}]\n  - name: b\n    pipelines: [{name: p}]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rules.pipeline_names(), vec!["p", "q"]);
}
