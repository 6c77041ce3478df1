"""Survey evidence: the summaries the reports show, from a survey file or from data/derived/.

`evidence_tables` computes every summary from a survey; `write_derived` commits them to
data/derived/ with sidecars that record the snapshot, row counts, exclusions, filters, licence
and attribution (`make survey-derive SURVEY=path`). `load_evidence` gives notebooks the same
tables either way: recomputed from `survey_path`, or read from data/derived/ when it is empty,
so a fresh clone has evidence with no download.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from aijobs import paths
from aijobs.data import tables as table_io
from aijobs.errors import ParameterError
from aijobs.files import write_atomic
from aijobs.survey import reader as survey

DERIVED_DIR = paths.DATA_DIR / "derived"
PREFIX = "derived/"

_COMMON = {
    "role_id": {"type": "string", "references": "roles.role_id",
                "description": "Role of the article (survey titles mapped by survey_title_map)"},
    "n": {"type": "integer", "minimum": 0, "description": "Responses in the group"},
    "is_reportable": {"type": "boolean",
                      "description": "n is at least min_n; rows marked false are never a finding"},
}
_USD = "USD per year"

SCHEMAS: dict[str, dict[str, Any]] = {
    "survey_percentiles": {
        "title": "Survey pay percentiles per role",
        "description": "p10 to p90 of salary_in_usd per role: over all responses, by work year "
                       "and by experience level (group says which).",
        "primary_key": ["role_id", "group", "group_value"],
        "columns": [
            ("role_id", _COMMON["role_id"]),
            ("group", {"type": "string", "enum": ["all", "work_year", "experience_level"],
                       "description": "How the responses are split"}),
            ("group_value", {"type": "string",
                             "description": "The year or level; all for no split"}),
            ("n", _COMMON["n"]),
            *[(f"p{q}_usd", {"type": "number", "unit": _USD, "exclusive_minimum": 0,
                             "description": f"{q}th percentile of salary_in_usd"})
              for q in (10, 25, 50, 75, 90)],
            ("is_reportable", _COMMON["is_reportable"]),
        ],
    },
    "survey_premium": {
        "title": "AI premium over software-engineer pay",
        "description": "Each AI role's median over the software-engineer median, minus one; per "
                       "work year, and pooled over the matched years (work_year empty) where "
                       "the survey has enough software-engineer responses.",
        "primary_key": ["role_id", "work_year"],
        "columns": [
            ("role_id", _COMMON["role_id"]),
            ("work_year", {"type": "integer", "required": False,
                           "description": "Year; empty for the pooled matched years"}),
            ("ai_median_usd", {"type": "number", "unit": _USD, "exclusive_minimum": 0,
                               "description": "Median pay of the role"}),
            ("baseline_median_usd", {"type": "number", "required": False, "unit": _USD,
                                     "exclusive_minimum": 0,
                                     "description": "Median pay of software engineers"}),
            ("premium", {"type": "number", "required": False, "exclusive_minimum": -1,
                         "unit": "fraction",
                         "description": "ai_median / baseline_median - 1; empty when not "
                                        "computable"}),
            ("n_role", {"type": "integer", "minimum": 0, "description": "Responses for the role"}),
            ("n_baseline", {"type": "integer", "minimum": 0,
                            "description": "Software-engineer responses"}),
            ("is_computable", {"type": "boolean",
                               "description": "Both groups have at least min_n responses"}),
            ("reason", {"type": "string", "required": False,
                        "description": "Why the premium is not computable"}),
        ],
    },
    "survey_region": {
        "title": "AI pay by company country relative to the US",
        "description": "Median pay of the mapped AI roles per company country over the US "
                       "median, with the same filters except country.",
        "primary_key": "country",
        "columns": [
            ("country", {"type": "string", "pattern": "^[A-Z]{2}$",
                         "description": "ISO 3166 alpha-2 company country"}),
            ("n", _COMMON["n"]),
            ("median_usd", {"type": "number", "unit": _USD, "exclusive_minimum": 0,
                            "description": "Median pay of the AI roles"}),
            ("ratio_to_us", {"type": "number", "exclusive_minimum": 0, "unit": "ratio",
                             "description": "median_usd over the US median"}),
            ("is_reportable", _COMMON["is_reportable"]),
        ],
    },
    "survey_entry_share": {
        "title": "Share of entry-level responses per AI role and year",
        "description": "Share of responses at experience level EN. A proxy only: who answers a "
                       "survey is not who gets hired.",
        "primary_key": ["role_id", "work_year"],
        "columns": [
            ("role_id", _COMMON["role_id"]),
            ("work_year", {"type": "integer", "description": "Year"}),
            ("n", _COMMON["n"]),
            ("n_entry", {"type": "integer", "minimum": 0, "description": "Responses at EN"}),
            ("entry_share", {"type": "number", "minimum": 0, "maximum": 1, "unit": "fraction",
                             "description": "n_entry / n"}),
            ("is_reportable", _COMMON["is_reportable"]),
        ],
    },
    "survey_mix": {
        "title": "Survey responses per role and year",
        "description": "Response counts per mapped role (plus the software-engineer baseline and "
                       "unmapped titles) and year. Response counts, not job growth.",
        "primary_key": ["role_id", "work_year"],
        "columns": [
            ("role_id", {"type": "string", "description": "Role id, "
                         "software_engineer_baseline, or unmapped"}),
            ("work_year", {"type": "integer", "description": "Year"}),
            ("responses", {"type": "integer", "minimum": 0, "description": "Responses"}),
        ],
    },
    "survey_exclusions": {
        "title": "Survey rows excluded, by reason",
        "description": "Rows of the survey file that broke a rule, counted once under the first "
                       "rule they break, with example row numbers (file lines).",
        "primary_key": "reason",
        "columns": [
            ("reason", {"type": "string", "description": "The rule the rows broke"}),
            ("rows", {"type": "integer", "minimum": 0, "description": "Rows excluded"}),
            ("example_rows", {"type": "string", "required": False,
                              "description": "Up to five file line numbers"}),
        ],
    },
}


@dataclass
class Evidence:
    """Every survey summary a report shows, and where it came from."""

    tables: dict[str, pd.DataFrame]
    provenance: dict[str, Any]
    from_derived: bool

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def summary(self) -> str:
        p = self.provenance
        origin = ("committed evidence in data/derived/" if self.from_derived
                  else f"recomputed from {p['snapshot']}")
        return (f"aijobs.net salary survey (CC0), {origin}: {p['rows_read']:,} rows read, "
                f"{p['rows_excluded']:,} excluded, {p['rows_after_filters']:,} after filters "
                f"({p['filters_text']}); groups under {p['min_n']} responses are not findings.")


def with_role_names(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with a role_name column (the baseline and unmapped rows get readable labels)."""
    roles = table_io.load_table("roles")
    names = dict(zip(roles["role_id"], roles["role_name"], strict=True))
    names |= {survey.BASELINE_LABEL: "Software Engineer (non-AI baseline)",
              "unmapped": "Titles mapped to no role"}
    return frame.assign(role_name=[names.get(r, r) for r in frame["role_id"]])


