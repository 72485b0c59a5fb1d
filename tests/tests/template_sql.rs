//! The Athena SQL exists once: every named query in `template.yaml` is its file in `sql/`
//! ([`integration_tests::template_sql`]). When they differ, run
//! `cargo run -p integration-tests --bin sync-template-sql`.

use std::collections::BTreeMap;

use integration_tests::template_sql::{TemplateSqlError, render, sql_files, workspace};

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
