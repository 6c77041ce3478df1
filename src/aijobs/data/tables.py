"""Load the tables in data/ and validate them against the schema in their sidecar.

Each table `data/<name>.csv` has a sidecar `data/<name>.meta.yaml` that holds its provenance
(title, source, licence, date recorded) and its schema: the columns with their types and
constraints, the primary key, references to other tables and checks across columns of a row.
A new table needs only the two files; nothing in the code lists the tables.

A user can load their own file against a table's schema (`load_table("salary_bands",
path="my_city.csv")`); it is checked exactly as the project's own copy is.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from aijobs import paths
from aijobs.data.sidecar import ColumnSpec, Problem, RowCheck, Sidecar, parse_sidecar
from aijobs.data.validation import Reference, table_problems
from aijobs.errors import DataError  # re-exported: callers catch tables.DataError
from aijobs.files import ESCAPE, read_yaml, unescaped_cell, utf16_name, yaml_problem
from aijobs.words import some_of

TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0"}
MAX_PROBLEMS_SHOWN = 3
INT64_LIMIT = 2**63 - 1
# Tables loaded in this process, in order: {table name: file}. Reports list them as sources.
LOADED: dict[str, str] = {}
# Frames already checked, keyed on the stamps (mtime, size) of every file that decided them.
# checked frames: (frame, files read, tables loaded by the check), keyed on the files' stamps
_CHECKED: dict[tuple, tuple[pd.DataFrame, tuple, tuple]] = {}


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
class TableSchema:
    """A table's checked sidecar: `meta` is the sidecar as read, `model` its typed form."""

    name: str
    sidecar: Path
    meta: dict[str, Any]
    model: Sidecar

    @property
    def columns(self) -> tuple[ColumnSpec, ...]:
        return self.model.columns

    @property
    def primary_key(self) -> tuple[str, ...]:
        return self.model.primary_key

    @property
    def row_checks(self) -> tuple[RowCheck, ...]:
        return self.model.row_checks

    def column(self, name: str) -> ColumnSpec:
        return self.model.column(name)


def list_tables() -> list[str]:
    """Names of all tables in data/ (one per sidecar), sorted; hidden folders (a set being
    published, see files.publish_set) hold none."""
    names = (p.relative_to(paths.DATA_DIR) for p in paths.DATA_DIR.rglob("*.meta.yaml"))
    return sorted(str(n).removesuffix(".meta.yaml") for n in names
                  if not any(part.startswith(".") for part in n.parts))


# How each derived set is made again (the sets' names as their sidecars record them).
_RERUN = {"survey": "make survey-derive SURVEY=<path>", "sources": "make sources-derive"}


def run_problems(names: list[str] | None = None) -> list[str]:
    """Derived tables that come from different runs of their derivation, one line each.

    A derivation (survey-derive, ...) records in every sidecar of its set
    `derived_from.run: {set, id, tables}`; the tables of one set in one folder must share
    one id, and each table the run made must be there. `names`: only the sets these tables
    belong to (default: every table)."""
    runs: dict[tuple[str, str], dict[str, Any]] = {}
    for name in list_tables():
        run = (load_schema(name).meta.get("derived_from") or {}).get("run")
        if isinstance(run, dict) and run.get("set"):
            folder = str(Path(name).parent)
            runs.setdefault((folder, str(run["set"])), {})[name] = run
    wanted = None if names is None else {str(Path(n).parent) for n in names}
    problems = []
    for (folder, kind), members in sorted(runs.items()):
        if wanted is not None and folder not in wanted:
            continue
        where = f"data/{folder}" if folder != "." else "data"
        ids: dict[str, list[str]] = {}
        for name, run in members.items():
            ids.setdefault(str(run.get("id")), []).append(Path(name).name)
        if len(ids) > 1:
            shown = "; ".join(f"run {i}: {', '.join(sorted(t))}" for i, t in sorted(ids.items()))
            problems.append(f"{where}: the '{kind}' tables come from {len(ids)} different runs "
                            f"({shown}); rerun the derivation "
                            f"({_RERUN.get(kind, f'make {kind}-derive')}) to make the set whole")
            continue
        listed = next(iter(members.values())).get("tables") or []
        missing = sorted(set(map(str, listed)) - {Path(n).name for n in members})
        if missing:
            problems.append(f"{where}: the '{kind}' run made {', '.join(missing)}, missing "
                            "here; rerun the derivation to make the set whole")
    return problems


