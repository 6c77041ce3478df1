"""Load the tables in data/ and validate them against the schema in their sidecar.

Each table `data/<name>.csv` has a sidecar `data/<name>.meta.yaml` that holds its provenance
(title, source, licence, date recorded) and its schema: the columns with their types and
constraints, the primary key, references to other tables and checks across columns of a row.
A new table needs only the two files; nothing in the code lists the tables.

A user can load their own file against a table's schema (`load_table("salary_bands",
path="my_city.csv")`); it is checked exactly as the project's own copy is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from aijobs import paths
from aijobs.errors import DataError  # re-exported: callers catch tables.DataError
from aijobs.files import read_yaml, yaml_problem
from aijobs.formatting import number_text

COLUMN_TYPES = ("string", "integer", "number", "boolean")
COLUMN_KEYS = {
    "name", "type", "description", "unit", "required", "unique", "enum", "pattern",
    "minimum", "maximum", "exclusive_minimum", "references",
}
SIDECAR_KEYS = {
    "title", "description", "source", "licence", "date_recorded", "primary_key", "columns",
    "row_checks", "derived_from", "may_be_empty", "data_as_of",
}
REQUIRED_SIDECAR_KEYS = ("title", "description", "source", "licence", "date_recorded", "columns")
TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0"}
MAX_PROBLEMS_SHOWN = 3
INT64_LIMIT = 2**63 - 1
# Tables loaded in this process, in order: {table name: file}. Reports list them as sources.
LOADED: dict[str, str] = {}




@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def raise_problems(problems: list[Problem], headline: str) -> None:
    """Raise one DataError, on one line, that gives the count and the first few problems, each
    with its file, row and column (`aijobs validate` shows the same)."""
    if not problems:
        return
    shown = "; ".join(str(p) for p in problems[:MAX_PROBLEMS_SHOWN])
    more = len(problems) - MAX_PROBLEMS_SHOWN
    tail = f"; ... and {more} more" if more > 0 else ""
    raise DataError(f"{headline} ({len(problems)} problem{'s' if len(problems) > 1 else ''}): "
                    f"{shown}{tail}")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = True
    unique: bool = False
    unit: str | None = None
    enum: tuple[Any, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    references: str | None = None

    def expectation(self) -> str:
        """The rule for this column in words, for error messages."""
        parts = {"string": "text", "integer": "a whole number", "number": "a number",
                 "boolean": "true or false"}[self.type]
        if self.enum:
            parts = "one of " + ", ".join(str(v) for v in self.enum)
        bounds = []
        if self.exclusive_minimum is not None:
            bounds.append(f"above {number_text(self.exclusive_minimum)}")
        if self.minimum is not None:
            bounds.append(f"at least {number_text(self.minimum)}")
        if self.maximum is not None:
            bounds.append(f"at most {number_text(self.maximum)}")
        if bounds:
            parts += " " + " and ".join(bounds)
        if self.pattern:
            parts += f" matching {self.pattern}"
        return parts


@dataclass(frozen=True)
class TableSchema:
    name: str
    sidecar: Path
    meta: dict[str, Any]
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    row_checks: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def list_tables() -> list[str]:
    """Names of all tables in data/ (one per sidecar), sorted."""
    return sorted(str(p.relative_to(paths.DATA_DIR)).removesuffix(".meta.yaml")
                  for p in paths.DATA_DIR.rglob("*.meta.yaml"))


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(paths.PROJECT_ROOT))
    except ValueError:
        return str(path)


def sidecar_problems(name: str, meta: Any) -> list[Problem]:
    """Everything wrong with a sidecar's structure (empty list when it is complete)."""
    where = _rel(paths.sidecar_path(name))
    if not isinstance(meta, dict):
        return [Problem(where, "expected a mapping of title, description, source, licence, "
                               "date_recorded and columns")]
    problems = [Problem(where, f"missing key '{k}'") for k in REQUIRED_SIDECAR_KEYS
                if not meta.get(k)]
    problems += [Problem(where, f"unknown key '{k}'; allowed: {', '.join(sorted(SIDECAR_KEYS))}")
                 for k in meta if k not in SIDECAR_KEYS]
    source = meta.get("source")
    if source is not None:
        sources = load_sources()
        if not isinstance(source, dict) or source.get("id") not in sources:
            problems.append(Problem(where, f"source.id must be one of {', '.join(sources)}"))
    date = str(meta.get("date_recorded", ""))
    if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        problems.append(Problem(where, f"date_recorded '{date}' should be YYYY-MM-DD"))
    names = []
    for i, col in enumerate(meta.get("columns") or []):
        cwhere = f"{where}, columns[{i}]"
        if not isinstance(col, dict) or "name" not in col:
            problems.append(Problem(cwhere, "each column needs at least a name and a type"))
            continue
        names.append(col["name"])
        cwhere = f"{where}, column {col['name']}"
        if col.get("type") not in COLUMN_TYPES:
            problems.append(Problem(cwhere, f"type '{col.get('type')}' is not one of "
                                            f"{', '.join(COLUMN_TYPES)}"))
        if not col.get("description"):
            problems.append(Problem(cwhere, "missing description"))
        for key in col:
            if key not in COLUMN_KEYS:
                problems.append(Problem(cwhere, f"unknown key '{key}'; allowed: "
                                                f"{', '.join(sorted(COLUMN_KEYS))}"))
        ref = col.get("references")
        if ref and not re.fullmatch(r"[a-z_0-9]+\.[a-z_0-9]+", str(ref)):
            problems.append(Problem(cwhere, f"references '{ref}' should read table.column"))
    if len(set(names)) != len(names):
        problems.append(Problem(where, "column names repeat"))
    pk = meta.get("primary_key")
    for key in [pk] if isinstance(pk, str) else (pk or []):
        if key not in names:
            problems.append(Problem(where, f"primary_key '{key}' is not a declared column"))
    section_column = (source or {}).get("section_column") if isinstance(source, dict) else None
    if section_column and section_column not in names:
        problems.append(Problem(where, f"source.section_column '{section_column}' is not a "
                                       "declared column"))
    return problems


