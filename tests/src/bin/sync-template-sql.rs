//! Copies `sql/*.sql` into the views and named queries of `template.yaml`
//! ([`integration_tests::template_sql`]):
//!
//!     cargo run -p integration-tests --bin sync-template-sql

use std::process::ExitCode;

use integration_tests::template_sql::{render, sql_files, workspace};

fn main() -> ExitCode {
    let root = workspace();
    let path = root.join("template.yaml");
    let result = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
        .and_then(|template| {
            let sql = sql_files(&root.join("sql")).map_err(|e| e.to_string())?;
            let rendered = render(&template, &sql).map_err(|e| e.to_string())?;
            let changed = rendered != template;
            if changed {
                std::fs::write(&path, rendered)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            Ok(changed)
        });
    match result {
        Ok(true) => {
            eprintln!("template.yaml updated from sql/");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!("template.yaml already matches sql/");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
