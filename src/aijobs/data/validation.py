"""A parsed table checked against its sidecar by pandera, with problems in the suite's words.

The sidecar's rules are declared once (`_plan`): not-null for required columns, `isin` for
enums and references, `str_matches` for patterns, `ge`/`gt`/`le` for bounds, uniqueness for
unique columns and the primary key, and one frame-wide check for each rule of `row_checks`.
`table_problems` first evaluates them directly (`_nothing_fails`, the pandas operation pandera
runs for each); a table on which all hold is valid and passes without pandera's machinery
(which costs far more than the checks, and its import a third of a second). Otherwise it builds
the pandera `DataFrameSchema` from the same plan (`pandera_schema`, once per sidecar),
validates lazily so every problem is found at once, and words each failure case with its
file, row, line and column, what the cell holds and what would be right.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aijobs.data.sidecar import ColumnSpec, Problem, RowCheck, Sidecar

if TYPE_CHECKING:
    import pandera.pandas as pa

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


@dataclass(frozen=True)
class _ColumnPlan:
    """One column's rules: may it be empty, must its values differ, and its value checks, each
    a pandera built-in check's name and statistics (its arguments)."""

    name: str
    nullable: bool
    unique: bool
    checks: tuple[tuple[str, dict[str, Any]], ...]
    rules: tuple[_Rule, ...]


@dataclass(frozen=True)
class _Plan:
    """Every rule of a sidecar, declared once: pandera's schema and the quick verdict are both
    made from it."""

    columns: tuple[_ColumnPlan, ...]
    key: tuple[str, ...]  # a primary key of two columns or more, unique together
    row_rules: tuple[_Rule, ...]


def _value_checks(col: ColumnSpec, reference: Reference | None,
                  ) -> tuple[list[tuple[str, dict[str, Any]]], list[_Rule]]:
    checks: list[tuple[str, dict[str, Any]]] = []
    rules: list[_Rule] = []

    def add(check: str, statistics: dict[str, Any], kind: str, reason: str = "") -> None:
        checks.append((check, statistics))
        rules.append(_Rule(kind, col.name, reason))

    if col.enum is not None:
        add("isin", {"allowed_values": list(col.enum)}, "value", "not an allowed value")
    if col.pattern:
        add("str_matches", {"pattern": rf"(?:{col.pattern})\Z"}, "value",
            "does not match the pattern")
    if col.exclusive_minimum is not None:
        add("greater_than", {"min_value": col.exclusive_minimum}, "value", "too small")
    if col.minimum is not None:
        add("greater_than_or_equal_to", {"min_value": col.minimum}, "value", "too small")
    if col.maximum is not None:
        add("less_than_or_equal_to", {"max_value": col.maximum}, "value", "too large")
    if reference is not None:
        add("isin", {"allowed_values": sorted(reference.values)}, "reference")
    return checks, rules


def _holds(frame: pd.DataFrame, when: dict[str, Any]) -> pd.Series:
    """Rows where every column of `when` holds one of its listed values."""
    held = pd.Series(True, index=frame.index)
    for column, wanted in when.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        held &= frame[column].isin(values).fillna(False).astype(bool)
    return held


def _row_rules(checks: tuple[RowCheck, ...]) -> list[_Rule]:
    rules: list[_Rule] = []
    for check in checks:
        if check.compare:
            left, op, right = check.compare

            def compare(df, left=left, op=op, right=right):
                either_empty = df[left].isna() | df[right].isna()
                ok = OPERATORS[op](df[left], df[right]).fillna(True).astype(bool)
                return either_empty | ok

            rules.append(_Rule("compare", f"{left}/{right}", check=check, holds=compare))
            continue
        when = check.when or {}
        for column in check.require:
            rules.append(_Rule("require", column, check=check,
                               holds=_when_then(when, column, "require")))
        for column in check.forbid:
            rules.append(_Rule("forbid", column, check=check,
                               holds=_when_then(when, column, "forbid")))
        for column, expected in check.equal.items():
            rules.append(_Rule("equal", column, check=check,
                               holds=_when_then(when, column, "equal", expected)))
    return rules


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