def _stamp(path: Path) -> tuple[int, int]:
    """A file's modification time and size: the key under which its parsed form is cached, so
    a file edited in a long-lived kernel (JupyterLab) is read again."""
    try:
        info = path.stat()
    except OSError:
        return (0, -1)
    return (info.st_mtime_ns, info.st_size)


def load_sources() -> dict[str, Any]:
    """The registry of origins in data/sources.yaml, keyed by id (re-read when it changes)."""
    paths.record_read(paths.SOURCES_FILE)
    return _sources_cached(str(paths.SOURCES_FILE), _stamp(paths.SOURCES_FILE))


@lru_cache(maxsize=4)
def _sources_cached(file: str, _stamp: tuple[int, int]) -> dict[str, Any]:
    try:
        return read_yaml(Path(file).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"{_rel(Path(file))}: not valid YAML, {yaml_problem(exc)}") from exc


def load_schema(name: str) -> TableSchema:
    """The schema and provenance of table `name`, read from its sidecar (and read again when
    the sidecar or data/sources.yaml changes)."""
    sidecar = paths.sidecar_path(name)
    if not sidecar.is_file():
        known = ", ".join(list_tables())
        raise DataError(f"no table called '{name}': {_rel(sidecar)} does not exist. "
                        f"Known tables: {known}.")
    paths.record_read(sidecar)
    return _schema_cached(name, str(sidecar), _stamp(sidecar), _stamp(paths.SOURCES_FILE))


@lru_cache(maxsize=128)
def _schema_cached(name: str, file: str, _stamp: tuple[int, int],
                   _sources_stamp: tuple[int, int]) -> TableSchema:
    sidecar = Path(file)
    try:
        meta = read_yaml(sidecar.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"{_rel(sidecar)}: not valid YAML, {yaml_problem(exc)}") from exc
    raise_problems(sidecar_problems(name, meta), f"sidecar of table '{name}' is incomplete")
    columns = tuple(
        Column(**{**c, "enum": tuple(c["enum"]) if c.get("enum") else None})
        for c in meta["columns"]
    )
    pk = meta.get("primary_key") or ()
    pk = (pk,) if isinstance(pk, str) else tuple(pk)
    return TableSchema(name, sidecar, meta, columns, pk, tuple(meta.get("row_checks") or ()))


def forget_loaded() -> None:
    """Empty the record of tables loaded in this process (a long-lived kernel starts a new
    report's list of sources)."""
    LOADED.clear()


def _read_raw(path: Path) -> pd.DataFrame:
    where = _rel(path)
    if not path.exists():
        raise DataError(f"{where}: file not found. Pass the path of an existing CSV file.")
    if path.is_dir():
        raise DataError(f"{where}: is a folder; expected a CSV file.")
    if not path.is_file():
        raise DataError(f"{where}: not a regular file (a pipe or device); expected a CSV file.")
    try:
        raw = paths.record_read(path).read_bytes()
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}: not UTF-8 text (byte {exc.start}); save the file as "
                        "UTF-8 CSV.") from exc
    if not raw.strip():
        raise DataError(f"{where}: the file is empty; expected a CSV header and rows.")
    try:
        # Everything as text: types are checked below against the schema, with row numbers.
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[],
                           encoding="utf-8-sig", skipinitialspace=False)
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[0].replace("Error tokenizing data. C error: ", "")
        raise DataError(f"{where}: not a well-formed CSV file ({detail}); each row needs as "
                        "many comma-separated fields as the header") from exc


