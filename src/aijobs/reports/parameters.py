"""Read a notebook's `parameters` cell and check values against it before any kernel starts.

The cell is plain Python: `name = default  # what it means`. A parameter's type comes from
its default, or from an annotation (`horizon_years: int = 5`, `work_years: list[int] = []`,
`uncertainty: dict[str, list[float]] = {}`). The comment may end with what is allowed, in any
order:

- `[min, max]`: the range of a number, or of every number in a list or in a dict's lists;
- `{a, b, c}`: the choices of a text, of every item of a list, or of a dict's keys
  (`""` is a choice written as two quotes);
- `/regex/`: a pattern every text, list item or dict key must match in full.

Every number must have a range; NaN and infinity are never accepted. Checks that need the
package's data (a premium estimate id, an uncertainty range inside its parameter's bounds) are
run here too, through VALUE_CHECKS, so a bad value costs no kernel start.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import difflib
import functools
import io
import json
import math
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aijobs import paths
from aijobs.analysis import scenario_settings
from aijobs.errors import ParameterError
from aijobs.files import loads_json
from aijobs.formatting import number_text

TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str", list: "list",
              dict: "dict", type(None): "none"}
RANGE_RE = re.compile(r"\[\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\]\s*$")
CHOICES_RE = re.compile(r"\{([^{}\[\]]*)\}\s*$")
PATTERN_RE = re.compile(r"(?:^|\s)/([^/\s]+)/\s*$")
ITEM_TYPES = {"str": str, "int": int, "float": float}


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    type: str
    comment: str  # what it means, without the allowed-values tail
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    pattern: str | None = None
    item_type: str | None = None  # of a list's items, or of the numbers in a dict's lists

    def allowed(self) -> str:
        """What values are allowed, in words ("from 1 to 30", "one of: rate, supply_demand")."""
        parts = []
        if self.minimum is not None and self.maximum is not None:  # given together
            parts.append(f"from {number_text(self.minimum)} to {number_text(self.maximum)}")
        if self.choices is not None:
            parts.append("one of: " + ", ".join(c if c else '"" (none)' for c in self.choices))
        if self.pattern is not None:
            parts.append(f"matching {self.pattern}")
        return "; ".join(parts)


def _spec_tail(comment: str) -> tuple[str, dict[str, Any]]:
    """The comment without its trailing [min, max], {choices} and /pattern/, and those specs."""
    spec: dict[str, Any] = {}
    while True:
        if (m := RANGE_RE.search(comment)) and "minimum" not in spec:
            spec["minimum"], spec["maximum"] = float(m.group(1)), float(m.group(2))
        elif (m := CHOICES_RE.search(comment)) and "choices" not in spec:
            spec["choices"] = tuple("" if c.strip() in ('""', "''") else c.strip()
                                    for c in m.group(1).split(","))
        elif (m := PATTERN_RE.search(comment)) and "pattern" not in spec:
            spec["pattern"] = m.group(1)
        else:
            return comment.strip(), spec
        comment = comment[:m.start()].rstrip()


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
    try:
        info = path.stat()
    except OSError:
        return _notebook_parameters(path, where)
    # A build checks one notebook's parameters a dozen times or more (every value, then the
    # values together, the variant, the settings text): read each notebook once per process,
    # and again when it changes (its time, size and inode are the key). Each caller gets its
    # own copies of the defaults.
    found = _parameters_cached(where, (info.st_mtime_ns, info.st_size, info.st_ino))
    return {name: dataclasses.replace(param, default=copy.deepcopy(param.default))
            if isinstance(param.default, list | dict) else param
            for name, param in found.items()}


@functools.lru_cache(maxsize=64)
def _parameters_cached(where: str, _stamp: tuple[int, int, int]) -> dict[str, Parameter]:
    return _notebook_parameters(Path(where), where)


def _notebook_parameters(path: Path, where: str) -> dict[str, Parameter]:
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
        last = node.end_lineno or node.lineno
        comment = " ".join(comments.get(n, "") for n in range(node.lineno, last + 1))
        comment = comment.strip()
        if not comment:
            raise ParameterError(f"{where}, parameter {name}: add a comment saying what it means")
        ptype, item_type = _annotation_type(annotation)
        ptype = ptype or TYPE_NAMES.get(type(default), "any")
        if item_type is None and ptype == "list" and default:
            item_type = TYPE_NAMES.get(type(default[0]))
        meaning, spec = _spec_tail(comment)
        if ptype in ("int", "float") and "minimum" not in spec:
            raise ParameterError(f"{where}, parameter {name}: a number needs its range at the "
                                 "end of the comment, e.g. [0, 1]")
        found[name] = Parameter(name, default, ptype, meaning, item_type=item_type, **spec)
    return found


def _annotation_type(annotation: str | None) -> tuple[str | None, str | None]:
    """(type, item type) from an annotation such as `list[int]` or `dict[str, list[float]]`."""
    if not annotation:
        return None, None
    text = annotation.replace(" ", "")
    base = text.split("[")[0].split("|")[0]
    ptype = {"int": "int", "float": "float", "str": "str", "bool": "bool", "list": "list",
             "dict": "dict"}.get(base, "any")
    inner = re.findall(r"\b(str|int|float)\b", text[len(base):])
    return ptype, (inner[-1] if inner else None)


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
                try:
                    return loads_json(t, unique_keys=True)
                except ValueError as exc:
                    if not str(exc).startswith("not valid JSON"):  # too deep, a key twice
                        raise ParameterError(f"parameter {param.name}: {exc}") from None
                    raise
            if param.type == "list":
                items = [part.strip() for part in t.split(",") if part.strip()]
                if param.item_type in ("int", "float"):
                    return [ITEM_TYPES[param.item_type](item) for item in items]
                return items
            raise ValueError
        if param.type == "none" or param.type == "any":
            try:
                return loads_json(t, unique_keys=True)
            except ValueError:
                return t
    except ParameterError:
        raise
    except (ValueError, json.JSONDecodeError) as exc:
        hint = ""
        if param.type == "dict" and t[:1] == "{" and '"' not in t:
            hint = (" (the double quotes around the keys are missing: a shell strips them "
                    "unless the whole value is in single quotes)")
        raise ParameterError(f"parameter {param.name}: cannot read {shown_value(text)} as "
                             f"{param.type}; expected {_example(param)}{hint}") from exc
    return text if param.type == "str" else t  # text keeps its spaces (see cli.flag_pairs)


def shown_value(value: Any, limit: int = 80) -> str:
    """A value as shown in a message: its repr, cut to `limit` characters with the length
    said (an error line stays one readable line whatever was typed)."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(str(value)):,} characters)"


