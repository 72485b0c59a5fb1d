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

/// One repository `r` with one pipeline `p` whose body is `pipeline` (indented under it).
fn one_pipeline(pipeline: &str) -> String {
    let body: String = pipeline
        .lines()
        .map(|line| format!("        {line}\n"))
        .collect();
    format!("version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: p\n{body}")
}

#[test]
fn yaml_tags_are_refused_with_their_line() {
    for (pipeline, line) in [
        (
            "paths:\n  exclude: !!python/object/apply:os.system [\"echo hi\"]",
            7,
        ),
        ("branches: !!something", 6),
        ("branches:\n  include: [main, !custom x]", 7),
        ("source_action: !!str Source", 6),
    ] {
        let error = parse(&one_pipeline(pipeline)).err().unwrap_or_default();
        assert!(
            error.starts_with(&format!("rules.yaml:{line}:")),
            "{pipeline}: {error}"
        );
        assert!(
            error.contains("YAML tags are not allowed"),
            "{pipeline}: {error}"
        );
    }
}

#[test]
fn a_filter_that_is_present_must_say_something() {
    for (pipeline, line) in [
        // `branches:` left blank after commenting out its only include line.
        ("branches:\n#  include: [main]\npaths: { include: [a] }", 6),
        ("branches: ~", 6),
        ("branches: {}", 6),
        ("paths:", 6),
        ("tags:", 6),
        ("branches:\n  include:", 7),
        ("branches:\n  exclude: ~", 7),
        ("paths:\n  include: []", 7),
        ("paths:\n  exclude: []", 7),
    ] {
        let error = parse(&one_pipeline(pipeline)).err().unwrap_or_default();
        assert!(
            error.starts_with(&format!("rules.yaml:{line}:")),
            "{pipeline:?}: {error}"
        );
        assert!(error.contains("is empty"), "{pipeline:?}: {error}");
    }
    // What is still fine: an absent filter (everything), a filter with only excludes.
    let rules =
        parse(&one_pipeline("paths:\n  exclude: [\"**.md\"]")).unwrap_or_else(|e| panic!("{e}"));
    let pipeline = &rules.repositories[0].pipelines[0];
    assert!(pipeline.branches.is_everything());
    assert_eq!(
        pipeline.paths.check("a.md"),
        FilterMatch::Excluded("**.md".into())
    );
}

#[test]
fn validation_errors_name_the_line() {
    for (text, expected) in [
        (
            "version: 2\nrepositories: []\n",
            "rules.yaml:1:10: version: unsupported version 2",
        ),
        (
            "version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: p\n      - name: p\n",
            "rules.yaml:6:15: repositories[0].pipelines[1].name: repository `r`: pipeline `p` is listed twice",
        ),
        (
            "version: 1\nrepositories:\n  - name: r\n    pipelines: []\n  - name: r\n    pipelines: []\n",
            "rules.yaml:5:11: repositories[1].name: repository `r` is listed twice",
        ),
        (
            "version: 1\nrepositories:\n  - name: r\n    pipelines:\n      - name: p\n        paths: {include: [\"a\", \"src/[ab\"]}\n",
            "rules.yaml:6:32: repositories[0].pipelines[0].paths.include[1]: invalid glob `src/[ab`",
        ),
    ] {
        let error = parse(text).err().unwrap_or_default();
        assert!(
            error.starts_with(expected),
            "{text:?}:\n{error}\n{expected}"
        );
    }
}

fn limits() -> RulesLimits {
    RulesLimits {
        max_bytes: 4096,
        max_pipelines: 5,
        max_pipelines_per_repository: 3,
        max_globs_per_list: 2,
        max_glob_chars: 10,
        max_matcher_bytes: 10 * 1024 * 1024,
    }
}

fn parse_within(text: &str, limits: &RulesLimits) -> Result<RoutingRules, String> {
    RoutingRules::from_yaml_within(text, "rules.yaml", limits).map_err(|e| e.to_string())
}

fn repositories(pipelines_each: &[usize]) -> String {
    let mut text = String::from("version: 1\nrepositories:\n");
    for (r, count) in pipelines_each.iter().enumerate() {
        text.push_str(&format!("  - name: r{r}\n    pipelines:\n"));
        for p in 0..*count {
            text.push_str(&format!("      - name: p{p}\n"));
        }
    }
    text
}