def _convert(col: Column, text: str) -> tuple[Any, str | None]:
    """(value, None) or (None, reason) for one non-empty cell."""
    t = text.strip()
    if col.type == "string":
        return t, None
    if col.type == "boolean":
        low = t.lower()
        if low in TRUE_WORDS:
            return True, None
        if low in FALSE_WORDS:
            return False, None
        return None, "not true or false"
    if col.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", t):
            return None, "not a whole number"
        if len(t) > 19 and abs(int(t)) > INT64_LIMIT:
            return None, "far too large"
        return int(t), None
    try:
        value = float(t)
    except ValueError:
        return None, "not a number"
    if math.isnan(value) or math.isinf(value):
        return None, "not a finite number"
    return value, None


def _check_value(col: Column, value: Any) -> str | None:
    if col.enum is not None and value not in col.enum:
        return "not an allowed value"
    if col.pattern and not re.fullmatch(col.pattern, str(value)):
        return "does not match the pattern"
    if col.type in ("integer", "number"):
        if col.exclusive_minimum is not None and not value > col.exclusive_minimum:
            return "too small"
        if col.minimum is not None and value < col.minimum:
            return "too small"
        if col.maximum is not None and value > col.maximum:
            return "too large"
    return None


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _row_check_problems(schema: TableSchema, rows: list[dict[str, Any]], where: str,
                        ) -> list[Problem]:
    problems = []
    ops = {"<=": lambda a, b: a <= b, "<": lambda a, b: a < b, "==": lambda a, b: a == b}
    for check in schema.row_checks:
        for i, row in enumerate(rows, start=1):
            loc = f"{where}, row {i} (line {i + 1})"
            if "compare" in check:
                left, op, right = check["compare"]
                a, b = row.get(left), row.get(right)
                if not _is_missing(a) and not _is_missing(b) and not ops[op](a, b):
                    problems.append(Problem(f"{loc}, columns {left}/{right}",
                                            f"{left} = {a:g} but {right} = {b:g}; expected "
                                            f"{left} {op} {right}"))
                continue
            cond = check.get("when", {})
            if not all(row.get(k) in (v if isinstance(v, list) else [v]) for k, v in cond.items()):
                continue
            why = " and ".join(f"{k} is {row.get(k)}" for k in cond)
            for c in check.get("require", []):
                if _is_missing(row.get(c)):
                    problems.append(Problem(f"{loc}, column {c}",
                                            f"empty, but a value is required when {why}"))
            for c in check.get("forbid", []):
                if not _is_missing(row.get(c)):
                    problems.append(Problem(f"{loc}, column {c}",
                                            f"got {row.get(c)!r}; expected empty when {why}"))
            for c, expected in check.get("equal", {}).items():
                if row.get(c) != expected:
                    problems.append(Problem(f"{loc}, column {c}",
                                            f"got {row.get(c)!r}; expected {expected!r} "
                                            f"when {why}"))
    return problems


def _dtype(col: Column, values: list[Any]) -> pd.Series:
    missing = any(_is_missing(v) for v in values)
    if col.type == "integer":
        return pd.Series(values, dtype="Int64" if missing else "int64")
    if col.type == "number":
        return pd.Series([math.nan if _is_missing(v) else v for v in values], dtype="float64")
    if col.type == "boolean":
        return pd.Series(values, dtype="boolean" if missing else "bool")
    return pd.Series([pd.NA if _is_missing(v) else v for v in values], dtype="string")