def _example(param: Parameter) -> str:
    return {"bool": "true or false", "int": "a whole number such as 5",
            "float": "a number such as 0.8", "list": "a comma-separated list or a JSON list",
            "dict": "a JSON object"}.get(param.type, "text")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fits(expected: str | None, value: Any) -> bool:
    return {
        "bool": isinstance(value, bool),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": _is_number(value),
        "str": isinstance(value, str),
        "list": isinstance(value, list | tuple),
        "dict": isinstance(value, dict),
    }.get(expected or "any", True)


def _number_problem(param: Parameter, value: Any) -> str | None:
    if not _is_number(value):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "a finite number (not NaN or infinity)"
    if param.minimum is not None and param.maximum is not None \
            and not param.minimum <= value <= param.maximum:
        return f"a value from {number_text(param.minimum)} to {number_text(param.maximum)}"
    return None


def _text_problem(param: Parameter, value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if param.choices is not None and value not in param.choices:
        close = difflib.get_close_matches(value, [c for c in param.choices if c], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return "one of " + ", ".join(repr(c) for c in param.choices) + hint
    if param.pattern is not None and not re.fullmatch(param.pattern, value):
        return f"text matching {param.pattern}"
    return None


def _fail(param: Parameter, value: Any, expected: str, where: str = "") -> ParameterError:
    return ParameterError(f"parameter {param.name}: got {value!r}{where}; expected {expected}")


def check_value(param: Parameter, value: Any) -> Any:
    """The value, if it fits the parameter's type, range, choices and pattern, items included
    (ints are accepted for floats). NaN and infinity are refused everywhere."""
    expected = param.type
    if value is None and param.default is None:
        return None  # an optional parameter left unset
    if not _fits(expected, value):
        raise ParameterError(f"parameter {param.name}: got {value!r} "
                             f"({type(value).__name__}); expected {_example(param)}")
    if expected == "float":
        value = float(value)
    problem = _number_problem(param, value) or _text_problem(param, value)
    if problem:
        raise _fail(param, value, problem)
    if expected == "list":
        value = list(value)
        for i, item in enumerate(value, start=1):
            if param.item_type and not _fits(param.item_type, item):
                raise _fail(param, item, f"every item {_item_words(param.item_type)}",
                            f" as item {i}")
            if item is None or isinstance(item, list | dict):
                raise _fail(param, item, "plain values in the list", f" as item {i}")
            problem = _number_problem(param, item) or _text_problem(param, item)
            if problem:
                raise _fail(param, item, problem, f" as item {i}")
    if expected == "dict":
        for key, item in value.items():
            problem = _text_problem(param, key)
            if problem:
                raise _fail(param, key, f"keys that are {problem}", " as a key")
            numbers = item if isinstance(item, list | tuple) else [item]
            for number in numbers:
                if param.item_type in ("int", "float") and not _is_number(number):
                    raise _fail(param, item, "numbers", f" for {key!r}")
                problem = _number_problem(param, number)
                if problem:
                    raise _fail(param, number, problem, f" in {key!r}")
    return value


def _item_words(item_type: str) -> str:
    return {"str": "a text", "int": "a whole number", "float": "a number"}[item_type]


# Checks that need the package's own data or rules, keyed by parameter name; each returns a
# one-line message, or None. The scenario checks need neither numpy nor pandas
# (aijobs.analysis.scenario_settings); the roles check loads pandas, only when roles are named.
def _premium_source_problem(value: Any, values: dict[str, Any], param: Parameter) -> str | None:
    return scenario_settings.premium_source_problem(value)


def _uncertainty_problem(value: Any, values: dict[str, Any], param: Parameter) -> str | None:
    return scenario_settings.uncertainty_problem(value, values)


# What a notebook's `roles` can chart, read from the parameter's comment: the roles of the
# table it names, or those with a salary band. (table, the words for a role missing from it)
ROLE_TABLES = (("growth_rates.csv", "growth_rates", "has no growth rate"),
               ("band", "salary_bands", "has no salary band"))


def _roles_problem(value: Any, values: dict[str, Any], param: Parameter) -> str | None:
    from aijobs.data import tables  # deferred: pandas, only when roles are named

    own = values.get("roles_path") or None
    roles = tables.load_table("roles", _input_path(own) if own else None,
                              check_references=False)
    known = list(roles["role_id"])
    unknown = [r for r in value if r not in known]
    if unknown:
        close = difflib.get_close_matches(unknown[0], known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return (f"parameter roles: no role {unknown[0]!r}{hint} in "
                f"{'roles_path' if own else 'data/roles.csv'}; the {len(known)} role ids: "
                f"{', '.join(known)}")
    for words, table, missing_words in ROLE_TABLES:
        if words in param.comment:
            having = list(dict.fromkeys(tables.load_table(table)["role_id"]))
            missing = [r for r in value if r not in having]
            if missing:
                return (f"parameter roles: {missing[0]!r} {missing_words} (data/{table}.csv), "
                        f"so this report cannot chart it; the {len(having)} roles that have "
                        f"one: {', '.join(having)}")
            break
    return None


VALUE_CHECKS: dict[str, Callable[[Any, dict[str, Any], Parameter], str | None]] = {
    "premium_source": _premium_source_problem,
    "uncertainty": _uncertainty_problem,
    "roles": _roles_problem,
}


# Settings of reading a survey file: without one (the committed evidence) they change nothing,
# so a value other than the default is refused rather than shown as "(changed)" and ignored.
NEEDS_SURVEY_FILE = ("min_salary_usd", "max_salary_usd", "survey_strict")


def _check_needs_survey_file(param: Parameter, value: Any, merged: dict[str, Any]) -> None:
    needs = param.name in NEEDS_SURVEY_FILE or param.comment.startswith("with survey_path:")
    if not needs or "survey_path" not in merged or value == param.default:
        return
    if str(merged.get("survey_path") or "").strip():
        return
    raise ParameterError(f"parameter {param.name}: {value!r} applies only to a survey file read "
                         f"with survey_path (the committed evidence was computed with "
                         f"{param.name} {param.default!r}); add -p survey_path <salaries.csv> "
                         f"or leave {param.name} out")


def _input_path(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else paths.NOTEBOOKS_DIR / path


def _check_input_file(name: str, value: str) -> None:
    """A `*_path` parameter must name an existing regular file (relative paths are read from
    notebooks/, where the notebooks run; the command line makes them absolute first)."""
    path = _input_path(value)
    problem = ("does not exist" if not path.exists() else "is a folder" if path.is_dir()
               else None if path.is_file() else "is not a regular file (a pipe or device)")
    if problem:
        raise ParameterError(f"parameter {name}: {value} {problem}; expected the path of a "
                             "file (a relative path is read from the folder you run the "
                             "command in)")
    table = name.removesuffix("_path")
    if paths.sidecar_path(table).is_file():  # a user's own table: validate it now
        from aijobs.data import tables  # deferred: pandas, only when a table is given

        tables.load_table(table, path, check_references=False)


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
        if name.endswith("_path") and isinstance(out[name], str) and out[name].strip():
            _check_input_file(name, out[name])
    merged = {**{n: p.default for n, p in declared.items()}, **out}
    for name, value in out.items():
        _check_needs_survey_file(declared[name], value, merged)
        check = VALUE_CHECKS.get(name)
        problem = check(value, merged, declared[name]) if check and value is not None else None
        if problem:
            raise ParameterError(problem)
    if out:
        check_together(notebook, out)
    return out


def check_together(notebook: str | Path, values: dict[str, Any]) -> None:
    """Settings that are each valid but not together: a ParameterError naming them. `values`
    are the report's (its configured parameters and any given) over the notebook's defaults.
    Today: a supply_demand scenario whose premium would grow beyond what a page can compute."""
    declared = notebook_parameters(notebook)
    if not {"mode", "elasticity", "supply_growth"} <= set(declared):
        return
    merged = {**{n: p.default for n, p in declared.items()}, **values}
    problem = scenario_settings.premium_growth_problem(merged)
    if problem:
        raise ParameterError(problem)
