//! The Athena SQL is kept once, in `sql/<name>.sql` (one file per named query, named by
//! the query's `Name` in `template.yaml`), and copied into the template's
//! `AWS::Athena::NamedQuery` resources from there: [`render`] writes each file into the
//! `QueryString` of the query with its name. `cargo run -p integration-tests --bin
//! sync-template-sql` rewrites `template.yaml`; the `template_sql` test fails when the
//! template is out of date.
//!
//! A query whose SQL holds `${...}` (template parameters such as `${DoraPeriodDays}`) is
//! written as `QueryString: !Sub [ |, {variables} ]`: the variables stay in the template,
//! the SQL in the file. This is line-based text editing, not a YAML round trip, so the
//! template keeps its comments and layout (no YAML crate keeps CloudFormation's tags and
//! comments intact on write).

use std::collections::BTreeMap;
use std::path::Path;

/// What went wrong copying the SQL into the template.
#[derive(Debug, thiserror::Error)]
pub enum TemplateSqlError {
    /// A file could not be read.
    #[error("cannot read {path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// A named query in the template has no `sql/<name>.sql`.
    #[error("template.yaml:{line}: the named query `{name}` has no sql/{name}.sql")]
    MissingFile {
        /// The query's name.
        name: String,
        /// Its line in the template.
        line: usize,
    },
    /// A file in `sql/` is not the SQL of any named query.
    #[error("sql/{name}.sql is not the SQL of any named query in template.yaml")]
    UnusedFile {
        /// The file's stem.
        name: String,
    },
    /// A `QueryString` the renderer does not know how to replace.
    #[error("template.yaml:{line}: expected `QueryString: |` or `QueryString: !Sub` then `- |`")]
    Layout {
        /// The line.
        line: usize,
    },
}

/// The SQL files of `dir`, by name (the file stem).
pub fn sql_files(dir: &Path) -> Result<BTreeMap<String, String>, TemplateSqlError> {
    let read = |path: &Path, error| TemplateSqlError::Read {
        path: path.display().to_string(),
        error,
    };
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).map_err(|e| read(dir, e))? {
        let path = entry.map_err(|e| read(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "sql")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            let text = std::fs::read_to_string(&path).map_err(|e| read(&path, e))?;
            files.insert(stem.to_owned(), text);
        }
    }
    Ok(files)
}

const NAME: &str = "      Name: ";
const QUERY: &str = "      QueryString: ";
const BODY_INDENT: usize = 8;
const SUB_BODY_INDENT: usize = 10;
const SUB_VARIABLES: &str = "        - ";

/// `template` with the `QueryString` of every named query replaced by its file in `sql`.
pub fn render(template: &str, sql: &BTreeMap<String, String>) -> Result<String, TemplateSqlError> {
    let lines: Vec<&str> = template.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut in_named_query = false;
    let mut name: Option<String> = None;
    let mut used = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("  ") && !line.starts_with("   ") {
            // A new resource.
            in_named_query = false;
            name = None;
        }
        if line == "    Type: AWS::Athena::NamedQuery" {
            in_named_query = true;
        }
        if in_named_query && let Some(value) = line.strip_prefix(NAME) {
            name = Some(value.trim().to_owned());
        }
        let Some(kind) = line.strip_prefix(QUERY).filter(|_| in_named_query) else {
            out.push(line.to_owned());
            i += 1;
            continue;
        };
        let Some(query) = name.clone() else {
            return Err(TemplateSqlError::Layout { line: i + 1 });
        };
        let Some(text) = sql.get(&query) else {
            return Err(TemplateSqlError::MissingFile {
                name: query,
                line: i + 1,
            });
        };
        used.push(query);
        // Skip the old body: the `- |` line for !Sub, then every line indented deeper.
        let (indent, mut j) = match kind.trim() {
            "|" => (BODY_INDENT, i + 1),
            "!Sub" if lines.get(i + 1).map(|l| l.trim()) == Some("- |") => (SUB_BODY_INDENT, i + 2),
            _ => return Err(TemplateSqlError::Layout { line: i + 1 }),
        };
        while j < lines.len() && is_body(&lines, j, indent) {
            j += 1;
        }
        let variables = text.contains("${");
        match (indent, variables) {
            (SUB_BODY_INDENT, true) | (BODY_INDENT, false) => {}
            _ => return Err(TemplateSqlError::Layout { line: i + 1 }),
        }
        if variables {
            out.push(format!("{QUERY}!Sub"));
            out.push(format!("{SUB_VARIABLES}|"));
        } else {
            out.push(format!("{QUERY}|"));
        }
        for sql_line in text.lines() {
            if sql_line.is_empty() {
                out.push(String::new());
            } else {
                out.push(format!("{}{sql_line}", " ".repeat(indent)));
            }
        }
        i = j;
    }
    if let Some(unused) = sql.keys().find(|k| !used.contains(k)) {
        return Err(TemplateSqlError::UnusedFile {
            name: unused.clone(),
        });
    }
    let mut rendered = out.join("\n");
    if template.ends_with('\n') {
        rendered.push('\n');
    }
    Ok(rendered)
}

/// Whether line `j` belongs to a block scalar indented by `indent`: indented that deep,
/// or blank with more of the block after it.
fn is_body(lines: &[&str], j: usize, indent: usize) -> bool {
    let deep = |l: &str| l.len() > indent && l[..indent].trim().is_empty();
    if lines[j].trim().is_empty() {
        lines[j + 1..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| deep(l))
    } else {
        deep(lines[j])
    }
}

/// The workspace root (where `template.yaml` and `sql/` are).
pub fn workspace() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}