def evidence_tables(data: survey.Survey, filters: dict[str, list], min_n: int = survey.MIN_N,
                    ) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Every derived table from one survey, and the provenance to record with them."""
    rows = survey.filtered_rows(data, filters)
    parts = [survey.percentiles(rows, ["role_id"], min_n).assign(group="all", group_value="all")]
    for key in ("work_year", "experience_level"):
        split = survey.percentiles(rows, ["role_id", key], min_n)
        parts.append(split.assign(group=key, group_value=split[key].astype(str)).drop(columns=key))
    pct = pd.concat(parts, ignore_index=True)
    pooled = survey.ai_premium(rows, by_year=False, min_n=min_n).assign(work_year=pd.NA)
    premium = pd.concat([pooled, survey.ai_premium(rows, by_year=True, min_n=min_n)],
                        ignore_index=True)
    tables = {
        "survey_percentiles": pct,
        "survey_premium": premium,
        "survey_region": survey.region_ratios(data, filters, min_n),
        "survey_entry_share": survey.entry_share(rows, min_n),
        "survey_mix": survey.response_mix(rows),
        "survey_exclusions": data.exclusions_frame(),
    }
    tables = {name: _ordered(name, frame) for name, frame in tables.items()}
    unmapped = rows["role_id"].isna() & ~rows["is_baseline"]
    provenance = {
        # folder/file (e.g. 2025-01-19/salaries.csv): the same wherever the copy lives
        "snapshot": "/".join(Path(data.source).parts[-2:]),
        "md5": data.md5,
        "rows_read": data.n_read,
        "rows_excluded": data.n_excluded,
        "exclusions": {r: e for r, e in data.exclusions.items()},
        "rows_after_filters": int(len(rows)),
        "rows_mapped_to_roles": int(rows["role_id"].notna().sum()),
        "rows_baseline": int(rows["is_baseline"].sum()),
        "rows_unmapped": int(unmapped.sum()),
        "unmapped_titles": int(rows.loc[unmapped, "job_title"].nunique()),
        "filters": filters,
        "filters_text": survey.describe_filters(filters),
        "min_n": min_n,
        "matched_years_for_pooled_premium": survey.matched_years(rows, min_n),
    }
    return tables, provenance


def _ordered(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c, _ in SCHEMAS[name]["columns"]]
    out = frame[cols].copy()
    for c in out.columns:  # categories sort in their own order; plain text sorts A-Z
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype("string")
    sort = SCHEMAS[name]["primary_key"]
    sort = [sort] if isinstance(sort, str) else list(sort)
    out = out.sort_values(sort, kind="stable", na_position="first").reset_index(drop=True)
    for c, spec in SCHEMAS[name]["columns"]:
        if spec["type"] == "number":
            out[c] = out[c].astype("float64").round(6)
    return out


def sidecar(name: str, provenance: dict[str, Any], date: str) -> dict[str, Any]:
    schema = SCHEMAS[name]
    return {
        "title": schema["title"],
        "description": schema["description"],
        "source": {"id": "aijobs_survey", "attribution": "aijobs.net salary survey, "
                   "https://aijobs.net/salaries (CC0 1.0; attribution appreciated)"},
        "licence": "CC0-1.0",
        "date_recorded": date,
        "derived_from": {k: v for k, v in provenance.items() if k != "filters_text"}
        | {"filters_text": provenance["filters_text"],
           "command": "make survey-derive SURVEY=<path to salaries.csv>"},
        "primary_key": schema["primary_key"],
        "columns": [{"name": c, **spec} for c, spec in schema["columns"]],
    }


def write_derived(survey_path: str | Path, out_dir: Path = DERIVED_DIR,
                  date: str | None = None, min_n: int = survey.MIN_N) -> list[Path]:
    """Recompute every derived table from a survey file and write CSV + sidecar pairs."""
    data = survey.read_survey(survey_path)
    tables, provenance = evidence_tables(data, survey.normalised_filters(), min_n)
    date = date or dt.date.today().isoformat()
    written = []
    for name, frame in tables.items():
        csv = out_dir / f"{name}.csv"
        write_atomic(csv, frame.to_csv(index=False, lineterminator="\n"))
        meta = out_dir / f"{name}.meta.yaml"
        write_atomic(meta, yaml.safe_dump(sidecar(name, provenance, date), sort_keys=False,
                                          allow_unicode=True, width=100))
        written += [csv, meta]
    return written


def load_evidence(survey_path: str = "", *, company_countries=None, residence_countries=None,
                  experience_levels=None, employment_types=None, work_years=None,
                  min_n: int = survey.MIN_N, strict: bool = False) -> Evidence:
    """The survey summaries: recomputed from survey_path, or the committed ones when empty."""
    filters = survey.normalised_filters(company_countries, residence_countries,
                                        experience_levels, employment_types, work_years)
    if survey_path:
        data = survey.read_survey(survey_path, strict=strict)
        tables, provenance = evidence_tables(data, filters, min_n)
        return Evidence(tables, provenance, from_derived=False)
    if not (DERIVED_DIR / "survey_percentiles.csv").exists():
        raise ParameterError("parameter survey_path: empty, and data/derived/ holds no survey "
                             "evidence; pass the path of an aijobs.net salaries.csv or run "
                             "`make survey-derive SURVEY=<path>`")
    meta = table_io.table_metadata(PREFIX + "survey_percentiles")["derived_from"]
    committed = survey.normalised_filters(**meta["filters"])
    if filters != committed or min_n != meta["min_n"]:
        raise ParameterError(
            "survey filters or min_n differ from those of the committed evidence "
            f"({meta['filters_text']}; min_n {meta['min_n']}); set survey_path to a survey "
            "file to recompute with other filters")
    frames = {name: table_io.load_table(PREFIX + name) for name in SCHEMAS}
    return Evidence(frames, meta, from_derived=True)
