"""The sidecar of a table (`data/<name>.meta.yaml`) as a typed model.

pydantic checks the structure: every key known (an unknown or misspelt key is an error, and a
duplicate key is refused earlier, by the YAML reader), every required key present, types and
patterns right, and the cross-references inside the file (primary key, section column, the
columns a row check names) declared. `sidecar_problems` turns pydantic's errors into the
suite's problem lines: file, column, what is wrong and what would be right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from aijobs.formatting import number_text

COLUMN_TYPES = ("string", "integer", "number", "boolean")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (file, row, column) and what."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ColumnSpec(_Strict):
    """One declared column: its type, meaning, unit and the rules on its values."""

    name: str = Field(min_length=1)
    type: str
    description: str = Field(min_length=1)
    unit: str | None = None
    required: bool = True
    unique: bool = False
    enum: tuple[Any, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    references: str | None = None

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in COLUMN_TYPES:
            raise ValueError(f"type '{value}' is not one of {', '.join(COLUMN_TYPES)}")
        return value

    @field_validator("references")
    @classmethod
    def _table_dot_column(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[a-z_0-9/]+\.[a-z_0-9]+", value):
            raise ValueError(f"references '{value}' should read table.column")
        return value

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"pattern {value!r} is not a regular expression ({exc})") \
                    from None
        return value

    @model_validator(mode="after")
    def _rules_fit_the_type(self) -> ColumnSpec:
        if self.pattern is not None and self.type != "string":
            raise ValueError("pattern applies to string columns only")
        numeric = self.type in ("integer", "number")
        bounds = [k for k in ("minimum", "maximum", "exclusive_minimum")
                  if getattr(self, k) is not None]
        if bounds and not numeric:
            raise ValueError(f"{', '.join(bounds)} applies to integer and number columns only")
        return self

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


class SourceRef(_Strict):
    """Which entry of data/sources.yaml the table cites."""

    id: str
    section_column: str | None = None
    attribution: str | None = None

    @field_validator("id")
    @classmethod
    def _registered(cls, value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("sources")
        if known is not None and value not in known:
            raise ValueError(f"source.id must be one of {', '.join(known)}")
        return value


class RowCheck(_Strict):
    """A rule across the columns of one row: `compare` two columns, or, `when` some columns
    hold given values, `require`, `forbid` or `equal` others."""

    compare: tuple[str, Literal["<=", "<", "=="], str] | None = None
    when: dict[str, Any] | None = None
    require: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()
    equal: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_kind(self) -> RowCheck:
        if (self.compare is None) == (self.when is None):
            raise ValueError("a row check has either compare: [a, op, b] or when: {...}")
        if self.when is not None and not (self.require or self.forbid or self.equal):
            raise ValueError("a when: check needs require, forbid or equal")
        return self

    def columns(self) -> list[str]:
        """Every column the check names."""
        if self.compare:
            return [self.compare[0], self.compare[2]]
        return [*(self.when or {}), *self.require, *self.forbid, *self.equal]


class Sidecar(_Strict):
    """A table's provenance and schema."""

    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    source: SourceRef
    licence: str = Field(min_length=1)
    date_recorded: str
    data_as_of: str | None = None
    primary_key: tuple[str, ...] = ()
    columns: tuple[ColumnSpec, ...] = Field(min_length=1)
    row_checks: tuple[RowCheck, ...] = ()
    derived_from: dict[str, Any] | None = None
    may_be_empty: bool = False

    @field_validator("date_recorded", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> str:
        text = str(value)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(f"date_recorded '{text}' should be YYYY-MM-DD")
        return text

    @field_validator("primary_key", mode="before")
    @classmethod
    def _key_as_tuple(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else (value or ())

    @model_validator(mode="after")
    def _names_declared(self) -> Sidecar:
        names = [c.name for c in self.columns]
        problems = []
        if len(set(names)) != len(names):
            problems.append("column names repeat")
        problems += [f"primary_key '{k}' is not a declared column"
                     for k in self.primary_key if k not in names]
        if self.source.section_column and self.source.section_column not in names:
            problems.append(f"source.section_column '{self.source.section_column}' is not a "
                            "declared column")
        problems += [f"row_checks[{i}] names '{c}', which is not a declared column"
                     for i, check in enumerate(self.row_checks) for c in check.columns()
                     if c not in names]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def sidecar_problems(where: str, meta: Any, sources: dict[str, Any] | None = None,
                     ) -> list[Problem]:
    """Everything wrong with a sidecar's content, as problem lines (empty when it is right).
    `sources` is the registry whose ids source.id may name."""
    return parse_sidecar(where, meta, sources)[1]


def parse_sidecar(where: str, meta: Any, sources: dict[str, Any] | None = None,
                  ) -> tuple[Sidecar | None, list[Problem]]:
    """(the model, []) for a right sidecar, or (None, its problems)."""
    if not isinstance(meta, dict):
        return None, [Problem(where, "expected a mapping of title, description, source, "
                                     "licence, date_recorded and columns")]
    try:
        model = Sidecar.model_validate(meta, context={"sources": sources})
    except ValidationError as exc:
        return None, [_problem(where, meta, err) for err in exc.errors()]
    return model, []


def _problem(where: str, meta: dict[str, Any], err: Any) -> Problem:
    loc = tuple(err["loc"])
    message = str(err["msg"]).removeprefix("Value error, ")
    kind = err["type"]
    if loc[:1] == ("columns",) and len(loc) >= 2 and isinstance(loc[1], int):
        column = (meta.get("columns") or [{}])[loc[1]]
        name = column.get("name") if isinstance(column, dict) else None
        where = f"{where}, column {name}" if name else f"{where}, columns[{loc[1]}]"
        loc = loc[2:]
    field = _field_name(loc)
    in_column = ", column" in where
    if kind in ("missing", "string_too_short"):
        return Problem(where, f"missing {field}" if in_column else f"missing key '{field}'")
    if kind == "extra_forbidden":
        model = ColumnSpec if in_column else _model_at(loc[:-1]) if len(loc) > 1 else Sidecar
        return Problem(where, f"unknown key '{field}'; allowed: "
                              f"{', '.join(sorted(model.model_fields))}")
    if kind == "too_short" and field == "columns":
        return Problem(where, "declares no columns; each column needs at least a name and a type")
    if field and not message.startswith((field, "type ", "references ", "pattern ", "source.",
                                         "date_recorded ")):
        message = f"{field}: {message}"
    return Problem(where, message)


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel]:
    """The model of a nested key (source, row_checks[i]) for the list of allowed keys."""
    nested: dict[str, type[BaseModel]] = {"source": SourceRef, "row_checks": RowCheck}
    return nested.get(str(loc[0]), Sidecar)
