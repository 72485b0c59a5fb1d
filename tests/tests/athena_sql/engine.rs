//! The embedded Athena: `tests/support/athena_sql.py` (DuckDB with Trino's semantics) run
//! as a process, on the fixture's objects or on one query.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use jiff::civil::Date;
use pipeline_metrics::batch::format_day;
use serde_json::Value;

use crate::fixture::{PREFIX, PROD};

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("support/athena_sql.py")
}

/// The script run with `args`, to its end.
fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(python())
        .arg(script())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{} {}: {e}", python(), script().display()))
}

/// The arguments of a run over the objects under `dir` (the fixture's layout), the
/// production pipeline [`PROD`], the period `days` days up to `today`.
fn period_args(dir: &Path, today: Date, days: u32) -> Vec<String> {
    vec![
        "--rows".to_owned(),
        dir.join(PREFIX).display().to_string(),
        "--today".to_owned(),
        format_day(today),
        "--param".to_owned(),
        format!("Production={PROD}"),
        "--param".to_owned(),
        format!("MetricsPeriodDays={days}"),
    ]
}

/// Every query's rows from DuckDB, by query name (and `executions`, the view).
pub(crate) fn athena(dir: &Path, today: Date, days: u32) -> BTreeMap<String, Vec<Value>> {
    let out = run(period_args(dir, today, days));
    assert!(
        out.status.success(),
        "athena_sql.py failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let all: BTreeMap<String, Value> =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    all.into_iter()
        .map(|(k, v)| (k, v.as_array().cloned().unwrap_or_default()))
        .collect()
}

/// Runs the queries of the folder `sql` (views first, each view's columns checked against
/// its `-- column:` lines) over the objects under `dir`; `(exit code, stderr)`.
pub(crate) fn run_sql_dir(sql: &Path, dir: &Path, today: Date) -> (Option<i32>, String) {
    let mut args = period_args(dir, today, 7);
    args.extend(["--sql".to_owned(), sql.display().to_string()]);
    let out = run(args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the engine's division check on one query; `(exit code, stderr)`.
pub(crate) fn check_sql(sql: &str) -> (Option<i32>, String) {
    let out = run(["--check-sql", sql]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
