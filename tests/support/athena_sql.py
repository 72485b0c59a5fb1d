"""Runs the Athena SQL of sql/*.sql on rows in the extractor's layout, in DuckDB, and
prints every result as JSON, so tests can compare Athena's numbers with the Rust report's.

    python3 athena_sql.py --rows DIR --today YYYY-MM-DD [--param Name=Value ...]
                          [--sql sql/] [--template template.yaml]
    python3 athena_sql.py --check-sql "SELECT ..."   (type-check one query, print DuckDB SQL)

- `--rows DIR` holds `dt=YYYY-MM-DD/*.json.gz` (gzip JSON lines, one row object a line):
  the table `events` gets the Glue table's columns and types, read from `template.yaml`'s
  `MetricsEventsTable`, and the partition column `dt` from the object's path, as the
  Glue partition projection gives it.
- `--today` replaces `current_date`; `--param Name=Value` replaces `${Name}` as the
  template's `!Sub` does (`Production` is the joined `ProductionPipelineNames`).
- `sql/1-*.sql` and `sql/2-*.sql` create the views, in name order; every other file is a
  query, run in name order. Each view's real columns (DuckDB's `DESCRIBE`) are compared,
  in order, with the file's `-- column: <name> <trino type>` lines, the columns the
  template stores in the Glue view (Athena fails a view whose stored columns differ from
  what its SELECT returns as "stale"): a difference exits 3, naming the file and column. The output is one JSON object: the view `executions` under
  `"executions"` and each query's rows under its file stem; timestamps as RFC 3339 UTC,
  dates as `YYYY-MM-DD`.

Trino semantics are kept, not approximated. sqlglot transpiles Trino to DuckDB, and this
script closes the gaps where the two engines differ on our queries:

- Division. DuckDB's `/` is always a float division; Trino's depends on the operand
  types (`bigint / bigint` truncates, a decimal literal such as `30.0` makes a decimal
  division with that literal's scale, so `1 / 30.0` is `0.0`). Every `/` is checked on
  the Trino types (sqlglot's `annotate_types` with the table and view schemas; numeric
  literals typed as Trino types them: `30.0` is a decimal, `1e3` a double) and the query
  is **refused** (exit 2, with the query's name and the expression) unless one operand is
  a double (Trino then divides in double, as DuckDB does), or both are integers and the
  division is an array index (`element_at`'s position, the nearest-rank percentile
  `(p * n + 99) / 100`), which is transpiled to an integer division. An integer or
  decimal division anywhere else is a bug waiting to show as `0` in Athena.
- `max_by` / `min_by` become DuckDB's `arg_max_null` / `arg_min_null`: like Trino, they
  skip rows whose key is NULL and return the value of the winning row even when it is
  NULL (DuckDB's `arg_max` would skip that row and return an older value).
- `date_diff(unit, a, b)` becomes DuckDB's `date_sub` (whole units elapsed, as Trino);
  DuckDB's `date_diff` counts unit boundaries crossed.
- `from_iso8601_timestamp(x)` is a cast to `TIMESTAMPTZ`; the session time zone is UTC so
  that `CAST(... AS timestamp)` keeps the UTC wall time, as in Trino.
- `count_if(x)` becomes `count(CASE WHEN x THEN 1 END)`, Trino's definition: 0 over no
  rows, where DuckDB's `count_if` gives NULL (a period without deployments would have no
  deployment frequency).
- `element_at(array_sort(...), i)`, `IF`, `date(...)` and `INTERVAL` arithmetic
  transpile faithfully (DuckDB lists are 1-based, sort NULLs last and yield NULL out of
  range, as Trino's `element_at` does).
"""
import argparse
import datetime
import decimal
import glob
import json
import os
import re
import sys

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Glue column types to DuckDB's.
GLUE_TYPES = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
}
# Trino types of the `-- column:` declarations to DuckDB's, for the view check. Loose
# where DuckDB has no exact match: `timestamp(3)` is DuckDB's `TIMESTAMP` (microseconds;
# the precision is not checked), `varchar(n)` and `decimal(p, s)` are not accepted (the
# views declare neither). The same Trino types as `hive_type` in tests/src/template_sql.rs.
TRINO_TO_DUCKDB = {
    "varchar": "VARCHAR",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp(3)": "TIMESTAMP",
}
INTEGER_TYPES = {
    exp.DataType.Type.TINYINT,
    exp.DataType.Type.SMALLINT,
    exp.DataType.Type.INT,
    exp.DataType.Type.BIGINT,
}
DOUBLE_TYPES = {exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT}


class Refused(Exception):
    """A query this script will not run, because DuckDB would not compute what Trino does."""


class StaleView(Exception):
    """A view whose `-- column:` declarations are not the columns its SELECT returns."""


def declared_columns(name, sql):
    """The `(name, trino type)` pairs of the `-- column:` lines of a view file, in order."""
    columns = []
    for line in sql.splitlines():
        if line.startswith("-- column:"):
            words = line[len("-- column:"):].split()
            if len(words) != 2:
                raise StaleView(f"{name}: expected `-- column: <name> <type>`, got `{line}`")
            columns.append((words[0], words[1]))
    return columns


