"""A parsed table checked against its sidecar by pandera, with problems in the suite's words.

`table_problems` builds a pandera `DataFrameSchema` from the sidecar (not-null for required
columns, `isin` for enums and references, `str_matches` for patterns, `ge`/`gt`/`le` for
bounds, uniqueness for unique columns and the primary key, and one frame-wide check for each
rule of `row_checks`), validates lazily so every problem is found at once, and words each
failure case with its file, row, line and column, what the cell holds and what would be right.
The schema is built once per sidecar; a table on which every one of its checks holds, checked
directly (`_nothing_fails`), is passed without running pandera's machinery, which costs far
more than the checks themselves.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from aijobs.data.sidecar import ColumnSpec, Problem, RowCheck, Sidecar

OPERATORS = {"<=": operator.le, "<": operator.lt, "==": operator.eq}


@dataclass(frozen=True)
class Reference:
    """The values a column may take because it refers to another table's column."""

    values: frozenset
    target: str  # the other table's file, for the message
    column: str  # the other table's column


@dataclass(frozen=True)
class _Rule:
    """What one pandera check stands for, so that its failures can be worded."""

    kind: str  # value, reference, compare, require, forbid, equal
    column: str
    reason: str = ""
    check: RowCheck | None = None
    holds: Callable[[pd.DataFrame], pd.Series] | None = None  # a row rule's own function


def _value_checks(col: ColumnSpec, reference: Reference | None,
                  ) -> tuple[list[pa.Check], list[_Rule]]:
    checks: list[pa.Check] = []
    rules: list[_Rule] = []

    def add(check: pa.Check, kind: str, reason: str = "") -> None:
        checks.append(check)
        rules.append(_Rule(kind, col.name, reason))

    if col.enum is not None:
        add(pa.Check.isin(list(col.enum)), "value", "not an allowed value")
    if col.pattern:
        add(pa.Check.str_matches(rf"(?:{col.pattern})\Z"), "value", "does not match the pattern")
    if col.exclusive_minimum is not None:
        add(pa.Check.gt(col.exclusive_minimum), "value", "too small")
    if col.minimum is not None:
        add(pa.Check.ge(col.minimum), "value", "too small")
    if col.maximum is not None:
        add(pa.Check.le(col.maximum), "value", "too large")
    if reference is not None:
        add(pa.Check.isin(sorted(reference.values)), "reference")
    return checks, rules


def _holds(frame: pd.DataFrame, when: dict[str, Any]) -> pd.Series:
    """Rows where every column of `when` holds one of its listed values."""
    held = pd.Series(True, index=frame.index)
    for column, wanted in when.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        held &= frame[column].isin(values).fillna(False).astype(bool)
    return held


def _row_rule_checks(checks: tuple[RowCheck, ...]) -> tuple[list[pa.Check], list[_Rule]]:
    out: list[pa.Check] = []
    rules: list[_Rule] = []

    def add(fn: Callable[[pd.DataFrame], pd.Series], kind: str, column: str,
            check: RowCheck) -> None:
        out.append(pa.Check(fn, ignore_na=False))
        rules.append(_Rule(kind, column, check=check, holds=fn))

    for check in checks:
        if check.compare:
            left, op, right = check.compare

            def compare(df, left=left, op=op, right=right):
                either_empty = df[left].isna() | df[right].isna()
                ok = OPERATORS[op](df[left], df[right]).fillna(True).astype(bool)
                return either_empty | ok

            add(compare, "compare", f"{left}/{right}", check)
            continue
        when = check.when or {}
        for column in check.require:
            add(_when_then(when, column, "require"), "require", column, check)
        for column in check.forbid:
            add(_when_then(when, column, "forbid"), "forbid", column, check)
        for column, expected in check.equal.items():
            add(_when_then(when, column, "equal", expected), "equal", column, check)
    return out, rules