def _rel(path: Path) -> str:
    try:
        return str(Path(paths.resolved_name(path)).relative_to(paths.PROJECT_ROOT))
    except ValueError:
        return str(path)


def sidecar_problems(name: str, meta: Any) -> list[Problem]:
    """Everything wrong with table `name`'s sidecar (empty list when it is complete)."""
    return parse_sidecar(_rel(paths.sidecar_path(name)), meta, load_sources())[1]


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


# What a source's licence may say when it licenses nothing: a text that states no licence, and
# figures quoted from publications (cited, not licensed data). Every other value names a licence.
UNLICENSED = {"article": "none stated", "studies": "cited figures"}

# How a licence id of data/sources.yaml, a sidecar or a salary file's description reads on a
# page: the one place its name for readers is written. Any other value (none stated, cited
# figures, not known) is already words and reads as it is.
LICENCE_NAMES = {
    "CC0-1.0": "Creative Commons CC0 1.0 (public domain dedication)",
    "CC-BY-4.0": "Creative Commons Attribution 4.0 (CC BY 4.0)",
    "public-domain-us-government": "public domain (a work of the US government)",
}


def licence_name(licence: str) -> str:
    """A licence as a reader names it: 'CC-BY-4.0' reads 'Creative Commons Attribution 4.0
    (CC BY 4.0)'; a value that is not a licence id is returned as it is."""
    return LICENCE_NAMES.get(str(licence).strip(), str(licence).strip())


def source_licence(sid: str) -> str:
    """The licence status of source `sid` of data/sources.yaml as a page shows it (its
    reader's name, licence_name): the source's own, never a table's. A text states none
    ("none stated"), studies are cited figures, data carry their licence. A source of a kind
    in UNLICENSED must say exactly that."""
    origin = load_sources().get(sid) or {}
    licence = str(origin.get("licence") or "").strip()
    if not licence:
        raise DataError(f"{_rel(paths.SOURCES_FILE)}: source {sid} states no licence; write "
                        "its licence, or 'none stated' for a text that gives none")
    expected = UNLICENSED.get(str(origin.get("kind")))
    if expected and licence != expected:
        raise DataError(f"{_rel(paths.SOURCES_FILE)}: source {sid} is of kind "
                        f"{origin.get('kind')}, so its licence is '{expected}', not '{licence}'")
    return licence_name(licence)


def load_schema(name: str) -> TableSchema:
    """The schema and provenance of table `name`, read from its sidecar (and read again when
    the sidecar or data/sources.yaml changes)."""
    sidecar = paths.sidecar_path(name)
    if not sidecar.is_file():
        known = ", ".join(list_tables())
        raise DataError(f"no table called '{name}': {_rel(sidecar)} does not exist. "
                        f"Known tables: {known}.")
    paths.record_read(sidecar)
    paths.record_read(paths.SOURCES_FILE)  # read by the check, as when the schema is cached
    return _schema_cached(name, str(sidecar), _stamp(sidecar), _stamp(paths.SOURCES_FILE))


@lru_cache(maxsize=128)
def _schema_cached(name: str, file: str, _stamp: tuple[int, int],
                   _sources_stamp: tuple[int, int]) -> TableSchema:
    sidecar = Path(file)
    try:
        meta = read_yaml(sidecar.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"{_rel(sidecar)}: not valid YAML, {yaml_problem(exc)}") from exc
    model, problems = parse_sidecar(_rel(sidecar), meta, load_sources())
    raise_problems(problems, f"sidecar of table '{name}' is incomplete")
    assert model is not None  # parse_sidecar gives a model whenever it finds no problem
    return TableSchema(name, sidecar, meta, model)


# The keys of a sidecar that describe the table itself (its schema) rather than where this
# copy came from: a derivation copies them from the committed sidecar into the one it writes.
SCHEMA_KEYS = ("primary_key", "may_be_empty", "columns", "row_checks")


