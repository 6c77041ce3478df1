"""Settings in a reader's words: each notebook parameter's label, value and meaning as a page
shows them, from templates/settings.yaml (the one place they are written).

A parameter missing from settings.yaml still reads without code: its name with spaces, its
comment as the meaning. tests/reports/test_pages_for_readers.py checks every parameter of the
suite's notebooks has an entry, so that fallback is for notebooks a user adds.
"""

from __future__ import annotations

import csv
import functools
import math
from typing import Any

from aijobs import paths, words
from aijobs.files import read_yaml
from aijobs.formatting import number_text

SETTINGS_TEXT_FILE = paths.TEMPLATES_DIR / "settings.yaml"
FORMATS = ("percent", "percent_points", "usd", "times")


@functools.cache
def entries() -> dict[str, dict[str, Any]]:
    """settings.yaml as {parameter name: entry}."""
    return read_yaml(SETTINGS_TEXT_FILE.read_text(encoding="utf-8")) or {}


@functools.cache
def role_names() -> dict[str, str]:
    """{role id: role name} from data/roles.csv (read without pandas); empty if unreadable."""
    try:
        with paths.table_path("roles").open(encoding="utf-8", newline="") as handle:
            return {row["role_id"]: row["role_name"] for row in csv.DictReader(handle)
                    if row.get("role_id") and row.get("role_name")}
    except (OSError, KeyError, csv.Error):
        return {}


def label(name: str) -> str:
    """The setting as a reader names it ("Company country")."""
    text = entries().get(name, {}).get("label")
    return str(text) if text else name.replace("_", " ").capitalize()


def meaning(name: str, comment: str = "") -> str:
    """What the setting does, in a reader's words, ending with a full stop."""
    text = str(entries().get(name, {}).get("meaning") or comment.replace("_", " "))
    return text if text.endswith(".") else text + "."


def _number(value: float, entry: dict[str, Any]) -> str:
    fmt, unit = entry.get("format"), entry.get("unit")
    if fmt == "percent":
        text = f"{value * 100:g}%"
    elif fmt == "percent_points":
        text = f"{value:g}%"
    elif fmt == "usd":
        text = f"${value:,.0f}"
    elif fmt == "times":
        text = f"x{value:g}"
    else:
        text = number_text(value) if float(value).is_integer() else f"{value:g}"
    return f"{text} {words.noun_for(value, unit)}" if unit else text


def _item(name: str, value: Any) -> str:
    """One value, or one item of a list, in words."""
    entry = entries().get(name, {})
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if value == 0 and "zero" in entry:
            return str(entry["zero"])
        return _number(float(value), entry) if math.isfinite(value) else str(value)
    text = str(value)
    words = entry.get("values") or {}
    if text in words:
        return str(words[text])
    if entry.get("values_from") == "roles" and text in role_names():
        return role_names()[text]
    if entry.get("format") in FORMATS:  # a number given as text, e.g. a premium "0.25"
        try:
            return _number(float(text), entry)
        except ValueError:
            pass
    return text


def value_text(name: str, value: Any) -> str:
    """A parameter's value as a reader would write it: lists as "US, CA", an empty value as
    the entry's `empty` ("all"), None as its `none`, codes through its `values`, numbers in
    its format, and a dict of ranges as "Label: low to high (most likely m)"."""
    entry = entries().get(name, {})
    if value is None:
        return str(entry.get("none", "not set"))
    if isinstance(value, list | tuple | dict) and not value or value == "":
        return str(entry.get("empty", "all" if isinstance(value, list | tuple) else "none"))
    if isinstance(value, list | tuple):
        return ", ".join(_item(name, v) for v in value)
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            if isinstance(item, list | tuple) and len(item) == 3:
                low, mode, high = (_item(key, v) for v in item)
                parts.append(f"{words.lower_first(label(key))}: {low} to {high} "
                             f"(most likely {mode})")
            else:
                parts.append(f"{words.lower_first(label(key))}: {value_text(key, item)}")
        return "; ".join(parts)
    return _item(name, value)


def allowed_text(name: str, param: Any) -> str:
    """What values are allowed, in words (no patterns: a pattern is for the checks)."""
    parts = []
    if param.type == "dict":  # a dict of ranges: its keys are settings, each in its own range
        if param.choices is not None:
            parts.append("ranges for "
                         + "; ".join(words.lower_first(label(c)) for c in param.choices)
                         + ", each inside its setting's own range")
        return ", ".join(parts)
    if param.minimum is not None and param.maximum is not None:
        entry = entries().get(name, {})
        if entry.get("format") in FORMATS:
            parts.append(f"from {_number(param.minimum, entry)} to {_number(param.maximum, entry)}")
        else:
            parts.append(f"from {number_text(param.minimum)} to {number_text(param.maximum)}")
    if param.choices is not None:
        shown = [_item(name, c) if c else str(entries().get(name, {}).get("empty", "none"))
                 for c in param.choices]
        parts.append("one of: " + "; ".join(shown))
    return ", ".join(parts)


def is_key(name: str, notebook: str = "") -> bool:
    """Whether the setting is shown near the top of the pages of `notebook` (its file name
    without .ipynb): `key: true` on every page, `key: [names]` on those notebooks' pages."""
    key = entries().get(name, {}).get("key")
    return notebook in key if isinstance(key, list) else bool(key)


def is_quiet(name: str) -> bool:
    """Whether the setting stays out of the short list near the top (the title says it)."""
    return bool(entries().get(name, {}).get("quiet"))