def _when_then(when: dict[str, Any], column: str, kind: str, expected: Any = None,
               ) -> Callable[[pd.DataFrame], pd.Series]:
    """A row check: where `when` holds, `column` is filled (require), empty (forbid) or
    equal to `expected` (equal); rows where it does not hold pass."""

    def holds(df: pd.DataFrame) -> pd.Series:
        if kind == "require":
            ok = df[column].notna()
        elif kind == "forbid":
            ok = df[column].isna()
        else:
            ok = (df[column] == expected).fillna(False).astype(bool)
        return ~_holds(df, when) | ok

    return holds


def pandera_schema(model: Sidecar, name: str, references: dict[str, Reference],
                   ) -> tuple[pa.DataFrameSchema, dict[tuple[str | None, int], _Rule]]:
    """The sidecar as a pandera schema, and what each of its checks stands for, keyed by
    (column, check number) for column checks and (None, check number) for row checks."""
    rules: dict[tuple[str | None, int], _Rule] = {}
    columns = {}
    for col in model.columns:
        checks, col_rules = _value_checks(col, references.get(col.name))
        rules.update({(col.name, i): rule for i, rule in enumerate(col_rules)})
        columns[col.name] = pa.Column(
            nullable=not col.required,
            unique=col.unique or model.primary_key == (col.name,),
            report_duplicates="exclude_first",
            checks=checks, required=False)
    frame_checks, row_rules = _row_rule_checks(model.row_checks)
    rules.update({(None, i): rule for i, rule in enumerate(row_rules)})
    schema = pa.DataFrameSchema(
        columns, checks=frame_checks, name=name, report_duplicates="exclude_first",
        unique=list(model.primary_key) if len(model.primary_key) > 1 else None)
    return schema, rules


# Schemas built, keyed on the identity of the sidecar's model (one per sidecar stamp: see
# tables.load_schema), the table's name and the references: {key: (model, schema, rules)}.
_SCHEMAS: dict[tuple, tuple[Sidecar, pa.DataFrameSchema, dict]] = {}


def _schema_for(model: Sidecar, name: str, references: dict[str, Reference],
                ) -> tuple[pa.DataFrameSchema, dict[tuple[str | None, int], _Rule]]:
    """pandera_schema, built once for each sidecar (as parsed) and set of references."""
    key = (id(model), name, tuple(sorted(references.items())))
    hit = _SCHEMAS.get(key)
    if hit is None or hit[0] is not model:  # the model is kept, so its id is not reused
        if len(_SCHEMAS) >= 256:
            _SCHEMAS.clear()
        hit = _SCHEMAS[key] = (model, *pandera_schema(model, name, references))
    return hit[1], hit[2]


# The built-in checks _value_checks declares, as the pandas operation pandera applies for each
# (pandera.backends.pandas.builtin_checks), given the check's statistics.
_BUILTIN: dict[str, Callable[..., pd.Series]] = {
    "isin": lambda s, allowed_values: s.isin(frozenset(allowed_values)),
    "str_matches": lambda s, pattern: s.str.match(pattern, na=False),
    "greater_than": lambda s, min_value: s > min_value,
    "greater_than_or_equal_to": lambda s, min_value: s >= min_value,
    "less_than_or_equal_to": lambda s, max_value: s <= max_value,
}


# Checks that give the same answer on a numpy column's array as on its Series: pandas compares
# int64 and float64 columns with numpy's own operators.
_ON_ARRAYS = {"greater_than", "greater_than_or_equal_to", "less_than_or_equal_to"}


def _passed(output: Any) -> bool:
    """A check's output holds everywhere: booleans, none missing, all true."""
    if isinstance(output, pd.Series):
        output = output.to_numpy()  # a masked boolean with a missing value gives objects
    return isinstance(output, np.ndarray) and output.dtype == bool and bool(output.all())