def check_view_columns(name, declared, actual):
    """Raises `StaleView` unless `actual` (DuckDB's `(name, type)` of the created view) is
    `declared` (the file's Trino columns), column by column in order."""
    for i in range(max(len(declared), len(actual))):
        want = declared[i] if i < len(declared) else None
        got = actual[i] if i < len(actual) else None
        if want is None:
            raise StaleView(
                f"{name}: column {i + 1} `{got[0]}` ({got[1]}) is returned by the view "
                "but not declared (`-- column:` lines)"
            )
        if got is None:
            raise StaleView(
                f"{name}: column {i + 1} `{want[0]}` {want[1]} is declared but the view "
                "does not return it"
            )
        kind = TRINO_TO_DUCKDB.get(want[1])
        if kind is None:
            raise StaleView(f"{name}: column `{want[0]}`: unknown Trino type `{want[1]}`")
        if want[0] != got[0] or kind != got[1]:
            raise StaleView(
                f"{name}: column {i + 1} is declared `{want[0]}` {want[1]} ({kind}) but "
                f"the view returns `{got[0]}` ({got[1]})"
            )


def glue_columns(template_path):
    """The `(name, type)` columns of the `MetricsEventsTable` in the template, in order."""
    with open(template_path, encoding="utf-8") as f:
        text = f.read()
    start = text.find("\n  MetricsEventsTable:")
    if start < 0:
        raise SystemExit(f"{template_path}: no MetricsEventsTable resource")
    block = text[start:]
    end = block.find("\n  ", len("\n  MetricsEventsTable:"))
    while end >= 0 and block[end + 3] == " ":
        end = block.find("\n  ", end + 1)
    block = block[:end] if end >= 0 else block
    columns_at = block.find("Columns:")
    columns = re.findall(r"- \{Name: (\w+), Type: (\w+)", block[columns_at:])
    if not columns:
        raise SystemExit(f"{template_path}: MetricsEventsTable has no Columns")
    return columns


def load_events(con, rows_dir, columns):
    """Creates the table `events` from the objects under `rows_dir`, plus `dt`."""
    files = sorted(glob.glob(os.path.join(rows_dir, "dt=*", "*.json.gz")))
    cols = ", ".join(f"{name} {GLUE_TYPES[kind]}" for name, kind in columns)
    con.execute(f"CREATE TABLE events ({cols}, dt VARCHAR)")
    if not files:
        return
    spec = "{" + ", ".join(f"'{name}': '{GLUE_TYPES[kind]}'" for name, kind in columns) + "}"
    names = ", ".join(name for name, _ in columns)
    file_list = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    con.execute(
        f"INSERT INTO events SELECT {names}, regexp_extract(filename, 'dt=([0-9-]+)', 1) "
        f"FROM read_json([{file_list}], format = 'newline_delimited', "
        f"compression = 'gzip', columns = {spec}, filename = true)"
    )


def substitute(sql, params):
    """`${Name}` replaced as `!Sub` does; an unknown name is an error."""

    def one(m):
        name = m.group(1)
        if name not in params:
            raise SystemExit(f"no value for ${{{name}}}: pass --param {name}=...")
        return params[name]

    return re.sub(r"\$\{(\w+)\}", one, sql)


def trino_types(tree):
    """A copy of `tree` in which numeric literals carry their Trino type, for annotation:
    `30.0` is a decimal, `1e3` a double, `30` an integer."""
    def retype(node):
        if isinstance(node, exp.Literal) and not node.is_string:
            text = node.this
            if "e" in text.lower():
                return exp.cast(node.copy(), exp.DataType.build("double"))
            if "." in text:
                digits = text.replace(".", "").lstrip("-")
                scale = len(text.split(".")[1])
                return exp.cast(node.copy(), exp.DataType.build(f"decimal({max(len(digits), 1)}, {scale})"))
        return node

    return tree.copy().transform(retype)


def is_array_index(div):
    """Whether `div` is (inside) the position argument of `element_at`."""
    node = div
    while node.parent is not None:
        parent = node.parent
        if isinstance(parent, exp.Bracket) and node is not parent.this:
            return True
        if isinstance(parent, (exp.Select, exp.Subquery)):
            return False
        node = parent
    return False


