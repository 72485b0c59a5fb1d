//! The Athena SQL is kept once, in `sql/<name>.sql`, and copied into `template.yaml` from
//! there. `cargo run -p integration-tests --bin sync-template-sql` rewrites the template;
//! the `template_sql` test fails when it is out of date.
//!
//! - A file holding `CREATE OR REPLACE VIEW <view> AS <select>` is a **view** ([`View`]):
//!   [`render`] writes it into the `AWS::Glue::Table` of `TableType: VIRTUAL_VIEW` named
//!   `<view>`, the way Athena stores its own views: `ViewOriginalText` is `/* Presto View:
//!   <base64 of {"originalSql", "catalog", "schema", "columns"}> */` and
//!   `StorageDescriptor.Columns` the same columns in Hive types. The file declares the
//!   view's columns in its leading comment, one `-- column: <name> <trino type>` line
//!   each, in the order the `SELECT` returns them (Glue cannot infer them; Athena refuses
//!   a view whose stored columns differ from what its query returns, "stale" view).
//! - Every other file is the `QueryString` of the `AWS::Athena::NamedQuery` whose `Name`
//!   is the file's stem.
//!
//! A query whose SQL holds `${...}` (template parameters such as `${MetricsPeriodDays}`) is
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
    /// A `VIRTUAL_VIEW` table in the template whose view no file in `sql/` creates.
    #[error("template.yaml:{line}: the view `{name}` has no sql/*.sql that creates it")]
    MissingView {
        /// The view's name.
        name: String,
        /// Its line in the template.
        line: usize,
    },
    /// A `VIRTUAL_VIEW` table without both a `ViewOriginalText` and a
    /// `StorageDescriptor.Columns` for the renderer to replace.
    #[error(
        "template.yaml:{line}: a view needs `ViewOriginalText:` (under TableInput) and `Columns:` (under StorageDescriptor)"
    )]
    ViewLayout {
        /// The line of the table's name.
        line: usize,
    },
    /// A view file the renderer cannot turn into a Glue view.
    #[error("sql/{file}.sql: {problem}")]
    BadView {
        /// The file's stem.
        file: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// A view: `CREATE OR REPLACE VIEW <name> AS <select>` and its declared columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The file's stem in `sql/`.
    pub file: String,
    /// The view's name (a Glue table in the metrics database).
    pub name: String,
    /// The `SELECT` after `AS`: the view's `originalSql`.
    pub select: String,
    /// `(name, Trino type)` of each column, in order, from the `-- column:` lines.
    pub columns: Vec<(String, String)>,
}

const CREATE_VIEW: &str = "CREATE OR REPLACE VIEW ";
const COLUMN: &str = "-- column:";

impl View {
    /// The view in `text` (the file `file`), or `None` when the file is not a view: its
    /// first statement (after the leading `--` comments) is not `CREATE OR REPLACE VIEW`.
    pub fn parse(file: &str, text: &str) -> Result<Option<View>, TemplateSqlError> {
        let bad = |problem: String| TemplateSqlError::BadView {
            file: file.to_owned(),
            problem,
        };
        let mut lines = text.lines();
        let mut columns = Vec::new();
        let create = loop {
            let Some(line) = lines.next() else {
                return Ok(None);
            };
            if let Some(column) = line.strip_prefix(COLUMN) {
                let mut words = column.split_whitespace();
                match (words.next(), words.next(), words.next()) {
                    (Some(name), Some(kind), None) => {
                        hive_type(kind).ok_or_else(|| {
                            bad(format!("column `{name}`: unknown Trino type `{kind}`"))
                        })?;
                        columns.push((name.to_owned(), kind.to_owned()));
                    }
                    _ => {
                        return Err(bad(format!(
                            "expected `{COLUMN} <name> <type>`, got `{line}`"
                        )));
                    }
                }
            } else if !line.starts_with("--") && !line.trim().is_empty() {
                break line;
            }
        };
        let Some(rest) = create.strip_prefix(CREATE_VIEW) else {
            return Ok(None);
        };
        let Some(name) = rest.strip_suffix(" AS").filter(|n| !n.contains(' ')) else {
            return Err(bad(format!(
                "expected `{CREATE_VIEW}<view> AS` alone on its line"
            )));
        };
        let select = lines.collect::<Vec<_>>().join("\n").trim_end().to_owned();
        if select.contains("${") {
            return Err(bad(
                "`${` in a view: the template's !Sub would replace it".to_owned()
            ));
        }
        if columns.is_empty() {
            return Err(bad(format!(
                "a view declares its columns: `{COLUMN} <name> <type>` lines"
            )));
        }
        Ok(Some(View {
            file: file.to_owned(),
            name: name.to_owned(),
            select,
            columns,
        }))
    }