#[test]
fn the_limits_are_errors_naming_the_line() {
    let limits = limits();
    assert!(parse_within(&repositories(&[3, 2]), &limits).is_ok());
    let error = parse_within(&repositories(&[4]), &limits)
        .err()
        .unwrap_or_default();
    assert!(
        error.starts_with("rules.yaml:8:9: repositories[0].pipelines[3]: repository `r0` has 4 pipelines, over the limit of 3 per repository"),
        "{error}"
    );
    let error = parse_within(&repositories(&[3, 3]), &limits)
        .err()
        .unwrap_or_default();
    assert!(
        error.starts_with(
            "rules.yaml:12:9: repositories[1].pipelines[2]: more than 5 pipelines in the file"
        ),
        "{error}"
    );
    let three_globs = one_pipeline("branches: {include: [a, b, c]}");
    let error = parse_within(&three_globs, &limits)
        .err()
        .unwrap_or_default();
    assert!(
        error.starts_with("rules.yaml:6:36: repositories[0].pipelines[0].branches.include[2]: pipeline `p`: 3 globs, over the limit of 2 per list"),
        "{error}"
    );
    let long_glob = one_pipeline("paths: {exclude: [ok, \"services/**\"]}");
    let error = parse_within(&long_glob, &limits).err().unwrap_or_default();
    assert!(
        error.starts_with("rules.yaml:6:31: repositories[0].pipelines[0].paths.exclude[1]: the glob is 11 characters long, over the limit of 10"),
        "{error}"
    );
    let big = repositories(&[1]) + &"# padding\n".repeat(500);
    let error = parse_within(&big, &limits).err().unwrap_or_default();
    assert_eq!(
        error,
        "rules.yaml: the file is larger than the limit of 4096 bytes"
    );
}

#[test]
fn the_default_limits_hold_what_the_readme_says() {
    let limits = RulesLimits::default();
    let readme = include_str!("../../../../README.md");
    for (what, value) in [
        ("file size", "1 MiB"),
        ("pipelines in the file", &limits.max_pipelines.to_string()),
        (
            "pipelines per repository",
            &limits.max_pipelines_per_repository.to_string(),
        ),
        (
            "globs per `include` or `exclude` list",
            &limits.max_globs_per_list.to_string(),
        ),
        ("characters per glob", &limits.max_glob_chars.to_string()),
        ("compiled matcher", "10 MiB"),
    ] {
        let row = format!("| {what} | {value} |");
        assert!(
            readme.contains(&row),
            "the README's limits table has no row `{row}`"
        );
    }
    assert_eq!(limits.max_bytes, 1024 * 1024);
    assert_eq!(limits.max_matcher_bytes, 10 * 1024 * 1024);
}

#[test]
fn a_matcher_over_the_size_limit_is_a_load_error_naming_the_repository() {
    let mut text = String::from(
        "version: 1\nrepositories:\n  - name: small\n    pipelines:\n      - name: ok\n  - name: mono\n    pipelines:\n",
    );
    for p in 0..30 {
        text.push_str(&format!(
            "      - name: svc-{p}\n        paths: {{include: [\"services/*/*{p}*/*.rs\"], exclude: [\"**.md\"]}}\n"
        ));
    }
    let limits = RulesLimits {
        max_matcher_bytes: 20_000,
        ..RulesLimits::default()
    };
    let error = parse_within(&text, &limits).err().unwrap_or_default();
    assert!(
        error.starts_with("rules.yaml:6:5: repositories[1]: repository `mono`: the path filters of its pipelines do not fit one matcher (30 glob(s) compile to a matcher larger than the limit of 20000 bytes)"),
        "{error}"
    );
    // Where one pipeline alone is over the limit, it is named.
    let limits = RulesLimits {
        max_matcher_bytes: 1_000,
        ..RulesLimits::default()
    };
    let error = parse_within(&text, &limits).err().unwrap_or_default();
    assert!(
        error.contains("pipeline `svc-0` alone is over the limit"),
        "{error}"
    );
    // Branch and tag filters are compiled at load too.
    let error = parse_within(
        &one_pipeline("branches: {include: [\"release/*/*/*/*\"]}"),
        &limits,
    )
    .err()
    .unwrap_or_default();
    assert!(
        error.starts_with(
            "rules.yaml:6:19: repositories[0].pipelines[0].branches: pipeline `p`: 1 glob(s) compile"
        ),
        "{error}"
    );
    assert!(parse(&text).is_ok(), "within the default limit");
}

#[test]
fn a_file_within_the_size_limit_can_still_exceed_the_matcher_limit() {
    // 100 globs of 200 characters: a 26 KB file whose path matcher is over 10 MiB.
    let globs: Vec<String> = (0..100)
        .map(|i| format!("\"{}{i}\"", "*a".repeat(99)))
        .collect();
    let text = one_pipeline(&format!("paths:\n  include: [{}]", globs.join(", ")));
    let error = parse(&text).err().unwrap_or_default();
    assert!(error.starts_with("rules.yaml:"), "{error}");
    assert!(error.contains("repository `r`"), "{error}");
    assert!(
        error.contains("larger than the limit of 10485760 bytes"),
        "{error}"
    );
}