def derived_schema(name: str) -> TableSchema:
    """The schema of derived table `name` (e.g. 'derived/survey_years'), from its committed
    sidecar in data/: the one place its columns, types and rules are declared, in the same
    language as every curated table's. A derivation reads it to shape the table and copies it
    into the sidecar it writes (derived_sidecar); `aijobs validate` checks the table against
    it like any other."""
    if not paths.sidecar_path(name).is_file():
        raise DataError(f"{_rel(paths.sidecar_path(name))}: missing; it declares the columns of "
                        f"the derived table '{name}' (restore it from git, e.g. git checkout -- "
                        f"{_rel(paths.sidecar_path(name))})")
    return load_schema(name)


def column_names(name: str) -> list[str]:
    """The declared columns of table `name`, in order."""
    return [c.name for c in load_schema(name).columns]


def derived_sidecar(name: str, *, source: dict[str, Any], licence: str, date_recorded: str,
                    derived_from: dict[str, Any], data_as_of: str | None = None
                    ) -> dict[str, Any]:
    """The sidecar a derivation writes for table `name`: this run's provenance (source,
    licence, date, what it was derived from) around the schema its committed sidecar declares
    (title, description, primary key, columns, row checks), copied as it is. Every derive
    command writes its sidecars here, so the schema has one home and one language."""
    meta = derived_schema(name).meta
    out: dict[str, Any] = {"title": meta["title"], "description": meta["description"],
                           "source": source, "licence": licence,
                           "date_recorded": date_recorded}
    if data_as_of is not None:
        out["data_as_of"] = data_as_of
    out["derived_from"] = derived_from
    out.update({key: meta[key] for key in SCHEMA_KEYS if key in meta})
    return out


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
        utf16 = utf16_name(raw[:4096])
        what = f"not UTF-8 text but {utf16}" if utf16 else f"not UTF-8 text (byte {exc.start})"
        raise DataError(f"{where}: {what}; save the file as UTF-8 CSV.") from exc
    if not raw.strip():
        raise DataError(f"{where}: the file is empty; expected a CSV header and rows.")
    _check_shape(raw.decode("utf-8-sig"), where)
    try:
        # Everything as text: types are checked below against the schema, with row numbers.
        return pd.read_csv(path, dtype=object, keep_default_na=False, na_values=[],
                           encoding="utf-8-sig", skipinitialspace=False)
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[0].replace("Error tokenizing data. C error: ", "")
        raise DataError(f"{where}: not a well-formed CSV file ({detail}); each row needs as "
                        "many comma-separated fields as the header") from exc


def _check_shape(text: str, where: str) -> None:
    """A DataError for a header that names a column twice, or a row with more or fewer fields
    than the header. pandas reads neither faithfully: it renames a second `role_id`
    `role_id.1`, fills a short row with empty cells, and takes a first row one field longer
    than the header as having an index column (every value then sits one column off)."""
    rows = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    line = 1  # where the next record starts
    while True:
        start = line
        try:
            row = next(rows, None)
        except csv.Error as exc:  # e.g. a field past the csv module's limit: a stray quote
            raise DataError(f"{where}, line {start}: not a well-formed CSV file ({exc}: a "
                            "quoted value opening here may never be closed); check the quotes "
                            "from this line on") from None
        if row is None:
            break
        line = rows.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):  # a blank line (or only spaces):
            continue                                           # pandas skips it too
        if header is None:
            header = row
            positions: dict[str, list[int]] = {}
            for i, name in enumerate(header, start=1):
                if name.strip():
                    positions.setdefault(name, []).append(i)
            for name, found in positions.items():
                if len(found) > 1:
                    times = "twice" if len(found) == 2 else f"{len(found)} times"
                    at = ", ".join(map(str, found[:-1])) + f" and {found[-1]}"
                    raise DataError(f"{where}: column {name} appears {times} (columns {at}); "
                                    "expected each column once (remove or rename the extra one)")
            continue
        if len(row) != len(header):
            chunk = "".join(text.splitlines(keepends=True)[start - 1:line - 1])
            try:
                at_end = next(rows, None) is None  # read on to the end
            except csv.Error:
                at_end = True
            if at_end and chunk.count('"') % 2:
                raise DataError(f"{where}, line {start}: not a well-formed CSV file (a quoted "
                                "value opens here and is never closed); close the quote")
            raise DataError(f"{where}, line {start}: {len(row)} fields, the header has "
                            f"{len(header)}; each row needs as many comma-separated fields as "
                            "the header (quote a value that holds a comma)")