    /// The JSON inside `/* Presto View: <base64> */`, with `${MetricsDatabase}` for the
    /// schema (the template's `!Sub` puts the database name there), one column per line.
    pub fn presto_json(&self) -> String {
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|(name, kind)| {
                format!(
                    "{{\"name\": {}, \"type\": {}}}",
                    serde_json::Value::from(name.as_str()),
                    serde_json::Value::from(kind.as_str())
                )
            })
            .collect();
        format!(
            "{{\"originalSql\": {},\n \"catalog\": \"awsdatacatalog\",\n \"schema\": \"${{{DATABASE}}}\",\n \"columns\": [\n  {}]}}",
            serde_json::Value::from(self.select.as_str()),
            columns.join(",\n  ")
        )
    }
}

/// The logical id of the Glue database resource, whose `Ref` is the database name.
pub const DATABASE: &str = "MetricsDatabase";

/// The Hive (Glue `StorageDescriptor`) name of a Trino type, for the types views use.
pub fn hive_type(trino: &str) -> Option<&'static str> {
    Some(match trino {
        "varchar" => "string",
        "integer" => "int",
        "bigint" => "bigint",
        "double" => "double",
        "boolean" => "boolean",
        "date" => "date",
        "timestamp(3)" => "timestamp",
        _ => return None,
    })
}