def _nothing_fails(frame: pd.DataFrame, schema: pa.DataFrameSchema,
                   rules: dict[tuple[str | None, int], _Rule]) -> bool:
    """True when every check of `schema` holds on `frame`, each evaluated directly: pandera
    would find no failure case. Each rule is the same pandas operation pandera runs for it
    (empty cells dropped before a column's checks, as pandera's ignore_na does), and anything
    this does not know (another kind of check, a setting, an error) answers False, so
    table_problems lets pandera validate and word each failure. pandera's own machinery costs
    about a millisecond a column, the checks themselves a few microseconds: nearly every table
    loaded is valid, and this saves its whole cost for them."""
    if schema.strict or schema.ordered or schema.coerce or schema.dtype is not None \
            or schema.index is not None:
        return False
    try:
        for column_name, column in schema.columns.items():
            if column_name not in frame or column.dtype is not None or column.coerce \
                    or column.regex:
                return False
            values = frame[column_name]
            numeric = isinstance(values.dtype, np.dtype) and values.dtype.kind in "if"
            array = values.to_numpy() if numeric else None
            if array is None:
                empty = values.isna().to_numpy()
            else:  # int64 holds no missing value; float64's is NaN
                empty = np.isnan(array) if array.dtype.kind == "f" else np.zeros(len(array), bool)
            if empty.any():
                if not column.nullable:
                    return False
                values = values[~empty]
                array = array[~empty] if array is not None else None
            if column.unique and frame[column_name].duplicated().any():
                return False
            for check in column.checks:
                builtin = _BUILTIN.get(check.name)
                if builtin is None or check.groupby is not None or not check.ignore_na \
                        or check.element_wise:
                    return False
                on = array if array is not None and check.name in _ON_ARRAYS else values
                if not _passed(builtin(on, **check.statistics)):
                    return False
        if schema.unique and frame[list(schema.unique)].duplicated().any():
            return False
        for number, check in enumerate(schema.checks):
            rule = rules.get((None, number))
            if rule is None or rule.holds is None or check.groupby is not None \
                    or check.ignore_na or check.element_wise \
                    or not _passed(rule.holds(frame)):
                return False
    except Exception:  # noqa: BLE001 - pandera will run the check and word what went wrong
        return False
    return True


def _loc(where: str, index: int, column: str) -> str:
    return f"{where}, row {index + 1} (line {index + 2}), column {column}"


def _first_row_with(frame: pd.DataFrame, key: list[str], index: int) -> int:
    same = (frame[key] == frame.loc[index, key]).fillna(False).all(axis=1)
    return int(same[same].index[0])


def _repeat(frame: pd.DataFrame, key: list[str], index: int, where: str) -> Problem | None:
    if frame.loc[index, key].isna().any():
        return None  # a key with an empty part is not compared
    shown = ", ".join(f"{k}={_cell(frame.at[index, k])!r}" for k in key)
    return Problem(_loc(where, index, "/".join(key)),
                   f"{shown} repeats row {_first_row_with(frame, key, index) + 1}; "
                   "expected each value once")


def _value_text(value: Any) -> str:
    value = _cell(value)
    return f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) \
        else repr(value)


