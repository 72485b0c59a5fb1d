//! The Athena SQL exists once: every named query in `template.yaml` is its file in `sql/`,
//! and every view (a Glue `VIRTUAL_VIEW` table) decodes to its file's `SELECT` and
//! declared columns ([`integration_tests::template_sql`]). When they differ, run
//! `cargo run -p integration-tests --bin sync-template-sql`.

use std::collections::BTreeMap;

use integration_tests::template_sql::{
    TemplateSqlError, hive_type, render, sql_files, views, workspace,
};

fn template() -> String {
    std::fs::read_to_string(workspace().join("template.yaml")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn template_yaml_holds_exactly_the_sql_of_sql_dir() {
    let template = template();
    let sql = sql_files(&workspace().join("sql")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sql.len(), 6, "{:?}", sql.keys());
    let rendered = render(&template, &sql).unwrap_or_else(|e| panic!("{e}"));
    if rendered != template {
        let first = rendered
            .lines()
            .zip(template.lines())
            .position(|(a, b)| a != b)
            .map_or(
                rendered.lines().count().min(template.lines().count()),
                |n| n,
            );
        panic!(
            "template.yaml:{}: differs from sql/ (run `cargo run -p integration-tests --bin sync-template-sql`)",
            first + 1
        );
    }
}

#[test]
fn a_changed_query_file_makes_the_template_out_of_date() {
    let template = template();
    let mut sql = sql_files(&workspace().join("sql")).unwrap_or_else(|e| panic!("{e}"));
    let Some(dora) = sql.get_mut("dora-metrics") else {
        panic!("no sql/dora-metrics.sql");
    };
    *dora = dora.replace("'elite'", "'top'");
    let rendered = render(&template, &sql).unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(rendered, template);
    assert!(rendered.contains("THEN 'top'"));
    // Only the DORA query changed; the !Sub variables stay.
    assert!(rendered.contains("- Production: !Join"));
    assert_eq!(rendered.lines().count(), template.lines().count());
}

#[test]
fn a_query_without_its_file_and_a_file_without_its_query_are_errors() {
    let template = template();
    let mut sql = sql_files(&workspace().join("sql")).unwrap_or_else(|e| panic!("{e}"));
    let removed = sql.remove("duration-percentiles");
    match render(&template, &sql) {
        Err(TemplateSqlError::MissingFile { name, line }) => {
            assert_eq!(name, "duration-percentiles");
            assert!(
                template
                    .lines()
                    .nth(line - 1)
                    .is_some_and(|l| l.contains("QueryString"))
            );
        }
        other => panic!("{other:?}"),
    }
    if let Some(text) = removed {
        sql.insert("duration-percentiles".to_owned(), text);
    }
    sql.insert("stray".to_owned(), "SELECT 1\n".to_owned());
    assert!(matches!(
        render(&template, &sql),
        Err(TemplateSqlError::UnusedFile { name }) if name == "stray"
    ));
    assert!(render(&template, &BTreeMap::new()).is_err());
}

/// What the template's `VIRTUAL_VIEW` tables hold, read back from the YAML text.
#[derive(Debug)]
struct TemplateView {
    /// `TableInput.Name`.
    name: String,
    /// The `Fn::Base64` argument of `ViewOriginalText`, as JSON, the database name put
    /// in for `${MetricsDatabase}`.
    json: serde_json::Value,
    /// Whether `ViewOriginalText` is `/* Presto View: ` + base64 + ` */`.
    framed: bool,
    /// `StorageDescriptor.Columns`: `(name, Hive type)`.
    hive_columns: Vec<(String, String)>,
}

const DATABASE_NAME: &str = "metrics_db";

/// Every `VIRTUAL_VIEW` table in `template`.
fn template_views(template: &str) -> Vec<TemplateView> {
    let lines: Vec<&str> = template.lines().collect();
    let mut views = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        if *line != "        TableType: VIRTUAL_VIEW" {
            continue;
        }
        let start = lines[..at]
            .iter()
            .rposition(|l| l.starts_with("  ") && !l.starts_with("   "))
            .unwrap_or(0);
        let end = lines[at..]
            .iter()
            .position(|l| l.starts_with("  ") && !l.starts_with("   "))
            .map_or(lines.len(), |n| at + n);
        let resource = &lines[start..end];
        let name = resource
            .iter()
            .find_map(|l| l.strip_prefix("        Name: "))
            .unwrap_or_else(|| panic!("template.yaml:{}: a view without a name", at + 1));
        let text = resource
            .iter()
            .position(|l| l.starts_with("        ViewOriginalText:"))
            .unwrap_or_else(|| panic!("view {name}: no ViewOriginalText"));
        let framed = resource[text] == "        ViewOriginalText: !Join"
            && resource[text + 1] == "          - \"\""
            && resource[text + 2] == "          - - \"/* Presto View: \""
            && resource[text + 3] == "            - Fn::Base64: !Sub |-";
        let body: Vec<&str> = resource[text + 4..]
            .iter()
            .take_while(|l| l.starts_with(&" ".repeat(16)))
            .map(|l| &l[16..])
            .collect();
        let framed =
            framed && resource.get(text + 4 + body.len()) == Some(&"            - \" */\"");
        let json = body.join("\n").replace("${MetricsDatabase}", DATABASE_NAME);
        let json = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("view {name}: the Presto View JSON: {e}\n{json}"));
        let columns = resource
            .iter()
            .position(|l| *l == "          Columns:")
            .unwrap_or_else(|| panic!("view {name}: no StorageDescriptor.Columns"));
        let hive_columns = resource[columns + 1..]
            .iter()
            .map_while(|l| l.strip_prefix("            - {Name: "))
            .filter_map(|l| l.strip_suffix('}'))
            .filter_map(|l| l.split_once(", Type: "))
            .map(|(n, t)| (n.to_owned(), t.to_owned()))
            .collect();
        views.push(TemplateView {
            name: name.trim().to_owned(),
            json,
            framed,
            hive_columns,
        });
    }
    views
}