def check_divisions(name, tree, schema):
    """Refuses a `/` that DuckDB would not compute as Trino does (see the module docs).
    Returns the positions (in `tree.find_all(exp.Div)` order) of integer divisions to keep
    integral."""
    typed = annotate_types(trino_types(tree), schema=schema, dialect="trino")
    originals = list(tree.find_all(exp.Div))
    integral = []
    for i, div in enumerate(typed.find_all(exp.Div)):
        left, right = div.this.type, div.expression.type
        kinds = {t.this if t else None for t in (left, right)}
        if kinds & DOUBLE_TYPES and kinds - {None} <= DOUBLE_TYPES | INTEGER_TYPES | {
            exp.DataType.Type.DECIMAL
        } and None not in kinds:
            continue
        if kinds <= INTEGER_TYPES and is_array_index(div):
            integral.append(i)
            continue
        what = "/".join(t.sql("trino") if t else "unknown" for t in (left, right))
        raise Refused(
            f"{name}: `{originals[i].sql('trino')}` divides {what}: in Trino that is not a double "
            "division (integers truncate, a decimal literal such as 30.0 keeps its scale); "
            "make one operand a double (CAST(... AS double), 1e0)"
        )
    return integral


def to_duckdb(name, sql, today, schema):
    """The DuckDB SQL of one Trino statement, after the checks (see the module docs)."""
    tree = sqlglot.parse_one(sql, read="trino")
    tree = qualify(tree, schema=schema, dialect="trino", validate_qualify_columns=False)
    integral = check_divisions(name, tree, schema)
    for i, div in enumerate(list(tree.find_all(exp.Div))):
        if i in integral:
            div.replace(exp.IntDiv(this=div.this.copy(), expression=div.expression.copy()))

    def rewrite(node):
        if isinstance(node, exp.CurrentDate):
            return exp.cast(exp.Literal.string(today), exp.DataType.build("date"))
        if isinstance(node, exp.ArgMax):
            return exp.Anonymous(this="arg_max_null", expressions=[node.this, node.expression])
        if isinstance(node, exp.ArgMin):
            return exp.Anonymous(this="arg_min_null", expressions=[node.this, node.expression])
        if isinstance(node, exp.CountIf):
            # Trino: count(CASE WHEN x THEN 1 END), 0 over no rows; DuckDB's count_if
            # gives NULL there.
            case = exp.Case(ifs=[exp.If(this=node.this.copy(), true=exp.Literal.number(1))])
            return exp.Count(this=case)
        if isinstance(node, (exp.DateDiff, exp.TimestampDiff)):
            unit = node.args.get("unit")
            unit_text = unit.name if unit is not None else "day"
            return exp.Anonymous(
                this="date_sub",
                expressions=[exp.Literal.string(unit_text.lower()), node.expression, node.this],
            )
        return node

    tree = tree.transform(rewrite)
    return tree.sql(dialect="duckdb")


def view_schema(con, name):
    """The columns of a table or view as sqlglot schema types."""
    return {col: kind for col, kind, *_ in con.execute(f"DESCRIBE {name}").fetchall()}


def json_value(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return v.isoformat(timespec="milliseconds") + "Z"
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    return v


def rows_of(con, sql):
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [{n: json_value(v) for n, v in zip(names, row)} for row in cur.fetchall()]


def run(args):
    params = dict(p.split("=", 1) for p in args.param)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    load_events(con, args.rows, glue_columns(args.template))
    schema = {"events": view_schema(con, "events")}
    files = sorted(glob.glob(os.path.join(args.sql, "*.sql")))
    views = [f for f in files if re.match(r"[12]-", os.path.basename(f))]
    queries = [f for f in files if f not in views]
    out = {}
    for path in views + queries:
        name = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8") as f:
            sql = substitute(f.read(), params)
        try:
            duck = to_duckdb(name, sql, args.today, schema)
            if path in views:
                con.execute(duck)
                view = re.search(r"VIEW\s+\"?(\w+)\"?", duck, re.IGNORECASE).group(1)
                schema[view] = view_schema(con, view)
                check_view_columns(name, declared_columns(name, sql), list(schema[view].items()))
            else:
                out[name] = rows_of(con, duck)
        except Refused as e:
            print(e, file=sys.stderr)
            return 2
        except StaleView as e:
            print(e, file=sys.stderr)
            return 3
        except (sqlglot.errors.SqlglotError, duckdb.Error) as e:
            print(f"{name}: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
    out["executions"] = rows_of(con, "SELECT * FROM executions ORDER BY start_at, pipeline, execution_id")
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


def check_one(args):
    schema = {"events": {name: GLUE_TYPES[kind] for name, kind in glue_columns(args.template)}}
    schema["events"]["dt"] = "VARCHAR"
    try:
        print(to_duckdb("--check-sql", args.check_sql, args.today or "2026-01-01", schema))
    except Refused as e:
        print(e, file=sys.stderr)
        return 2
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", help="folder holding dt=YYYY-MM-DD/*.json.gz")
    parser.add_argument("--today", help="the date current_date stands for, YYYY-MM-DD")
    parser.add_argument("--param", action="append", default=[], help="Name=Value for ${Name}")
    parser.add_argument("--sql", default=os.path.join(ROOT, "sql"))
    parser.add_argument("--template", default=os.path.join(ROOT, "template.yaml"))
    parser.add_argument("--check-sql", help="type-check one Trino query over `events`")
    args = parser.parse_args()
    if args.check_sql:
        return check_one(args)
    if not args.rows or not args.today:
        parser.error("--rows and --today are required")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
