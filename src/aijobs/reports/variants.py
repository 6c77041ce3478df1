"""Variants: a report built with parameter values other than its configured ones.

`aijobs build NAME -p ...` (and `make report NAME=... PARAMS=...`) with a value that differs
from the report's own is a variant of that report, never the report itself: its page goes to
reports/variants/<name>--<hash>.html, the named page is left as it was, and the variant's page
opens with a "Variant of ..." banner listing every changed value (the report's own value
beside it). Its title and summary name it as a variant; a scenario notebook's title and
rationale (scenario_title, scenario_rationale) are replaced by ones that describe the changed
values, so the named scenario's story is never printed above numbers it did not produce.
reports/variants/index.html is the gallery of every variant built there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from aijobs.files import write_atomic
from aijobs.reports import settings_text
from aijobs.reports.config import ReportSpec, shown_path
from aijobs.reports.parameters import notebook_parameters
from aijobs.reports.render import rendered, same_value

VARIANTS_DIR_NAME = "variants"
RECORD_NAME = "variants.json"
# Parameters a variant sets itself when the notebook has them (and the caller did not).
STORY_PARAMETERS = ("scenario_title", "scenario_rationale")


def variants_dir(reports_dir: Path) -> Path:
    return Path(reports_dir) / VARIANTS_DIR_NAME


def changed_values(spec: ReportSpec, values: dict[str, Any]) -> dict[str, Any]:
    """The values (already checked) that differ from what the report itself uses: its
    reports.yaml parameters, else the notebook's defaults."""
    declared = notebook_parameters(spec.notebook)
    return {name: value for name, value in values.items()
            if not same_value(value, spec.parameters.get(name, declared[name].default))}


def variant_name(base: str, changed: dict[str, Any]) -> str:
    """<report>--<10 hex digits of the changed values>: stable for the same values, safe as a
    file name whatever the values hold."""
    text = json.dumps(changed, sort_keys=True, default=str, ensure_ascii=False)
    return f"{base}--{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def change_rows(spec: ReportSpec, changed: dict[str, Any]) -> list[dict[str, str]]:
    """One row per changed value: name, the variant's value, the report's own, in a reader's
    words."""
    declared = notebook_parameters(spec.notebook)
    return [{"name": name, "label": settings_text.label(name),
             "value": settings_text.value_text(name, value),
             "own": settings_text.value_text(name, spec.parameters.get(name,
                                                                       declared[name].default))}
            for name, value in changed.items()]


def changes_text(rows: list[dict[str, str]]) -> str:
    """'Today's premium: PwC, 2025 barometer (the report's own: Lightcast, 2025 (one AI skill));
    Years ahead: 10 years (...)', in a reader's words."""
    return "; ".join(f"{r.get('label', r['name'])}: {r['value']} (the report's own: {r['own']})"
                     for r in rows)


def variant_spec(spec: ReportSpec, values: dict[str, Any]) -> ReportSpec | None:
    """The variant of `spec` that `values` (checked parameters) make, or None when every value
    is the report's own (then the named page is what is built). The variant's parameters are
    the report's own (with a story that names the variant); its changed values, in
    variant["values"], are given to the build as overrides, so the page's settings mark them
    "changed"."""
    changed = changed_values(spec, values)
    if not changed:
        return None
    rows = change_rows(spec, changed)
    text = changes_text(rows)
    declared = notebook_parameters(spec.notebook)
    parameters = dict(spec.parameters)  # the changed values are the build's overrides
    story = [p for p in STORY_PARAMETERS if p in declared and p not in changed]
    if "scenario_title" in story:
        own = spec.parameters.get("scenario_title", declared["scenario_title"].default)
        parameters["scenario_title"] = f"Variant of \u201c{own}\u201d" if own else "Variant"
    if "scenario_rationale" in story:
        parameters["scenario_rationale"] = (
            f"Built with changed settings: {text}. The named scenario's rationale describes "
            "its own values, not these.")
    title = f"Variant of {spec.title}"
    summary = (f"The report \u201c{spec.title}\u201d ({spec.name}) built with changed settings: "
               f"{text}. Every other setting is the report's own; what this page shows comes "
               "from these values.")
    return replace(spec, name=variant_name(spec.name, changed), title=title, summary=summary,
                   parameters=parameters,
                   variant={"base": spec.name, "base_title": spec.title, "changes": rows,
                            "base_href": f"../{spec.name}.html", "values": changed})


def record_variant(folder: Path, spec: ReportSpec) -> None:
    """Add the variant to the folder's record (variants.json), which the gallery is built
    from."""
    record_path = folder / RECORD_NAME
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    about = {k: v for k, v in (spec.variant or {}).items() if k != "values"}
    record[spec.name] = {"title": spec.title, "summary": spec.summary,
                         "notebook": shown_path(spec.notebook), **about}
    write_atomic(record_path, json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False))


def write_variants_index(folder: Path, manifest: dict[str, Any]) -> Path:
    """reports/variants/index.html: a card per variant page that exists, with what was changed
    and its first chart's finding."""
    try:
        record = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    cards = [{"name": name, **entry, "headline": manifest.get(name, {}).get("headline", ""),
              "built": manifest.get(name, {}).get("built", "")}
             for name, entry in sorted(record.items())
             if (folder / f"{name}.html").exists()]
    page = rendered("variants.html.j2", title="Variants built with changed settings",
                    cards=cards)
    target = folder / "index.html"
    write_atomic(target, page)
    return target