def _plan(model: Sidecar, references: dict[str, Reference]) -> _Plan:
    """The rules of the sidecar `model`, with the `references` its columns must keep to."""
    columns = []
    for col in model.columns:
        checks, rules = _value_checks(col, references.get(col.name))
        columns.append(_ColumnPlan(col.name, not col.required,
                                   col.unique or model.primary_key == (col.name,),
                                   tuple(checks), tuple(rules)))
    key = model.primary_key if len(model.primary_key) > 1 else ()
    return _Plan(tuple(columns), key, tuple(_row_rules(model.row_checks)))


def pandera_schema(model: Sidecar, name: str, references: dict[str, Reference],
                   ) -> tuple[pa.DataFrameSchema, dict[tuple[str | None, int], _Rule]]:
    """The sidecar as a pandera schema, and what each of its checks stands for, keyed by
    (column, check number) for column checks and (None, check number) for row checks."""
    return _pandera_schema(_plan(model, references), name)


def _pandera_schema(plan: _Plan, name: str,
                    ) -> tuple[pa.DataFrameSchema, dict[tuple[str | None, int], _Rule]]:
    import pandera.pandas as pa  # only when some rule fails: its import costs 0.3 s

    rules: dict[tuple[str | None, int], _Rule] = {}
    columns = {}
    for col in plan.columns:
        rules.update({(col.name, i): rule for i, rule in enumerate(col.rules)})
        columns[col.name] = pa.Column(
            nullable=col.nullable, unique=col.unique, report_duplicates="exclude_first",
            checks=[getattr(pa.Check, check)(**statistics) for check, statistics in col.checks],
            required=False)
    rules.update({(None, i): rule for i, rule in enumerate(plan.row_rules)})
    frame_checks = []
    for rule in plan.row_rules:
        assert rule.holds is not None  # _row_rules makes each with its function
        frame_checks.append(pa.Check(rule.holds, ignore_na=False))
    schema = pa.DataFrameSchema(
        columns, checks=frame_checks, name=name, report_duplicates="exclude_first",
        unique=list(plan.key) or None)
    return schema, rules


# Plans and schemas made, keyed on the identity of the sidecar's model (one per sidecar stamp:
# see tables.load_schema), the table's name and the references: {key: (model, plan, schema)}.
_PLANS: dict[tuple, list[Any]] = {}


def _planned(model: Sidecar, name: str, references: dict[str, Reference]) -> list[Any]:
    key = (id(model), name, tuple(sorted(references.items())))
    hit = _PLANS.get(key)
    if hit is None or hit[0] is not model:  # the model is kept, so its id is not reused
        if len(_PLANS) >= 256:
            _PLANS.clear()
        hit = _PLANS[key] = [model, _plan(model, references), None]
    return hit


def _plan_for(model: Sidecar, name: str, references: dict[str, Reference]) -> _Plan:
    """The plan of a sidecar (as parsed) and references, made once."""
    return _planned(model, name, references)[1]


def _schema_for(model: Sidecar, name: str, references: dict[str, Reference],
                ) -> tuple[pa.DataFrameSchema, dict[tuple[str | None, int], _Rule]]:
    """pandera_schema, built once for each sidecar (as parsed) and set of references."""
    hit = _planned(model, name, references)
    if hit[2] is None:
        hit[2] = _pandera_schema(hit[1], name)
    return hit[2]


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


def _nothing_fails(frame: pd.DataFrame, plan: _Plan) -> bool:
    """True when every rule of `plan` holds on `frame`, each evaluated directly: pandera would
    find no failure case. Each rule is the same pandas operation pandera runs for it (empty
    cells dropped before a column's checks, as pandera's ignore_na does; a row rule's own
    function); an error answers False, so table_problems lets pandera validate and word each
    failure. pandera's own machinery costs about a millisecond a column, the checks themselves
    a few microseconds: nearly every table loaded is valid, and this saves its whole cost."""
    try:
        for column in plan.columns:
            if column.name not in frame:
                return False
            values = frame[column.name]
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
            if column.unique and frame[column.name].duplicated().any():
                return False
            for check, statistics in column.checks:
                on = array if array is not None and check in _ON_ARRAYS else values
                if not _passed(_BUILTIN[check](on, **statistics)):
                    return False
        if plan.key and frame[list(plan.key)].duplicated().any():
            return False
        for rule in plan.row_rules:
            if rule.holds is None or not _passed(rule.holds(frame)):
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
    if not unparsed and _nothing_fails(frame, _plan_for(model, name, references)):
        return []
    from pandera.errors import SchemaErrors  # deferred: pandera is needed only now (0.2 s)

    schema, rules = _schema_for(model, name, references)
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