/// How the views of `template` differ from the view files among `sql`, one line each.
fn view_problems(template: &str, sql: &BTreeMap<String, String>) -> Vec<String> {
    let files = views(sql).unwrap_or_else(|e| panic!("{e}"));
    let deployed = template_views(template);
    let mut problems = Vec::new();
    for view in files.values() {
        let Some(t) = deployed.iter().find(|t| t.name == view.name) else {
            problems.push(format!("{}: not in template.yaml", view.name));
            continue;
        };
        let json = &t.json;
        if !t.framed {
            problems.push(format!(
                "{}: ViewOriginalText is not /* Presto View: <base64> */",
                view.name
            ));
        }
        if json["originalSql"].as_str() != Some(view.select.as_str()) {
            problems.push(format!(
                "{}: originalSql differs from sql/{}.sql",
                view.name, view.file
            ));
        }
        if json["catalog"] != "awsdatacatalog" || json["schema"] != DATABASE_NAME {
            problems.push(format!(
                "{}: catalog/schema are not awsdatacatalog/the database",
                view.name
            ));
        }
        let columns: Vec<(String, String)> = json["columns"]
            .as_array()
            .map(|c| {
                c.iter()
                    .map(|c| {
                        let field = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
                        (field("name"), field("type"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (name, kind) in &view.columns {
            match columns.iter().find(|(n, _)| n == name) {
                None => problems.push(format!("{}: column {name} is missing", view.name)),
                Some((_, k)) if k != kind => problems.push(format!(
                    "{}: column {name} is {k}, declared {kind}",
                    view.name
                )),
                Some(_) => {}
            }
        }
        if columns != view.columns {
            problems.push(format!(
                "{}: the columns differ from the declared ones",
                view.name
            ));
        }
        let hive: Vec<(String, String)> = view
            .columns
            .iter()
            .map(|(n, k)| (n.clone(), hive_type(k).unwrap_or_default().to_owned()))
            .collect();
        if t.hive_columns != hive {
            problems.push(format!(
                "{}: StorageDescriptor.Columns differ from the declared ones",
                view.name
            ));
        }
    }
    for t in &deployed {
        if !files.contains_key(&t.name) {
            problems.push(format!("{}: no sql/*.sql creates it", t.name));
        }
    }
    problems
}

#[test]
fn the_template_views_decode_to_their_files() {
    let template = template();
    let sql = sql_files(&workspace().join("sql")).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = template_views(&template)
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names, ["events_dedup", "executions"]);
    assert_eq!(view_problems(&template, &sql), Vec::<String>::new());
    // The views are tables now, not queries to run by hand.
    assert!(!template.contains("CREATE OR REPLACE VIEW"));
}

#[test]
fn a_changed_view_or_a_missing_column_is_a_difference() {
    let template = template();
    let sql = sql_files(&workspace().join("sql")).unwrap_or_else(|e| panic!("{e}"));
    // A column gone from the template's JSON.
    let without_rn = template.replace(
        ",\n                  {\"name\": \"rn\", \"type\": \"bigint\"}",
        "",
    );
    assert_ne!(without_rn, template);
    let problems = view_problems(&without_rn, &sql);
    assert!(
        problems.contains(&"events_dedup: column rn is missing".to_owned()),
        "{problems:?}"
    );
    // A column declared in the file only.
    let mut declared = sql.clone();
    if let Some(text) = declared.get_mut("2-create-view-executions") {
        *text = text.replacen(
            "-- column: commit_id varchar\n",
            "-- column: commit_id varchar\n-- column: branch varchar\n",
            1,
        );
    }
    let problems = view_problems(&template, &declared);
    assert!(
        problems.contains(&"executions: column branch is missing".to_owned()),
        "{problems:?}"
    );
    // The SELECT changed in the file.
    let mut changed = sql.clone();
    if let Some(text) = changed.get_mut("1-create-view-events-dedup") {
        *text = text.replace("WHERE rn = 1", "WHERE rn = 2");
    }
    let problems = view_problems(&template, &changed);
    assert_eq!(
        problems,
        ["events_dedup: originalSql differs from sql/1-create-view-events-dedup.sql"]
    );
    // ... and the generator writes the new SELECT.
    let rendered = render(&template, &changed).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(view_problems(&rendered, &changed), Vec::<String>::new());
}

#[test]
fn a_view_without_its_file_is_an_error() {
    let template = template();
    let mut sql = sql_files(&workspace().join("sql")).unwrap_or_else(|e| panic!("{e}"));
    sql.remove("2-create-view-executions");
    match render(&template, &sql) {
        Err(TemplateSqlError::MissingView { name, line }) => {
            assert_eq!(name, "executions");
            assert_eq!(
                template.lines().nth(line - 1),
                Some("        Name: executions")
            );
        }
        other => panic!("{other:?}"),
    }
}

/// `Columns` of the Glue table `events`, then its partition keys: `(name, Hive type)`.
fn events_table_columns(template: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = template.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == "  MetricsEventsTable:")
        .unwrap_or_else(|| panic!("no MetricsEventsTable"));
    let resource = lines[start + 1..]
        .iter()
        .take_while(|l| !l.starts_with("  ") || l.starts_with("   "))
        .copied()
        .collect::<Vec<_>>();
    let mut columns: Vec<(String, String)> = resource
        .iter()
        .filter_map(|l| l.trim().strip_prefix("- {Name: "))
        .filter_map(|l| {
            let (name, rest) = l.split_once(", Type: ")?;
            let kind = rest.split([',', '}']).next()?;
            Some((name.to_owned(), kind.to_owned()))
        })
        .collect();
    let partition = resource
        .iter()
        .position(|l| l.trim() == "PartitionKeys:")
        .unwrap_or_else(|| panic!("no PartitionKeys"));
    let key = resource[partition + 1].trim().strip_prefix("- Name: ");
    let kind = resource[partition + 2].trim().strip_prefix("Type: ");
    if let (Some(key), Some(kind)) = (key, kind) {
        columns.push((key.to_owned(), kind.to_owned()));
    }
    columns
}

#[test]
fn events_dedup_declares_every_column_of_events_then_t_and_rn() {
    // `SELECT e.*` is expanded when a query runs: a column added to the table without
    // its declaration would leave Athena a view whose columns differ ("stale").
    let template = template();
    let sql = sql_files(&workspace().join("sql")).unwrap_or_else(|e| panic!("{e}"));
    let views = views(&sql).unwrap_or_else(|e| panic!("{e}"));
    let Some(dedup) = views.get("events_dedup") else {
        panic!("no events_dedup view in sql/");
    };
    let mut expected = events_table_columns(&template);
    assert_eq!(expected.len(), 31, "{expected:?}");
    expected.push(("t".to_owned(), "timestamp".to_owned()));
    expected.push(("rn".to_owned(), "bigint".to_owned()));
    let declared: Vec<(String, String)> = dedup
        .columns
        .iter()
        .map(|(n, k)| (n.clone(), hive_type(k).unwrap_or_default().to_owned()))
        .collect();
    assert_eq!(declared, expected);
}