def _convert(col: ColumnSpec, text: str) -> tuple[Any, str | None]:
    """(value, None) or (None, reason) for one non-empty cell: the rule for one cell, and the
    reference the whole-column parse (_parsed) must agree with."""
    t = text.strip()
    if col.type == "string":
        return unescaped_cell(t), None  # as written, before files.safe_cell
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
        if len(t) >= 19 and abs(int(t)) > INT64_LIMIT:
            return None, "far too large"
        return int(t), None
    try:
        value = float(t)
    except ValueError:
        return None, "not a number"
    if math.isnan(value) or math.isinf(value):
        return None, "not a finite number"
    return value, None


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _dtype(col: ColumnSpec, values: list[Any]) -> pd.Series:
    missing = any(_is_missing(v) for v in values)
    if col.type == "integer":
        return pd.Series(values, dtype="Int64" if missing else "int64")
    if col.type == "number":
        return pd.Series([math.nan if _is_missing(v) else v for v in values], dtype="float64")
    if col.type == "boolean":
        return pd.Series(values, dtype="boolean" if missing else "bool")
    return pd.Series([pd.NA if _is_missing(v) else v for v in values], dtype="string")


def _parsed_by_cell(col: ColumnSpec, texts: list[str], where: str,
                    ) -> tuple[pd.Series, dict[tuple[int, str], Problem]]:
    """Column `col` read cell by cell (_convert), with a problem for each cell that does not
    read as its type: the reference for _parsed, and the path that words its problems."""
    values: list[Any] = []
    unparsed: dict[tuple[int, str], Problem] = {}
    for i, text in enumerate(texts):
        value, reason = (None, None) if text.strip() == "" else _convert(col, text)
        if reason:
            unparsed[(i, col.name)] = Problem(
                f"{where}, row {i + 1} (line {i + 2}), column {col.name}",
                f"got {text!r}, {reason}; expected {col.expectation()}")
        values.append(value)
    return _dtype(col, values), unparsed


_BOOLEAN_WORDS = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}


def _parsed_whole(col: ColumnSpec, texts: list[str]) -> pd.Series | None:
    """Column `col` read as a whole (numpy does the numbers), or None when a cell is not
    plainly of its type (then _parsed_by_cell reads it and words the problem). Gives exactly
    the Series _parsed_by_cell gives: numpy reads an object array of text with float() and
    int() themselves, and what those accept beyond _convert's rules (an underscore in a whole
    number, a number beyond int64, inf, nan) is sent to the cell-by-cell path."""
    stripped = [t.strip() for t in texts]
    if col.type == "string":  # unescaped_cell changes only a text that starts with ESCAPE
        return pd.Series([(unescaped_cell(t) if t[:1] == ESCAPE else t) if t else None
                          for t in stripped], dtype="string")
    cells = np.array(stripped, dtype=object)
    empty = cells == ""
    filled = cells[~empty]
    missing = bool(empty.any())
    if col.type == "boolean":
        words = [_BOOLEAN_WORDS.get(t.lower()) for t in filled]
        if None in words:
            return None
        if not missing:
            return pd.Series(np.array(words, dtype=bool))
        values = np.zeros(len(cells), dtype=bool)
        values[~empty] = words
        return pd.Series(pd.arrays.BooleanArray(values, empty))
    if col.type == "integer":
        if "_" in "".join(filled):
            return None
        try:
            numbers = filled.astype(np.int64)  # int() on each text
        except (ValueError, OverflowError):
            return None
        if (numbers == np.iinfo(np.int64).min).any():  # beyond INT64_LIMIT: _convert refuses
            return None
        if not missing:
            return pd.Series(numbers)
        values = np.ones(len(cells), dtype=np.int64)  # under the mask: 1, as pandas puts
        values[~empty] = numbers
        return pd.Series(pd.arrays.IntegerArray(values, empty))
    try:
        numbers = filled.astype(np.float64)  # float() on each text
    except ValueError:
        return None
    if not np.isfinite(numbers).all():
        return None
    values = np.full(len(cells), np.nan)
    values[~empty] = numbers
    return pd.Series(values)