/// The views among `sql` (see [`View::parse`]), by view name.
pub fn views(sql: &BTreeMap<String, String>) -> Result<BTreeMap<String, View>, TemplateSqlError> {
    let mut views = BTreeMap::new();
    for (file, text) in sql {
        if let Some(view) = View::parse(file, text)? {
            views.insert(view.name.clone(), view);
        }
    }
    Ok(views)
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

/// `template` with every view and named query replaced by its file in `sql`: the
/// `ViewOriginalText` and `StorageDescriptor.Columns` of each `VIRTUAL_VIEW` table, the
/// `QueryString` of each named query.
pub fn render(template: &str, sql: &BTreeMap<String, String>) -> Result<String, TemplateSqlError> {
    let views = views(sql)?;
    let queries: BTreeMap<String, String> = sql
        .iter()
        .filter(|(file, _)| !views.values().any(|v| &v.file == *file))
        .map(|(file, text)| (file.clone(), text.clone()))
        .collect();
    let lines: Vec<&str> = template.lines().collect();
    let (lines, mut used) = render_queries(&lines, &queries)?;
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (lines, used_views) = render_views(&lines, &views)?;
    used.extend(used_views);
    if let Some(unused) = sql.keys().find(|k| !used.contains(k)) {
        return Err(TemplateSqlError::UnusedFile {
            name: unused.clone(),
        });
    }
    let mut rendered = lines.join("\n");
    if template.ends_with('\n') {
        rendered.push('\n');
    }
    Ok(rendered)
}

/// Whether `line` starts a resource (or any key indented by two).
fn starts_resource(line: &str) -> bool {
    line.starts_with("  ") && !line.starts_with("   ")
}

/// `lines` with the `QueryString` of every named query replaced by its file in `sql`,
/// and the files used.
fn render_queries(
    lines: &[&str],
    sql: &BTreeMap<String, String>,
) -> Result<(Vec<String>, Vec<String>), TemplateSqlError> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut in_named_query = false;
    let mut name: Option<String> = None;
    let mut used = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if starts_resource(line) {
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
        while j < lines.len() && is_body(lines, j, indent) {
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
        push_indented(&mut out, text, indent);
        i = j;
    }
    Ok((out, used))
}

/// Appends each line of `text` to `out`, indented by `indent` (blank lines stay empty).
fn push_indented(out: &mut Vec<String>, text: &str, indent: usize) {
    for line in text.lines() {
        if line.is_empty() {
            out.push(String::new());
        } else {
            out.push(format!("{}{line}", " ".repeat(indent)));
        }
    }
}

const TABLE_NAME: &str = "        Name: ";
const VIRTUAL_VIEW: &str = "        TableType: VIRTUAL_VIEW";
const VIEW_TEXT: &str = "        ViewOriginalText:";
const VIEW_COLUMNS: &str = "          Columns:";
/// The indent of the JSON in `Fn::Base64: !Sub |-`.
pub const VIEW_JSON_INDENT: usize = 16;

/// `lines` with the generated parts of every `VIRTUAL_VIEW` table replaced by its view in
/// `views`, and the files used.
fn render_views(
    lines: &[&str],
    views: &BTreeMap<String, View>,
) -> Result<(Vec<String>, Vec<String>), TemplateSqlError> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut in_table = false;
    let mut name: Option<(String, usize)> = None;
    let mut view: Option<&View> = None;
    let mut rendered = BTreeMap::<String, (bool, bool, usize)>::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if starts_resource(line) {
            in_table = false;
            name = None;
            view = None;
        }
        if line == "    Type: AWS::Glue::Table" {
            in_table = true;
        }
        if in_table
            && name.is_none()
            && let Some(value) = line.strip_prefix(TABLE_NAME)
        {
            name = Some((value.trim().to_owned(), i + 1));
        }
        if in_table && line == VIRTUAL_VIEW {
            let Some((table, at)) = name.clone() else {
                return Err(TemplateSqlError::Layout { line: i + 1 });
            };
            let Some(found) = views.get(&table) else {
                return Err(TemplateSqlError::MissingView {
                    name: table,
                    line: at,
                });
            };
            view = Some(found);
            rendered.insert(found.file.clone(), (false, false, at));
        }
        let Some(current) = view else {
            out.push(line.to_owned());
            i += 1;
            continue;
        };
        let (indent, generated) = if line.starts_with(VIEW_TEXT) {
            (8, view_text(current))
        } else if line == VIEW_COLUMNS {
            (10, view_columns(current))
        } else {
            out.push(line.to_owned());
            i += 1;
            continue;
        };
        if let Some(done) = rendered.get_mut(&current.file) {
            if indent == 8 {
                done.0 = true;
            } else {
                done.1 = true;
            }
        }
        out.extend(generated);
        // Skip the old value: every line indented deeper than the key.
        let mut j = i + 1;
        while j < lines.len() && is_body(lines, j, indent + 1) {
            j += 1;
        }
        i = j;
    }
    let mut used = Vec::new();
    for (file, (text, columns, line)) in rendered {
        if !(text && columns) {
            return Err(TemplateSqlError::ViewLayout { line });
        }
        used.push(file);
    }
    Ok((out, used))
}

/// The `ViewOriginalText` property of `view`: `/* Presto View: <base64 JSON> */`.
fn view_text(view: &View) -> Vec<String> {
    let mut out = vec![
        format!("{VIEW_TEXT} !Join"),
        "          - \"\"".to_owned(),
        "          - - \"/* Presto View: \"".to_owned(),
        "            - Fn::Base64: !Sub |-".to_owned(),
    ];
    push_indented(&mut out, &view.presto_json(), VIEW_JSON_INDENT);
    out.push("            - \" */\"".to_owned());
    out
}

/// The `StorageDescriptor.Columns` property of `view`, in Hive types.
fn view_columns(view: &View) -> Vec<String> {
    let mut out = vec![VIEW_COLUMNS.to_owned()];
    for (name, kind) in &view.columns {
        let hive = hive_type(kind).unwrap_or(kind);
        out.push(format!("            - {{Name: {name}, Type: {hive}}}"));
    }
    out
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
