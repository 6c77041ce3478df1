"""Read a notebook's `parameters` cell and check values against it before any kernel starts.

The cell is plain Python: `name = default  # what it means`. A parameter's type comes from
its default, or from an annotation (`horizon_years: int = 5`). An optional range can follow
in the comment as `[min, max]`, e.g. `region_multiplier = 1.0  # cost of living [0.1, 5]`.
"""

from __future__ import annotations

import ast
import difflib
import io
import json
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aijobs.errors import ParameterError

TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str", list: "list",
              dict: "dict", type(None): "none"}
RANGE_RE = re.compile(r"\[\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\]\s*$")


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    type: str
    comment: str
    minimum: float | None = None
    maximum: float | None = None


def parameters_cell(nb: dict, where: str) -> str:
    cells = [c for c in nb.get("cells", [])
             if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{where}: expected exactly one cell tagged 'parameters', found "
                             f"{len(cells)}. Tag the cell that assigns the defaults.")
    source = cells[0].get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _comments_by_line(source: str) -> dict[int, str]:
    comments = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.lstrip("#").strip()
    return comments


def notebook_parameters(notebook: str | Path) -> dict[str, Parameter]:
    """The parameters a notebook declares, in order, keyed by name."""
    path = Path(notebook)
    where = str(path)
    if not path.is_file():
        raise ParameterError(f"{where}: notebook not found")
    # Plain JSON: nbformat's reader validates the whole notebook and costs a second to import;
    # only the parameters cell is needed here.
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{where}: not a readable notebook ({exc})") from exc
    source = parameters_cell(nb, where)
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{where}: the parameters cell is not valid Python "
                             f"(line {exc.lineno}: {exc.msg})") from exc
    comments = _comments_by_line(source)
    found: dict[str, Parameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, value_node = node.target.id, node.value
            annotation = ast.unparse(node.annotation)
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], ast.Name)):
            name, value_node, annotation = node.targets[0].id, node.value, None
        else:
            raise ParameterError(f"{where}, parameters cell line {node.lineno}: expected only "
                                 "assignments such as `name = value  # meaning`")
        try:
            default = ast.literal_eval(value_node) if value_node is not None else None
        except ValueError as exc:
            raise ParameterError(f"{where}, parameter {name}: the default must be a literal "
                                 "(number, text, list, true/false or None)") from exc
        comment = " ".join(comments.get(n, "") for n in range(node.lineno, node.end_lineno + 1))
        comment = comment.strip()
        if not comment:
            raise ParameterError(f"{where}, parameter {name}: add a comment saying what it means")
        ptype = _annotation_type(annotation) or TYPE_NAMES.get(type(default), "any")
        lo = hi = None
        match = RANGE_RE.search(comment)
        if match:
            lo, hi = float(match.group(1)), float(match.group(2))
        found[name] = Parameter(name, default, ptype, comment, lo, hi)
    return found


def _annotation_type(annotation: str | None) -> str | None:
    if not annotation:
        return None
    base = annotation.split("[")[0].split("|")[0].strip()
    return {"int": "int", "float": "float", "str": "str", "bool": "bool", "list": "list",
            "dict": "dict"}.get(base, "any")


def coerce_text(param: Parameter, text: str) -> Any:
    """A command-line string turned into the parameter's declared type."""
    t = text.strip()
    if param.default is None and t.lower() in ("none", "null", ""):
        return None
    try:
        if param.type == "bool":
            low = t.lower()
            if low in ("true", "yes", "1"):
                return True
            if low in ("false", "no", "0"):
                return False
            raise ValueError
        if param.type == "int":
            return int(t)
        if param.type == "float":
            return float(t)
        if param.type in ("list", "dict"):
            if t == "":
                return [] if param.type == "list" else {}
            if t[0] in "[{":
                return json.loads(t)
            if param.type == "list":
                return [part.strip() for part in t.split(",") if part.strip()]
            raise ValueError
        if param.type == "none" or param.type == "any":
            try:
                return json.loads(t)
            except json.JSONDecodeError:
                return t
    except (ValueError, json.JSONDecodeError) as exc:
        raise ParameterError(f"parameter {param.name}: cannot read {text!r} as {param.type}; "
                             f"expected {_example(param)}") from exc
    return t


def _example(param: Parameter) -> str:
    return {"bool": "true or false", "int": "a whole number such as 5",
            "float": "a number such as 0.8", "list": "a comma-separated list or a JSON list",
            "dict": "a JSON object"}.get(param.type, "text")


def check_value(param: Parameter, value: Any) -> Any:
    """The value, if it fits the parameter's type and range (ints are accepted for floats)."""
    expected = param.type
    if value is None and param.default is None:
        return None  # an optional parameter left unset
    ok = {
        "bool": isinstance(value, bool),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "str": isinstance(value, str),
        "list": isinstance(value, list | tuple),
        "dict": isinstance(value, dict),
    }.get(expected, True)
    if not ok:
        raise ParameterError(f"parameter {param.name}: got {value!r} ({type(value).__name__}); "
                             f"expected {_example(param)}")
    if expected == "float":
        value = float(value)
    if param.minimum is not None and isinstance(value, int | float):
        if not param.minimum <= value <= param.maximum:
            raise ParameterError(f"parameter {param.name}: got {value!r}; expected a value from "
                                 f"{param.minimum:g} to {param.maximum:g} ({param.comment})")
    return list(value) if expected == "list" else value


def validated_parameters(notebook: str | Path, values: dict[str, Any], *,
                         from_text: bool = False) -> dict[str, Any]:
    """`values` checked against the notebook's parameters cell, coerced to declared types.

    An unknown name is an error listing the valid names and the closest match.
    """
    declared = notebook_parameters(notebook)
    out = {}
    for name, value in values.items():
        if name not in declared:
            close = difflib.get_close_matches(name, declared, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ParameterError(f"{Path(notebook).name} has no parameter '{name}'.{hint} "
                                 f"Valid parameters: {', '.join(declared)}")
        param = declared[name]
        if from_text and isinstance(value, str):
            value = coerce_text(param, value)
        out[name] = check_value(param, value)
    return out