def load_table(name: str, path: str | Path | None = None, *, check_references: bool = True,
               references: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Table `name` as a DataFrame, validated against its sidecar schema.

    `path` loads another file (a user's own figures) against the same schema. References to
    other tables are checked against data/, or against the frames in `references` (a user's
    own roles table, say). Raises one DataError naming the file, row and column of every
    problem found.
    """
    schema = load_schema(name)
    file = Path(path) if path else paths.table_path(name)
    where = _rel(file)
    raw = _read_raw(file)
    declared = [c.name for c in schema.columns]
    header = [str(h) for h in raw.columns]
    problems: list[Problem] = []
    missing = [c.name for c in schema.columns if c.name not in header and c.required]
    unknown = [h for h in header if h not in declared]
    if missing or unknown:
        what = "; ".join(part for part in (
            f"missing column{'s' if len(missing) > 1 else ''} "
            + ", ".join(f"'{m}'" for m in missing) if missing else "",
            f"unknown column{'s' if len(unknown) > 1 else ''} "
            + ", ".join(f"'{u}'" for u in unknown) if unknown else "") if part)
        problems.append(Problem(f"{where}, header",
                                f"{what}; expected columns: {', '.join(declared)}"))
    raise_problems(problems, f"{where} does not match the schema of table '{name}'")

    records = raw.to_dict("records")
    if not records and not schema.meta.get("may_be_empty"):
        raise DataError(f"{where}: the header has no rows under it; expected at least one row "
                        f"of table '{name}'")
    rows: list[dict[str, Any]] = [{} for _ in records]
    for col in schema.columns:
        for i, record in enumerate(records, start=1):
            text = record.get(col.name, "")
            loc = f"{where}, row {i} (line {i + 1}), column {col.name}"
            if text.strip() == "":
                rows[i - 1][col.name] = None
                if col.required:
                    problems.append(Problem(loc, f"empty; expected {col.expectation()}"))
                continue
            value, reason = _convert(col, text)
            if reason is None:
                reason = _check_value(col, value)
            if reason:
                problems.append(Problem(loc, f"got {text!r}, {reason}; expected "
                                             f"{col.expectation()}"))
                value = None
            rows[i - 1][col.name] = value
    problems += _row_check_problems(schema, rows, where)
    problems += _uniqueness_problems(schema, rows, where)
    if check_references:
        problems += _reference_problems(schema, rows, where, references or {})
    raise_problems(problems, f"{where} is not a valid '{name}' table")
    frame = pd.DataFrame({c.name: _dtype(c, [r[c.name] for r in rows]) for c in schema.columns})
    frame.attrs["source_file"] = where
    frame.attrs["table"] = name
    LOADED[name] = where
    return frame


def _uniqueness_problems(schema: TableSchema, rows: list[dict[str, Any]], where: str,
                         ) -> list[Problem]:
    problems = []
    keys = [(c.name,) for c in schema.columns if c.unique]
    if schema.primary_key:
        keys.append(schema.primary_key)
    for key in keys:
        seen: dict[tuple, int] = {}
        for i, row in enumerate(rows, start=1):
            value = tuple(row.get(k) for k in key)
            if any(_is_missing(v) for v in value):
                continue
            if value in seen:
                shown = ", ".join(f"{k}={v!r}" for k, v in zip(key, value, strict=True))
                problems.append(Problem(f"{where}, row {i} (line {i + 1}), column "
                                        f"{'/'.join(key)}", f"{shown} repeats row {seen[value]}; "
                                        "expected each value once"))
            else:
                seen[value] = i
    return problems


def _reference_problems(schema: TableSchema, rows: list[dict[str, Any]], where: str,
                        given: dict[str, pd.DataFrame]) -> list[Problem]:
    problems = []
    for col in schema.columns:
        if not col.references:
            continue
        table, column = col.references.split(".")
        if table in given:
            allowed = frozenset(given[table][column].dropna())
            target = given[table].attrs.get("source_file", f"the given {table} table")
        else:
            allowed = _reference_values(table, column)
            target = _rel(paths.table_path(table))
        for i, row in enumerate(rows, start=1):
            value = row.get(col.name)
            if not _is_missing(value) and value not in allowed:
                sample = ", ".join(sorted(allowed)[:12])
                problems.append(Problem(f"{where}, row {i} (line {i + 1}), column {col.name}",
                                        f"{value!r} is not a {column} in {target}; "
                                        f"expected one of: {sample}"))
    return problems


def _reference_values(table: str, column: str) -> frozenset:
    file = paths.table_path(table)
    # Keyed on the file's mtime so an edited table is re-read in a long-lived kernel.
    return _reference_values_cached(table, column, file.stat().st_mtime_ns if file.exists() else 0)


@lru_cache(maxsize=64)
def _reference_values_cached(table: str, column: str, _mtime: int) -> frozenset:
    return frozenset(load_table(table)[column].dropna())


def load_tables() -> dict[str, pd.DataFrame]:
    """Every table in data/, validated, keyed by name."""
    return {name: load_table(name) for name in list_tables()}


def table_metadata(name: str) -> dict[str, Any]:
    """The sidecar of table `name` as a dict (title, description, source, licence, columns)."""
    return load_schema(name).meta


def source_line(*names: str) -> str:
    """A one-line citation for charts built from the named tables."""
    sources = load_sources()
    ids = []
    for name in names:
        sid = load_schema(name).meta["source"]["id"]
        if sid not in ids:
            ids.append(sid)
    cited = "; ".join(sources[s].get("short_title", sources[s]["title"]) for s in ids)
    return f"Source: {cited}. Tables: {', '.join(f'data/{n}.csv' for n in names)}."
