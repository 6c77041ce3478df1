"""Which tables and reports cover each section of the article."""

from __future__ import annotations

import re

import pandas as pd

from aijobs import build, paths, tables

LOAD_RE = re.compile(r"load_table\(\s*[\"']([a-z_0-9]+)[\"']")


def notebook_tables(notebook_source: str) -> list[str]:
    """Table names a notebook loads, found from its load_table("...") calls."""
    return sorted(set(LOAD_RE.findall(notebook_source)))


def section_coverage() -> pd.DataFrame:
    """One row per article section: the tables whose rows cite it, their row count, and the
    reports (from reports.yaml) whose notebooks load those tables."""
    sections = tables.load_table("article_sections")
    cited: dict[str, dict[str, int]] = {s: {} for s in sections["section_id"]}
    for name in tables.list_tables():
        column = tables.table_metadata(name)["source"].get("section_column")
        if name == "article_sections" or not column:
            continue
        counts = tables.load_table(name)[column].value_counts()
        for section, n in counts.items():
            cited.setdefault(section, {})[name] = int(n)
    report_tables = {spec.name: notebook_tables(paths.record_read(spec.notebook)
                                                .read_text(encoding="utf-8"))
                     for spec in build.load_report_specs()}
    rows = []
    for _, s in sections.iterrows():
        names = sorted(cited.get(s["section_id"], {}))
        reports = sorted({r for r, used in report_tables.items() if set(names) & set(used)})
        rows.append({"section_order": int(s["section_order"]), "section_id": s["section_id"],
                     "heading": s["heading"], "tables": ", ".join(names) or "-",
                     "rows": sum(cited.get(s["section_id"], {}).values()),
                     "reports": ", ".join(reports) or "-"})
    return pd.DataFrame(rows)