def _parsed(col: ColumnSpec, texts: list[str], where: str,
            ) -> tuple[pd.Series, dict[tuple[int, str], Problem]]:
    """Column `col` read as its type: whole when every cell reads plainly, else cell by cell
    with a problem for each cell that does not read."""
    whole = _parsed_whole(col, texts)
    if whole is not None:
        return whole, {}
    return _parsed_by_cell(col, texts, where)


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
    if references is None and file.is_file():
        # The same file, sidecar and referenced tables as before: the frame checked then.
        key = (name, paths.resolved_name(file), _stamp(file), _stamp(schema.sidecar),
               _stamp(paths.SOURCES_FILE), check_references,
               tuple(_stamp(paths.table_path(c.references.split(".")[0]))
                     for c in schema.columns if c.references and check_references))
        frame = _checked_frame(key, file, where, check_references)
        paths.record_read(file)
        _note_loaded(name, where)
        return frame.copy()
    return _checked(name, schema, file, where, check_references, references)


_LOADING: list[list[tuple[str, str]]] = []  # open collections of tables loaded (see below)


def _note_loaded(name: str, where: str) -> None:
    LOADED[name] = where
    for collected in _LOADING:
        collected.append((name, where))


def _checked_frame(key: tuple, file: Path, where: str, check_references: bool) -> pd.DataFrame:
    hit = _CHECKED.get(key)
    if hit is None:
        loaded: list[tuple[str, str]] = []
        _LOADING.append(loaded)
        try:
            with paths.collected_reads() as reads:  # e.g. the tables it references
                frame = _checked(key[0], load_schema(key[0]), file, where, check_references,
                                 None)
        finally:
            _LOADING.pop()  # nested checks open and close in order
        if len(_CHECKED) >= 256:
            _CHECKED.clear()
        hit = _CHECKED[key] = (frame, tuple(reads), tuple(loaded))
    # A reused check records what the check read and loaded, as the check itself did, so a
    # report lists the same inputs and sources whether or not the check was cached.
    paths.note_reads(hit[1])
    for name, loaded_from in hit[2]:
        _note_loaded(name, loaded_from)
    return hit[0]


def _checked(name: str, schema: TableSchema, file: Path, where: str, check_references: bool,
             references: dict[str, pd.DataFrame] | None) -> pd.DataFrame:
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
            + some_of(f"'{u}'" for u in unknown) if unknown else "") if part)
        problems.append(Problem(f"{where}, header",
                                f"{what}; expected columns: {', '.join(declared)}"))
    raise_problems(problems, f"{where} does not match the schema of table '{name}'")

    if len(raw) == 0 and not schema.meta.get("may_be_empty"):
        raise DataError(f"{where}: the header has no rows under it; expected at least one row "
                        f"of table '{name}'")
    unparsed: dict[tuple[int, str], Problem] = {}
    columns: dict[str, pd.Series] = {}
    for col in schema.columns:
        texts = raw[col.name].tolist() if col.name in raw.columns else [""] * len(raw)
        columns[col.name], problems_of_col = _parsed(col, texts, where)
        unparsed.update(problems_of_col)
    frame = pd.DataFrame(columns)
    refs = _references(schema, references or {}) if check_references else {}
    problems = table_problems(frame, raw, schema.model, name, where, refs, unparsed)
    raise_problems(problems, f"{where} is not a valid '{name}' table")
    frame.attrs["source_file"] = where
    frame.attrs["table"] = name
    _note_loaded(name, where)
    return frame