def table_problems(frame: pd.DataFrame, texts: pd.DataFrame, model: Sidecar, name: str,
                   where: str, references: dict[str, Reference],
                   unparsed: dict[tuple[int, str], Problem]) -> list[Problem]:
    """Every problem in `frame` (values typed by the caller, `texts` the cells as written, for
    messages), pandera's findings and the cells in `unparsed` that could not be read as their
    type. Order: cells column by column and row by row, then row rules, repeats, references."""
    schema, rules = _schema_for(model, name, references)
    if not unparsed and _nothing_fails(frame, schema, rules):
        return []
    order = {c.name: i for i, c in enumerate(model.columns)}
    values: list[tuple[int, int, Problem]] = [
        (order[column], index, problem) for (index, column), problem in unparsed.items()]
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return [p for *_, p in sorted(values, key=lambda t: t[:2])]
    row_rules: list[tuple[int, int, Problem]] = []
    repeats: list[tuple[int, Problem]] = []
    refs: list[tuple[int, int, Problem]] = []
    seen: set[tuple[Any, ...]] = set()
    for case in cases.itertuples(index=False):
        check = str(case.check)
        if pd.isna(case.index):  # a dtype or other frame-wide failure: word pandera's own
            column = str(case.column)
            values.append((order.get(column, len(order)), 0, Problem(where, f"failed {check}")))
            continue
        index = int(case.index)
        number = None if pd.isna(case.check_number) else int(case.check_number)
        if case.schema_context == "DataFrameSchema" and check == "multiple_fields_uniqueness":
            if ("pk", index) in seen:
                continue
            seen.add(("pk", index))
            problem = _repeat(frame, list(model.primary_key), index, where)
            if problem:
                repeats.append((index, problem))
            continue
        if case.schema_context == "DataFrameSchema" and number is not None:
            if (number, index) in seen:
                continue
            seen.add((number, index))
            row_rules.append((number, index,
                              _row_rule_problem(rules[(None, number)], frame, index, where)))
            continue
        column = str(case.column)
        if (index, column) in unparsed:
            continue  # already reported: the cell did not read as its type
        col = model.column(column)
        if check == "field_uniqueness":
            problem = _repeat(frame, [column], index, where)
            if problem:
                repeats.append((index, problem))
            continue
        if check == "not_nullable":
            values.append((order[column], index, Problem(
                _loc(where, index, column), f"empty; expected {col.expectation()}")))
            continue
        rule = rules.get((column, number)) if number is not None else None
        if rule is None:  # a dtype or other schema-level failure: word pandera's own
            values.append((order[column], index, Problem(_loc(where, index, column),
                                                         f"failed {check}")))
            continue
        text = texts.at[index, column] if column in texts else frame.at[index, column]
        if rule.kind == "reference":
            ref = references[column]
            allowed = sorted(map(str, ref.values))
            sample = ", ".join(allowed[:12]) + (f", ... ({len(allowed) - 12} more)"
                                                if len(allowed) > 12 else "")
            refs.append((order[column], index, Problem(
                _loc(where, index, column), f"{_cell(frame.at[index, column])!r} is not a "
                f"{ref.column} in {ref.target}; expected one of the {len(allowed)}: {sample}")))
            continue
        if ("value", column, index) in seen:
            continue  # one reason per cell: the first rule it breaks
        seen.add(("value", column, index))
        values.append((order[column], index, Problem(
            _loc(where, index, column),
            f"got {text!r}, {rule.reason}; expected {col.expectation()}")))
    return ([p for *_, p in sorted(values, key=lambda t: t[:2])]
            + [p for *_, p in sorted(row_rules, key=lambda t: t[:2])]
            + [p for _, p in sorted(repeats, key=lambda t: t[0])]
            + [p for *_, p in sorted(refs, key=lambda t: t[:2])])


def _row_rule_problem(rule: _Rule, frame: pd.DataFrame, index: int, where: str) -> Problem:
    check = rule.check
    assert check is not None
    if rule.kind == "compare":
        assert check.compare is not None  # a compare rule is made only from a check's compare
        left, op, right = check.compare
        return Problem(f"{where}, row {index + 1} (line {index + 2}), columns {left}/{right}",
                       f"{left} = {_value_text(frame.at[index, left])} but {right} = "
                       f"{_value_text(frame.at[index, right])}; expected {left} {op} {right}")
    why = " and ".join(f"{k} is {frame.at[index, k]}" for k in check.when or {})
    loc = _loc(where, index, rule.column)
    value = frame.at[index, rule.column]
    if rule.kind == "require":
        return Problem(loc, f"empty, but a value is required when {why}")
    if rule.kind == "forbid":
        return Problem(loc, f"got {_cell(value)!r}; expected empty when {why}")
    expected = check.equal[rule.column]
    return Problem(loc, f"got {_cell(value)!r}; expected {expected!r} when {why}")


def _cell(value: Any) -> Any:
    """A frame cell as the Python value it holds (numpy scalars to int, float, bool)."""
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value
