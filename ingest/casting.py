"""Type the text records of many files in one DuckDB query, explaining every value that does not fit.

A value loads only if it means exactly what its text says in the declared type; DuckDB's own
casts are lenient in ways that change values (`1.5` -> 2 and `0x1F` -> 31 as INTEGER,
`infinity` -> 9999-12-31 as DATE, a time dropped from a DATE, an offset dropped from a
TIMESTAMP, nanoseconds cut, `1e400` -> inf), so each type first has a strict pattern for its
text and a check that nothing was rounded. Every row read is kept: rows that fit have
`_reject_reason` NULL; the others keep the reason in plain words and their raw fields as JSON
(`_raw_record`), and are what `ops.quarantine` shows. Columns the source does not declare are
kept as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ingest.errors import MAX_RAW_CHARS
from ingest.readers import MAX_FIELD_CHARS, ParsedFile
from ingest.sources import Column, FileSource

NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
DATE = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
TIME = r"[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
ZONE = r"(Z|z|[+-][0-9]{2}(:?[0-9]{2})?|\s*(UTC|GMT)|\s+[A-Za-z_]+(/[A-Za-z0-9_+-]+)+)"
TIMESTAMP = rf"{DATE}([T ]{TIME})?"


@dataclass(frozen=True)
class Rule:
    """What a declared type accepts: text matching `pattern` (surrounding spaces allowed) whose
    cast succeeds; `failed_cast` explains a matching text whose cast failed. `good`, where set,
    matches exactly the texts that pass every check of the type but the cast: a common value is
    then accepted by one regex instead of one per check."""

    pattern: str | None
    failed_cast: str = "is not a valid {type}"
    good: str | None = None


# a fraction of a second no finer than a microsecond (further digits only if they are zeros)
GOOD_TIMESTAMP = rf"{DATE}([T ][0-9]{{1,2}}:[0-9]{{2}}(:[0-9]{{2}}(\.[0-9]{{1,6}}0*)?)?)?"
RULES = {
    "INTEGER": Rule(r"[+-]?[0-9]+", "is out of range for integer"),
    "BIGINT": Rule(r"[+-]?[0-9]+", "is out of range for bigint"),
    "DECIMAL": Rule(NUMBER),
    "DOUBLE": Rule(rf"(?i)({NUMBER}(e[+-]?[0-9]+)?|[+-]?(inf|infinity|nan))"),
    "BOOLEAN": Rule(None),  # DuckDB's words: true/false, t/f, yes/no, y/n, 1/0
    "DATE": Rule(DATE),
    "TIMESTAMP": Rule(TIMESTAMP, good=GOOD_TIMESTAMP),
    "TIMESTAMPTZ": Rule(rf"{TIMESTAMP}({ZONE})?", good=rf"{GOOD_TIMESTAMP}({ZONE})?"),
    "VARCHAR": Rule(None),
}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def text_of(column: str, present: list[str], null_values: tuple[str, ...]) -> str:
    """The column's text, NULL where the file has no such column or says one of the null values."""
    if column not in present:
        return "null::varchar"
    return f"case when {quote(column)} in ({', '.join(map(literal, null_values))}) then null else {quote(column)} end"


def typed(column: Column, trimmed: str, zone: str) -> str:
    """The cast of a value's trimmed text to the declared type, NULL where it does not cast."""
    if column.type == "TIMESTAMPTZ":  # without an offset, a time in the declared zone, never the host's
        return (
            f"case when regexp_full_match({trimmed}, '.*{ZONE}') then try_cast({trimmed} as timestamptz) "
            f"else timezone({literal(zone)}, try_cast({trimmed} as timestamp)) end"
        )
    return f"try_cast({trimmed} as {column.type})"