def check_new_set(folder: Path, names: list[str], shown_as: Path) -> None:
    """Check a derived set written to `folder` (not yet published) exactly as `aijobs validate`
    checks the published one: each table's sidecar in `folder`, then its CSV against that
    sidecar's schema (types, bounds, keys, row checks, references to data/). `names` are the
    tables' names (e.g. 'derived/survey_years'); problems name the files as they will be
    published, in `shown_as`. Raises one DataError on the first table with a problem."""
    loaded = dict(LOADED)  # a check, not a load: a page lists the tables it loaded
    try:
        for name in names:
            base = Path(name).name
            sidecar = folder / f"{base}.meta.yaml"
            where_meta = _rel(shown_as / f"{base}.meta.yaml")
            try:
                meta = read_yaml(sidecar.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise DataError(f"{where_meta}: not valid YAML, {yaml_problem(exc)}") from exc
            model, problems = parse_sidecar(where_meta, meta, load_sources())
            raise_problems(problems, f"sidecar of table '{name}' is incomplete")
            assert model is not None
            _checked(name, TableSchema(name, sidecar, meta, model), folder / f"{base}.csv",
                     _rel(shown_as / f"{base}.csv"), True, None)
    finally:
        LOADED.clear()
        LOADED.update(loaded)


def new_set_check(names: list[str], out_dir: Path,
                  before: Callable[[Path], None] | None = None) -> Callable[[Path], None]:
    """The check a derive command runs on its new set before the swap (files.publish_set):
    `before` (its own, e.g. the columns read back), then check_new_set; a problem is one
    DataError that adds that nothing was published and the earlier set stays."""
    def check(folder: Path) -> None:
        if before is not None:
            before(folder)
        try:
            check_new_set(folder, names, out_dir)
        except DataError as exc:
            raise DataError(f"{exc}; the new tables were not published, the earlier ones in "
                            f"{out_dir} are unchanged") from exc
    return check


def _references(schema: TableSchema, given: dict[str, pd.DataFrame]) -> dict[str, Reference]:
    """For each column that refers to another table, the values it may take: from the frames
    `given` (a user's own roles table, say) or else from data/."""
    out = {}
    for col in schema.columns:
        if not col.references:
            continue
        table, column = col.references.split(".")
        if table in given:
            out[col.name] = Reference(frozenset(given[table][column].dropna()),
                                      given[table].attrs.get("source_file",
                                                             f"the given {table} table"), column)
        else:
            out[col.name] = Reference(_reference_values(table, column),
                                      _rel(paths.table_path(table)), column)
    return out


def _reference_values(table: str, column: str) -> frozenset:
    """The values `column` of `table` in data/ takes. Read through load_table every time (its
    checks are cached), so the referenced table is recorded as loaded and read, in the same
    place of the record, whether or not an earlier check in this process read it: a cache of
    the values alone left it out of the record when warm, and a page's Sources then came out
    in another order depending on what the process had loaded before (a report built alone
    against the same report in a full build)."""
    return frozenset(load_table(table)[column].dropna())


def table_for_file(path: str | Path) -> str:
    """The one table whose schema the header of the CSV at `path` fits (every required column
    there, none unknown), for `aijobs validate --file FILE` without a table's name; a DataError
    that asks for the name, listing the tables, when no table or several fit."""
    file = Path(path)
    where = _rel(file)
    header = [str(h) for h in _read_raw(file).columns]
    fits = []
    shared: dict[str, int] = {}  # columns of the header each table declares
    for name in list_tables():
        columns = load_schema(name).columns
        declared = {c.name for c in columns}
        if set(header) <= declared and all(c.name in header for c in columns if c.required):
            fits.append(name)
        shared[name] = len(set(header) & declared)
    if len(fits) == 1:
        return fits[0]
    usage = f"aijobs validate TABLE --file {path}"
    if fits:
        raise DataError(f"{where}: its header fits the tables {', '.join(fits)}; name the one "
                        f"to check it against: {usage}")
    nearest = max(shared, key=lambda name: shared[name])
    hint = ""
    if shared[nearest] * 2 >= len(header) > 0:
        lacking = [c.name for c in load_schema(nearest).columns
                   if c.required and c.name not in header]
        hint = (f" (nearest: {nearest}, which declares {shared[nearest]} of its "
                f"{len(header)} columns" + (f" and requires {', '.join(lacking)} too"
                                            if lacking else "") + ")")
    raise DataError(f"{where}: its header fits no table's columns, so name the table to check "
                    f"it against: {usage}, where TABLE is one of {', '.join(list_tables())}"
                    f"{hint}")


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
