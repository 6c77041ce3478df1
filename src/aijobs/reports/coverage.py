"""Which tables and reports cover each section of the article."""

from __future__ import annotations

import json
import re

import pandas as pd

from aijobs import paths
from aijobs.data import tables
from aijobs.reports import config

LOOKUP_TABLES = {"roles"}
LOAD_RE = re.compile(r"load_table\(\s*[\"']([a-z_0-9]+)[\"']")
# source_line("a", "b", ...): the tables a page cites under its charts, read by the package
SOURCE_RE = re.compile(r"source_line\(([^)]*)\)")
NAME_RE = re.compile(r"[\"']([a-z_0-9]+)[\"']")


def notebook_tables(notebook_json: str) -> list[str]:
    """Table names a notebook loads or cites, found from the load_table("...") and
    source_line("...", ...) calls in its code cells."""
    cells = json.loads(notebook_json).get("cells", [])
    code = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code")
    cited = {n for args in SOURCE_RE.findall(code) for n in NAME_RE.findall(args)}
    return sorted(set(LOAD_RE.findall(code)) | cited)


def report_links() -> dict[str, tuple[str, str]]:
    """{report name: (its page, its title)}, to link the reports named in a table."""
    return {spec.name: (f"{spec.name}.html", spec.title)
            for spec in config.load_report_specs()}


def section_coverage() -> pd.DataFrame:
    """One row per article section: the tables whose rows cite it (`tables`, their names, and
    `table_titles`, their titles as readers see them), their row count, and the reports (from
    reports.yaml) whose notebooks load those tables."""
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
                     for spec in config.load_report_specs()}
    rows = []
    for _, s in sections.iterrows():
        names = sorted(cited.get(s["section_id"], {}))
        # Every report loads roles to name things; a section is charted where its own facts
        # are, so roles counts only for a section no other table cites.
        charted = [n for n in names if n not in LOOKUP_TABLES] or names
        reports = sorted({r for r, used in report_tables.items() if set(charted) & set(used)})
        rows.append({"section_order": int(s["section_order"]), "section_id": s["section_id"],
                     "heading": s["heading"], "tables": ", ".join(names) or "-",
                     "table_titles": "; ".join(tables.table_metadata(n)["title"]
                                               for n in names) or "-",
                     "rows": sum(cited.get(s["section_id"], {}).values()),
                     "reports": ", ".join(reports) or "-"})
    return pd.DataFrame(rows)