def type_problem(column: Column, value: str, trimmed: str, cast: str) -> str | None:
    """SQL: why a value's text does not mean a value of the declared type (the first problem
    found, in this order), or NULL. `value` is its text, `trimmed` that text without the spaces
    around it, `cast` its cast to the type (columns of the typing query's inner layers)."""
    name, sql_type = column.name, column.type.lower()
    said = f"'{name}: ''' || {value} || ''' "
    base = column.type.split("(")[0]
    rule = RULES[base]
    problems: list[tuple[str, str]] = []  # (condition on the value, what is wrong)
    if base == "TIMESTAMP":
        problems.append(
            (
                f"regexp_full_match({trimmed}, '{TIMESTAMP}{ZONE}')",
                f"has a UTC offset or time zone, which a timestamp column (local time) would drop: "
                f"declare {name} timestamptz",
            )
        )
    if rule.pattern is not None:
        problems.append((f"not regexp_full_match({trimmed}, {literal(rule.pattern)})", f"is not a valid {sql_type}"))
    if base in ("TIMESTAMP", "TIMESTAMPTZ"):
        problems.append(
            (f"regexp_matches({value}, '\\.[0-9]{{6}}[0-9]*[1-9]')", f"is more precise than a microsecond ({sql_type})")
        )
    if base == "DECIMAL":
        precision, scale = map(int, re.findall(r"\d+", column.type))
        digits = f"regexp_replace({trimmed}, '^[+-]', '')"
        problems += [
            (
                f"length(ltrim(split_part({digits}, '.', 1), '0')) > {precision - scale}",
                f"has more than {precision - scale} digits before the decimal point ({sql_type})",
            ),
            (
                f"length(rtrim(split_part({digits}, '.', 2), '0')) > {scale}",
                f"has more than {scale} decimal places ({sql_type})",
            ),
        ]
    if base != "VARCHAR":
        problems.append((f"{cast} is null", rule.failed_cast.format(type=sql_type)))
    if base == "DOUBLE":  # 1e400 is not infinity, 1e-400 is not zero
        problems.append(
            (
                f"isinf({cast}) and not regexp_full_match({trimmed}, '(?i)[+-]?inf(inity)?') "
                f"or {cast} = 0 and regexp_matches(regexp_replace({trimmed}, '(?i)e.*', ''), '[1-9]')",
                "is out of range for double",
            )
        )
    if not problems:
        return None
    good = (
        f"when {cast} is not null and regexp_full_match({trimmed}, {literal(rule.good)}) then null "
        if rule.good
        else ""
    )
    whens = " ".join(f"when {condition} then {said}{what}'" for condition, what in problems)
    return f"case when {value} is null then null {good}{whens} end"


def checks(column: Column, value: str, loaded: str) -> list[str]:
    """SQL expressions, each a reason the row does not load, or NULL. `loaded` is the value as it
    loads: NULL where its text does not fit the type."""
    name = column.name
    found = []
    if column.required:
        found.append(f"case when {value} is null then '{name}: missing required value' end")
    if column.minimum is not None:
        found.append(
            f"case when {loaded} < {column.minimum} then '{name}: ' || {value} || ' is below the minimum {column.minimum}' end"
        )
    found.append(
        f"case when length({value}) > {MAX_FIELD_CHARS} then "
        f"'{name}: a value of ' || length({value}) || ' characters, more than {MAX_FIELD_CHARS:,}' end"
    )
    return found