const WITH_CALENDAR: &str = "version: 1
repositories:
  - name: monorepo
    pipelines:
      - name: api-deploy
      - name: web-deploy
schedules:
  - pipeline: api-deploy
    expression: cron(0 2 * * ? *)
    timezone: Europe/Berlin
    branch: main
freezes:
  - name: weekend
    pipelines: [\"api-*\", web-deploy]
    weekly: { timezone: Europe/Berlin, from: FRI 16:00, to: MON 08:00 }
";

#[test]
fn schedules_and_freezes_load_with_the_rules() {
    let rules = parse(WITH_CALENDAR).unwrap_or_else(|e| panic!("{e}"));
    let calendar = rules.calendar();
    assert_eq!(calendar.schedules().len(), 1);
    // Friday 2026-11-27 17:00 CET: both pipelines are frozen until Monday 08:00 CET.
    let at: pipeline_schedules::jiff::Timestamp = "2026-11-27T16:00:00Z"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let freeze = calendar
        .freeze_at("web-deploy", at)
        .unwrap_or_else(|| panic!("not frozen"));
    assert_eq!(freeze.name, "weekend");
    assert_eq!(freeze.release_at.to_string(), "2026-11-30T07:00:00Z");
    // A file without the sections has an empty calendar.
    let rules = parse(&one_pipeline("source_action: Source")).unwrap_or_else(|e| panic!("{e}"));
    assert!(rules.calendar().schedules().is_empty());
    assert_eq!(rules.calendar().freezes().count(), 0);
}

#[test]
fn a_schedule_of_an_unknown_pipeline_names_its_line() {
    let text = WITH_CALENDAR.replace("  - pipeline: api-deploy", "  - pipeline: api-deplyo");
    let error = parse(&text).err().unwrap_or_default();
    assert!(error.starts_with("rules.yaml:8:"), "{error}");
    assert!(
        error.contains("pipeline `api-deplyo` is not in the file"),
        "{error}"
    );
}

#[test]
fn a_freeze_pattern_matching_no_pipeline_names_its_line() {
    let text = WITH_CALENDAR.replace("web-deploy]", "wbe-deploy]");
    let error = parse(&text).err().unwrap_or_default();
    assert!(error.starts_with("rules.yaml:14:"), "{error}");
    assert!(
        error.contains("`wbe-deploy` matches no pipeline"),
        "{error}"
    );
}

#[test]
fn calendar_errors_name_the_rules_line() {
    let cases = [
        (
            "Europe/Berlin\n    branch",
            "Europe/Berlinn\n    branch",
            10,
            "unknown time zone",
        ),
        ("cron(0 2 * * ? *)", "cron(0 25 * * ? *)", 9, "outside 0-23"),
        (
            "to: MON 08:00",
            "to: FRI 16:00",
            15,
            "is empty (from equals to)",
        ),
    ];
    for (from, to, line, message) in cases {
        let text = WITH_CALENDAR.replace(from, to);
        let error = parse(&text).err().unwrap_or_default();
        assert!(error.starts_with(&format!("rules.yaml:{line}:")), "{error}");
        assert!(error.contains(message), "{error}");
    }
    // An empty section, as when its entries are commented out.
    let (head, _) = WITH_CALENDAR
        .split_once("freezes:")
        .unwrap_or_else(|| panic!("no freezes"));
    for empty in ["freezes: []\n", "freezes:\n#  - name: weekend\n"] {
        let error = parse(&format!("{head}{empty}")).err().unwrap_or_default();
        assert!(error.starts_with("rules.yaml:12:"), "{error}");
    }
    let tagged = WITH_CALENDAR.replace("branch: main", "branch: !!str main");
    let error = parse(&tagged).err().unwrap_or_default();
    assert!(error.starts_with("rules.yaml:11:"), "{error}");
    assert!(error.contains("YAML tags are not allowed"), "{error}");
}

#[test]
fn a_malformed_ics_names_the_ics_file_and_line() {
    let text = WITH_CALENDAR.replace(
        "weekly: { timezone: Europe/Berlin, from: FRI 16:00, to: MON 08:00 }",
        "ics: { path: company.ics }",
    );
    let error = RoutingRules::from_yaml_with(&text, "rules.yaml", &RulesLimits::default(), |_| {
        Ok(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261301T100000Z\nEND:VEVENT\nEND:VCALENDAR\n"
                .to_owned(),
        )
    })
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(error.starts_with("company.ics:3:"), "{error}");
    assert!(error.contains("freeze `weekend`"), "{error}");
    let error = RoutingRules::from_yaml_with(&text, "rules.yaml", &RulesLimits::default(), |_| {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file",
        ))
    })
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(error.starts_with("rules.yaml:15:"), "{error}");
    assert!(error.contains("company.ics"), "{error}");
}