def typed_select(source: FileSource, present: list[str]) -> str:
    """SELECT over `raw_rows`: declared columns cast, undeclared ones kept as text, every
    failure explained in `_reject_reason`, the raw fields of a rejected row in `_raw_record`.

    Layer by layer, so that each expression is computed once per value: every declared column's
    text (`__t<i>`, a null value made NULL) and that text trimmed (`__s<i>`); its cast (`__c<i>`);
    what is wrong with it (`__p<i>`); the row's reasons; the row. A raw field keeps its name
    throughout, for `_raw_record`."""
    declared = set(source.column_names)
    data = [n for n in present if n not in ("_source_line", "_file_index")]
    texts, casts, problems, columns, reasons = [], [], [], [], []
    for i, column in enumerate(source.columns):
        value, trimmed, cast, problem = f"__t{i}", f"__s{i}", f"__c{i}", f"__p{i}"
        texts.append(f"{text_of(column.name, present, source.null_values)} as {value}")
        problem_sql = None
        if column.type == "VARCHAR":
            loaded = value
        else:
            texts.append(f"trim({value}) as {trimmed}")
            casts.append(f"{typed(column, trimmed, column.timezone or source.timezone)} as {cast}")
            problem_sql = type_problem(column, value, trimmed, cast)
            loaded = cast
        if problem_sql:  # a value that does not fit is NULL, never what a lenient cast made of it
            problems.append(f"{problem_sql} as {problem}")
            reasons.append(problem)
            loaded = f"case when {problem} is null then {cast} end"
        columns.append(f"{loaded} as {quote(column.name)}")
        reasons += checks(column, value, loaded)
    extra = [f"{text_of(n, present, source.null_values)} as {quote(n)}" for n in data if n not in declared]
    raw = f"struct_pack({', '.join(f'{quote(n)} := {quote(n)}' for n in data)})" if data else "null"
    layers = "raw_rows"
    reason = f"nullif(concat_ws('; ', {', '.join(reasons)}), '')" if reasons else "null::varchar"
    for layer in (texts, casts, problems, [f"{reason} as _reject_reason"]):
        if layer:
            layers = f"(select *, {', '.join(layer)} from {layers})"
    return f"""
        select {", ".join(columns + extra)},
               _file_index,
               _source_line,
               _reject_reason,
               case when _reject_reason is not null then left(to_json({raw})::varchar, {MAX_RAW_CHARS}) end
                   as _raw_record
        from {layers}
    """


def typer() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that only casts Arrow batches, in UTC whatever the host's zone."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    return con


def type_batch(
    con: duckdb.DuckDBPyConnection, source: FileSource, files: list[ParsedFile], metadata: pa.Table
) -> pa.Table:
    """Type the records of many files in one query. Every record comes back: good ones with
    `_reject_reason` NULL, bad ones (and one row per rejected file, line 0) with the reason and
    their raw content. `metadata` (one row per file, keyed by `_file_index`) is joined on."""
    raws = [
        f.raw.append_column("_file_index", pa.array([i] * f.raw.num_rows, pa.int32()))
        for i, f in enumerate(files)
        if f.raw is not None
    ]
    if not raws:
        raws = [
            pa.table(
                {
                    **{c.name: pa.array([], pa.string()) for c in source.columns},
                    "_source_line": pa.array([], pa.int64()),
                    "_file_index": pa.array([], pa.int32()),
                }
            )
        ]
    raw = pa.concat_tables(raws, promote_options="default")
    rejected = [(i, m.line, m.reason, m.raw[:MAX_RAW_CHARS]) for i, f in enumerate(files) for m in f.malformed]
    rejected += [(i, 0, f.error, f.preview) for i, f in enumerate(files) if f.error]
    extras = pa.table(
        {
            "_file_index": pa.array([r[0] for r in rejected], pa.int32()),
            "_source_line": pa.array([r[1] for r in rejected], pa.int64()),
            "_reject_reason": pa.array([r[2] for r in rejected], pa.string()),
            "_raw_record": pa.array([r[3] for r in rejected], pa.string()),
        }
    )
    con.register("raw_rows", raw)
    con.register("extras", extras)
    con.register("file_metadata", metadata)
    try:
        return con.sql(f"""
            with typed as ({typed_select(source, raw.column_names)})
            select typed.* exclude (_file_index), file_metadata.* exclude (_file_index)
            from typed join file_metadata using (_file_index)
            union all by name
            select extras.* exclude (_file_index), file_metadata.* exclude (_file_index)
            from extras join file_metadata using (_file_index)
        """).fetch_arrow_table()
    finally:
        for name in ("raw_rows", "extras", "file_metadata"):
            con.unregister(name)
