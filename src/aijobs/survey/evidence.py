"""Survey evidence: the summaries the reports show, from a survey file or from data/derived/.

`evidence_tables` computes every summary from a survey, for each pay measure and repeats
policy asked for; `write_derived` commits them (all measures, both policies) to data/derived/
with sidecars that record the snapshot, row and posting counts, pairing, exclusions, filters,
licence and attribution (`make survey-derive SURVEY=path`). `load_evidence` gives notebooks
the same tables either way: recomputed from `survey_path`, or read from data/derived/ when it
is empty, so a fresh clone has evidence with no download. The committed tables hold every
experience level, so a level filter works without a survey file.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from aijobs import paths
from aijobs.data import tables as table_io
from aijobs.errors import DataError, ParameterError
from aijobs.files import content_id, frame_csv_text, publish_set
from aijobs.survey import reader as survey
from aijobs.survey import summaries
from aijobs.survey.postings import (
    PAY_MEASURE_TEXT,
    PAY_MEASURES,
    REPEAT_POLICIES,
    pairing_stats,
    pay_units,
)
from aijobs.survey.slices import SurveySlice
from aijobs.words import capitalised

DERIVED_DIR = paths.DATA_DIR / "derived"
PREFIX = "derived/"
RUN_SET = "survey"  # the name of this set of derived tables in their sidecars' run records
EXPERIENCE_NAMES = {"EN": "Entry", "MI": "Mid", "SE": "Senior", "EX": "Executive"}
# The committed slices (survey_slices) hold the default pay measure only: a slice table per
# measure would be four times the size (1.6 MB of CSV for all four, measured), and the other
# measures are sensitivities. A page with another measure recomputes them from survey_path.
DERIVED_SLICE_MEASURES = ("midpoint",)
# Tables read from data/derived/ only when a page asks for them (large, one page uses them).
LAZY_TABLES = ("survey_slices",)

# The tables a run writes, in this order. Their schemas (title, description, primary key,
# columns with types, units and rules) live in their sidecars, data/derived/<name>.meta.yaml,
# written in the same language as every table of data/; a run copies them into the sidecars it
# writes (tables.derived_sidecar).
# The columns a view selects on (and drops): the pay measure and the repeats policy.
VIEW_KEYS = ("pay_measure", "repeats")
TABLES = ("survey_percentiles", "survey_premium", "survey_slices", "survey_region",
          "survey_yoy", "survey_premium_path", "survey_years", "survey_title_sensitivity",
          "survey_claim_grid", "survey_entry_share", "survey_mix", "survey_exclusions")
# the claims audit's robustness grid (survey_claim_grid): its title maps and periods
GRID_TITLE_MAPS = ("as mapped", "with contested titles")
GRID_PERIODS = ("all years", "latest full year")


def _columns(name: str) -> list[str]:
    return table_io.column_names(PREFIX + name)


@dataclass
class Evidence:
    """Every survey summary a report shows, where it came from, and the slice chosen."""

    tables: dict[str, pd.DataFrame]
    provenance: dict[str, Any]
    from_derived: bool
    pay_measure: str = "midpoint"
    repeats: str = "drop"
    level: str | None = None  # one experience level picked from the committed tables
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.view(name)

    @property
    def counted_label(self) -> str:
        """A column heading for the n the tables count: with repeats dropped their n_postings
        is one per distinct advert, so 'Postings' would overstate nothing but mislabel it."""
        return "Distinct adverts" if self.repeats == "drop" else "Postings"

    @property
    def other_repeats(self) -> str:
        return "drop" if self.repeats == "keep" else "keep"

    def view(self, name: str, repeats: str | None = None) -> pd.DataFrame:
        """The table for this evidence's pay measure and repeats policy (or `repeats`)."""
        frame, keep = self._selection(name, repeats)
        if keep is not None:
            frame = frame.drop(columns=[c for c in VIEW_KEYS if c in frame.columns])[keep]
        return frame.reset_index(drop=True)

    def _selection(self, name: str, repeats: str | None) -> tuple[pd.DataFrame, Any]:
        """Table `name` whole and the rows of its view (a boolean array; None: every row)."""
        if name not in self.tables and self.from_derived and name in LAZY_TABLES:
            self.tables[name] = table_io.load_table(PREFIX + name)
        frame = self.tables[name]
        wanted = {"pay_measure": self.pay_measure, "repeats": repeats or self.repeats}
        keep = None
        for key in VIEW_KEYS:  # the rows of both filters in one selection
            if key in frame.columns:
                match = frame[key].to_numpy() == wanted[key]
                keep = match if keep is None else keep & match
        return frame, keep

    def _with_every_posting(self, pct: pd.DataFrame, repeats: str | None) -> pd.DataFrame:
        """Percentile cells with n_postings_all and n_rows_all: every posting and file row in
        the cell, repeats included. With repeats dropped, n_postings counts one posting per
        distinct advert (the sample the percentiles use), so the cell's postings come from its
        repeats-kept twin; with repeats kept they are the cell's own."""
        if (repeats or self.repeats) == "keep":
            return pct.assign(n_postings_all=pct["n_postings"], n_rows_all=pct["n_rows"])
        keys = ["role_id", "group", "group_value"]
        whole, rows = self._selection("survey_percentiles", "keep")
        twin = {c: (whole[c].to_numpy() if rows is None else whole[c].to_numpy()[rows])
                .tolist() for c in (*keys, "n_postings", "n_rows")}
        twins = dict(zip(zip(*(twin[k] for k in keys), strict=True),
                         zip(twin["n_postings"], twin["n_rows"], strict=True), strict=True))
        if len(twins) == len(twin["n_rows"]):
            # each cell's twin looked up by its keys: the left merge's columns, without the
            # merge (most of role_pay's time; a merge matches missing keys as equal, and a
            # lookup by pandas' one missing value, pd.NA, does too)
            found = [twins.get(k) for k in zip(*(pct[k].tolist() for k in keys), strict=True)]
            out = pct.reset_index(drop=True)
            for i, name in enumerate(("n_postings_all", "n_rows_all")):
                out[name] = pd.Series([math.nan if f is None else f[i] for f in found],
                                      dtype=float)
        else:  # a cell twice among the twins: the merge's row for each, as it gives them
            kept = self.view("survey_percentiles", "keep")[[*keys, "n_postings", "n_rows"]] \
                .rename(columns={"n_postings": "n_postings_all", "n_rows": "n_rows_all"})
            out = pct.merge(kept, on=keys, how="left")
        out["n_postings_all"] = out["n_postings_all"].fillna(out["n_postings"]).astype(int)
        out["n_rows_all"] = out["n_rows_all"].fillna(out["n_rows"]).astype(int)
        return out

    def role_pay(self, repeats: str | None = None) -> pd.DataFrame:
        """Per-role percentiles of the slice (one level when a level was picked), with every
        posting and file row in each cell (n_postings_all, n_rows_all)."""
        pct = self._with_every_posting(self.view("survey_percentiles", repeats), repeats)
        if self.level:
            return pct[(pct["group"] == "experience_level")
                       & (pct["group_value"] == self.level)].reset_index(drop=True)
        return pct[pct["group"] == "all"].reset_index(drop=True)

    def slices(self) -> pd.DataFrame | None:
        """Every slice (survey_slices) for this pay measure and repeats policy; None when the
        committed tables hold no slices for the pay measure (DERIVED_SLICE_MEASURES)."""
        frame = self.view("survey_slices")
        if self.from_derived and self.pay_measure not in DERIVED_SLICE_MEASURES:
            return None
        return frame

    def claim_grid(self) -> pd.DataFrame:
        """The audit's robustness grid for this pay measure and slice (both repeats policies;
        one level when a level was picked): keys repeats, title_map, period, then per role."""
        frame = self.tables.get("survey_claim_grid")
        if frame is None or frame.empty:
            return pd.DataFrame(columns=["repeats", "title_map", "period", "role_id"])
        if "pay_measure" in frame.columns:
            frame = frame[frame["pay_measure"] == self.pay_measure]
        group = (("experience_level", self.level) if self.level else ("all", "all"))
        frame = frame[(frame["group"] == group[0]) & (frame["group_value"] == group[1])]
        return frame.drop(columns=["pay_measure", "group", "group_value"], errors="ignore") \
            .reset_index(drop=True)

    def pay_by_level(self, repeats: str | None = None) -> pd.DataFrame:
        pct = self._with_every_posting(self.view("survey_percentiles", repeats), repeats)
        return pct[pct["group"] == "experience_level"].reset_index(drop=True)

    def premium(self, group: str = "all", baseline: str = "software_engineer",
                repeats: str | None = None) -> pd.DataFrame:
        prem = self.view("survey_premium", repeats)
        if self.level and group in ("all", "mix_adjusted"):
            out = prem[(prem["group"] == "experience_level") & (prem["group_value"] == self.level)]
        else:
            out = prem[prem["group"] == group]
        return out[out["baseline"] == baseline].reset_index(drop=True)

    @property
    def file_description(self) -> str:
        """What the file behind this evidence is (survey.reader.file_description)."""
        p = self.provenance
        years = sorted(int(y) for y in self.tables["survey_years"]["work_year"]) \
            if "survey_years" in self.tables else []
        return survey.file_description(Path(p["snapshot"]).name, p.get("md5", ""), years,
                                       int(p["rows_read"]))

    @property
    def unit_text(self) -> str:
        """What n counts on this page, in words."""
        return ("distinct adverts (identical postings counted once)" if self.repeats == "drop"
                else "postings, repeats kept (each group of identical postings is one cluster "
                     "in the intervals)")

    @property
    def summary(self) -> str:
        p = self.provenance
        origin = ("the evidence stored with the suite" if self.from_derived
                  else f"recomputed from {Path(p['snapshot']).name}")
        level = f"; experience level {self.level}" if self.level else ""
        adverts = p.get("adverts_after_filters")
        formed = (f"{p['postings_after_filters']:,} postings, {adverts:,} distinct adverts"
                  if adverts is not None else f"{p['postings_after_filters']:,} postings")
        return (f"{capitalised(self.file_description)}; {origin}: "
                f"{p['rows_read']:,} rows read, "
                f"{p['rows_excluded']:,} excluded, {p['rows_after_filters']:,} rows after "
                f"filters ({p['filters_text']}{level}) forming {formed}. Pay counted: "
                f"{PAY_MEASURE_TEXT[self.pay_measure]}; n counts {self.unit_text}. Cells "
                f"under {p['min_n']} distinct adverts are not findings.")

    @property
    def provenance_lines(self) -> list[str]:
        """What every survey page states: snapshot, source, pay definition, pairs, repeats."""
        p = self.provenance
        date = p.get("snapshot_date") or "unknown (the file's folder carries no date)"
        lines = [
            f"Snapshot: {Path(p['snapshot']).name}, dated {date}.",  # its name, not a path
            (f"Source: {survey.SOURCE_NAME}, {survey.SOURCE_URL} (CC0 1.0)."
             if p.get("md5") in survey.KNOWN_SNAPSHOTS else
             f"Source: {self.file_description}."),
            f"Pay: {survey.PAY_DEFINITION}.",
            f"Pairs: {p['pairing']['paired_share']:.0%} of the rows read are the top and "
            f"bottom of one posted range, so {p['rows_read'] - p['rows_excluded']:,} rows form "
            f"{p['pairing']['postings']:,} postings.",
        ]
        share = p.get("repeat_share_after_filters")
        if share is not None:
            largest = p.get("largest_advert_after_filters", 0)
            lines.append(
                f"Repeats: in this slice ({p['filters_text']}), {share:.0%} of the "
                f"{p['postings_after_filters']:,} postings sit in groups of identical postings "
                f"(the largest group holds {largest:,}); the file cannot tell a second opening "
                "from the same advert seen twice. A group counts as one distinct advert "
                f"({p['adverts_after_filters']:,} in the slice); this page counts "
                f"{self.unit_text}.")
        if p.get("columns_ignored"):
            lines.append(f"Columns not part of the survey, ignored (pairs and repeats compare "
                         f"the survey's own columns only): {', '.join(p['columns_ignored'])}.")
        return lines


def country_name(code: str) -> str:
    """A two-letter ISO 3166 code as the country's common English name (pycountry's ISO
    tables: 'KR' is 'South Korea'); an unknown code stays as it is."""
    import pycountry  # deferred: only pages that show countries need it

    found = pycountry.countries.get(alpha_2=str(code).upper()) if code else None
    return getattr(found, "common_name", None) or getattr(found, "name", None) or str(code)


def with_country_names(frame: pd.DataFrame, column: str = "country") -> pd.DataFrame:
    """`frame` with a country_name column beside its country codes."""
    return frame.assign(country_name=[country_name(c) for c in frame[column]])


def with_role_names(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with a role_name column (the baseline and unmapped rows get readable labels)."""
    roles = table_io.load_table("roles")
    names = dict(zip(roles["role_id"], roles["role_name"], strict=True))
    names |= {survey.BASELINE_LABEL: "Software Engineer (non-AI baseline)",
              "unmapped": "Titles mapped to no role"}
    return frame.assign(role_name=[names.get(r, r) if isinstance(r, str) else "-"
                                   for r in frame["role_id"]])


def _keyed(frame: pd.DataFrame, pay_measure: str | None, repeats: str) -> pd.DataFrame:
    keys = {"repeats": repeats} if pay_measure is None else {"pay_measure": pay_measure,
                                                             "repeats": repeats}
    return frame.assign(**keys)


def _percentiles_by_level(units: pd.DataFrame, min_n: int) -> pd.DataFrame:
    overall = summaries.percentile_table(units, ["role_id"], min_n) \
        .assign(group="all", group_value="all")
    split = summaries.percentile_table(units, ["role_id", "experience_level"], min_n)
    split = split.assign(group="experience_level",
                         group_value=split["experience_level"].astype(str)) \
        .drop(columns="experience_level")
    return pd.concat([overall, split], ignore_index=True)


def _title_sensitivity(units: pd.DataFrame, repeats: str, min_n: int) -> pd.DataFrame:
    """Per contested title: its role's percentiles with and without the title's postings."""
    title_map = survey.load_title_map()
    parts = []
    # compared through category codes: no per-row strings on large files
    titles = units["job_title"].astype("category")
    title_codes = titles.cat.codes.to_numpy()
    title_of = {str(c): i for i, c in enumerate(titles.cat.categories)}
    role_col = units["role_id"].astype("category")
    role_codes = role_col.cat.codes.to_numpy()
    role_of = {str(c): i for i, c in enumerate(role_col.cat.categories)}
    pay, low, high = (units[c].to_numpy(dtype="float64") for c in ("pay_usd", "min_usd",
                                                                     "max_usd"))
    n_rows = units["n_rows"].to_numpy()
    advert = units["advert_id"].to_numpy()
    for _, t in title_map[title_map["is_contested"]].iterrows():
        role = t["role_id"] if isinstance(t["role_id"], str) else t["alternative_role_id"]
        if not isinstance(role, str):
            continue
        is_title = title_codes == title_of.get(t["job_title"], -2)
        current = role_codes == role_of.get(role, -2)
        for variant, mask in (("with", current | is_title), ("without", current & ~is_title)):
            stats = ({"n_postings": 0, "n_rows": 0, "n_adverts": 0, "top_advert_share": 0.0,
                      "is_dominated": False, "reliability": "suppressed",
                      "reliability_reason": "no postings"} if not mask.any() else
                     summaries.group_stats(pay[mask], low[mask], high[mask],
                                           int(n_rows[mask].sum()), min_n, advert[mask]))
            parts.append({"role_id": role, **stats, "job_title": t["job_title"],
                          "variant": variant, "repeats": repeats})
    return pd.DataFrame(parts, columns=_columns("survey_title_sensitivity"))


def latest_full_year(years, snapshot_date: dt.date | None) -> int | None:
    """The latest work year that the snapshot covers whole (None when there is none)."""
    full = [int(y) for y in set(years)
            if not (snapshot_date is not None and snapshot_date.year == int(y)
                    and snapshot_date < dt.date(int(y), 12, 31))]
    return max(full) if full else None


def contested_alternatives() -> dict[str, str]:
    """Contested titles the map leaves out, each with the role it could stand for."""
    m = survey.load_title_map()
    left_out = m[m["is_contested"] & m["role_id"].isna() & m["alternative_role_id"].notna()]
    return dict(zip(left_out["job_title"], left_out["alternative_role_id"], strict=True))


def claimed_tops() -> dict[str, float]:
    """The top of the article's band per role (data/salary_bands.csv)."""
    bands = table_io.load_table("salary_bands")
    return {str(r): float(v) for r, v in zip(bands["role_id"], bands["salary_high_usd"],
                                                strict=True)}


def _years_text(years: list[int]) -> str:
    if not years:
        return "none"
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def claim_grid(units: pd.DataFrame, min_n: int, tops: dict[str, float],
               alternatives: dict[str, str], latest_year: int | None) -> pd.DataFrame:
    """Per title map x period x role (all levels and each level): group_stats and the share
    of postings whose advertised top is above the role's claimed top (GRID_* choices)."""
    titles = units["job_title"].astype(str).to_numpy()
    mapped = units["role_id"].astype(object).to_numpy()
    alt = pd.Series(titles).map(alternatives).to_numpy(dtype=object)
    roles_by_map = {"as mapped": mapped,
                    "with contested titles": np.where(pd.isna(mapped), alt, mapped)}
    year = units["work_year"].to_numpy()
    level = units["experience_level"].astype(str).to_numpy()
    pay, low, high = (units[c].to_numpy(dtype="float64") for c in ("pay_usd", "min_usd",
                                                                     "max_usd"))
    n_rows, advert = units["n_rows"].to_numpy(), units["advert_id"].to_numpy()
    every_year = sorted({int(y) for y in year})
    periods = {"all years": (np.ones(len(units), dtype=bool), every_year),
               "latest full year": ((year == latest_year) if latest_year is not None
                                    else np.zeros(len(units), dtype=bool),
                                    [latest_year] if latest_year is not None else [])}
    rows = []
    for title_map, role in roles_by_map.items():
        role_names = sorted({r for r in role if isinstance(r, str)})
        for period, (in_period, years) in periods.items():
            for r in role_names:
                in_role = in_period & (role == r)
                for group, value, mask in [("all", "all", in_role)] + [
                        ("experience_level", lv, in_role & (level == lv))
                        for lv in sorted(set(level[in_role]))]:
                    if not mask.any():
                        continue
                    stats = summaries.group_stats(pay[mask], low[mask], high[mask],
                                                  int(n_rows[mask].sum()), min_n, advert[mask])
                    top = tops.get(r)
                    share = (math.nan,) * 3
                    if top is not None:
                        codes, sizes = summaries.cluster_codes(advert[mask])
                        share = summaries.clustered_share_interval(high[mask] > top, codes,
                                                                   sizes)
                    rows.append({"title_map": title_map, "period": period,
                                 "period_years": _years_text(years), "role_id": r,
                                 "group": group, "group_value": value, **stats,
                                 "claimed_top_usd": top, "top_above_share": share[0],
                                 "top_above_ci95_low": share[1],
                                 "top_above_ci95_high": share[2]})
    return pd.DataFrame(rows, columns=[c for c in _columns("survey_claim_grid")
                                       if c not in ("pay_measure", "repeats")])


def _years_table(postings: pd.DataFrame, snapshot_date: dt.date | None) -> pd.DataFrame:
    rows = []
    for year, g in postings.groupby("work_year", sort=True):
        year = int(year)
        n_rows = int(g["n_rows"].sum())
        partial = snapshot_date is not None and snapshot_date.year == year \
            and snapshot_date < dt.date(year, 12, 31)
        covers = (f"1 January to {snapshot_date:%-d %B} {year} only" if partial
                  else f"the whole of {year}")
        rows.append({"work_year": year, "n_rows": n_rows, "n_postings": len(g),
                     "paired_share": 2 * int(g["is_paired"].sum()) / n_rows if n_rows else 0.0,
                     "repeat_share": float((g["repeat_group_size"] > 1).mean()),
                     "is_partial": partial, "covers": covers})
    return pd.DataFrame(rows, columns=_columns("survey_years"))


def evidence_tables(data: survey.Survey, filters: dict[str, list], min_n: int = survey.MIN_N,
                    pay_measures: tuple[str, ...] = ("midpoint",),
                    slice_measures: tuple[str, ...] | None = None,
                    ) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Every derived table from one survey (both repeats policies for each pay measure given),
    and the provenance to record with them. The slices table (survey_slices) is made for the
    pay measures in `slice_measures` only (every one given when None)."""
    anywhere = {**filters, "company_countries": []}
    keyed: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    tops, alternatives = claimed_tops(), contested_alternatives()
    in_slice = survey.filter_mask(data.postings, filters)
    latest = latest_full_year(data.postings.loc[in_slice, "work_year"], data.snapshot_date)
    for repeats in REPEAT_POLICIES:
        midpoints = None
        for measure in pay_measures:
            # one frame of pay units per measure; slices by mask, so a large file is not
            # copied once per table (peak memory measured by `make bench`)
            every = pay_units(data.rows, data.postings, measure, repeats)
            units = every[survey.filter_mask(every, filters)]
            midpoints = units if measure == "midpoint" else midpoints
            keyed["survey_percentiles"].append(
                _keyed(_percentiles_by_level(units, min_n), measure, repeats))
            keyed["survey_premium"].append(
                _keyed(summaries.premium_table(units, min_n), measure, repeats))
            if slice_measures is None or measure in slice_measures:
                keyed["survey_slices"].append(_keyed(summaries.slice_table(
                    every[survey.filter_mask(every, anywhere)], min_n), measure, repeats))
            keyed["survey_region"].append(_keyed(summaries.region_table(
                every, min_n, survey.filter_mask(every, anywhere)), measure, repeats))
            keyed["survey_yoy"].append(
                _keyed(summaries.like_for_like_change(units), measure, repeats))
            keyed["survey_premium_path"].append(
                _keyed(summaries.premium_path(units, min_n), measure, repeats))
            keyed["survey_claim_grid"].append(_keyed(
                claim_grid(units, min_n, tops, alternatives, latest), measure, repeats))
            del every, units
        if midpoints is None:
            every = pay_units(data.rows, data.postings, "midpoint", repeats)
            midpoints = every[survey.filter_mask(every, filters)]
            del every
        keyed["survey_entry_share"].append(
            _keyed(summaries.entry_share(midpoints, min_n), None, repeats))
        keyed["survey_mix"].append(_keyed(summaries.posting_mix(
            midpoints, survey.BASELINE_LABEL, "unmapped"), None, repeats))
        keyed["survey_title_sensitivity"].append(
            _title_sensitivity(midpoints, repeats, min_n))
        del midpoints
    n_rows = int(survey.filter_mask(data.rows, filters).sum())
    postings = data.postings.loc[survey.filter_mask(data.postings, filters),
                                 ["work_year", "n_rows", "is_paired", "repeat_group_size",
                                  "advert_id", "role_id", "is_baseline", "is_software_family",
                                  "job_title"]]
    tables = {name: pd.concat(parts, ignore_index=True) for name, parts in keyed.items() if parts}
    tables["survey_years"] = _years_table(postings, data.snapshot_date)
    tables["survey_exclusions"] = data.exclusions_frame()
    tables = {name: _ordered(name, tables[name]) for name in TABLES}
    unmapped = postings["role_id"].isna() & ~postings["is_baseline"]
    base_years = postings[["work_year", "is_baseline", "is_software_family"]]
    provenance = {
        # folder/file (e.g. 2025-01-19/salaries.csv): the same wherever the copy lives
        "snapshot": "/".join(Path(data.source).parts[-2:]),
        "snapshot_date": data.snapshot_date.isoformat() if data.snapshot_date else None,
        "md5": data.md5,
        "source_name": survey.SOURCE_NAME,
        "source_url": survey.SOURCE_URL,
        "pay_definition": survey.PAY_DEFINITION,
        "rows_read": data.n_read,
        "rows_excluded": data.n_excluded,
        "exclusions": {r: e for r, e in data.exclusions.items()},
        # columns that are not the survey's own (an index, an Id): reported, never used
        **({"columns_ignored": data.ignored_columns} if data.ignored_columns else {}),
        "pairing": pairing_stats(data.rows, data.postings),
        "rows_after_filters": n_rows,
        "postings_after_filters": int(len(postings)),
        "adverts_after_filters": int(postings["advert_id"].nunique()),
        "repeat_share_after_filters": round(float((postings["repeat_group_size"] > 1).mean()), 4)
        if len(postings) else 0.0,
        "largest_advert_after_filters": int(postings["repeat_group_size"].max())
        if len(postings) else 0,
        "postings_mapped_to_roles": int(postings["role_id"].notna().sum()),
        "postings_baseline": int(postings["is_baseline"].sum()),
        "postings_software_family": int(postings["is_software_family"].sum()),
        "postings_unmapped": int(unmapped.sum()),
        "unmapped_titles": int(postings.loc[unmapped, "job_title"].nunique()),
        "filters": filters,
        "filters_text": survey.describe_filters(filters),
        "min_n": min_n,
        "pay_measures": list(pay_measures),
        "matched_years_for_pooled_premium": {
            b: _baseline_years(base_years, flag, min_n)
            for b, flag in summaries.BASELINES.items()},
        "reliability_rule": summaries.RELIABILITY_RULE,
        "dominance_rule": summaries.DOMINANCE_RULE,
        "interval_method": summaries.INTERVAL_METHOD,
        "default_unit": "distinct adverts (repeats: drop); repeats kept is the sensitivity",
        "grid_latest_full_year": latest,
        "grid_contested_titles": alternatives,
    }
    return tables, provenance


def _baseline_years(postings: pd.DataFrame, flag: str, min_n: int) -> list[int]:
    """Work years with at least min_n baseline postings (the pooled premium's years)."""
    counts = postings.loc[postings[flag], "work_year"].value_counts()
    return sorted(int(y) for y, n in counts.items() if n >= min_n)


def _ordered(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table with its declared columns in order, sorted on its primary key, and each
    column in its declared type (numbers rounded to 6 places)."""
    schema = table_io.derived_schema(PREFIX + name)
    out = frame.reindex(columns=[c.name for c in schema.columns]).copy()
    for c in out.columns:  # categories sort in their own order; plain text sorts A-Z
        if isinstance(out[c].dtype, pd.CategoricalDtype) or out[c].dtype == object:
            out[c] = out[c].astype("string")
    out = out.sort_values(list(schema.primary_key), kind="stable",
                          na_position="first").reset_index(drop=True)
    for spec in schema.columns:
        c = spec.name
        if spec.type == "number":
            out[c] = out[c].astype("float64").round(6)
        elif spec.type == "integer" and spec.required:
            out[c] = out[c].fillna(0).astype("int64")
        elif spec.type == "boolean":
            out[c] = out[c].fillna(False).astype(bool)
    return out


def sidecar(name: str, provenance: dict[str, Any], date: str) -> dict[str, Any]:
    """The sidecar of derived table `name`: its declared schema and this run's provenance."""
    return table_io.derived_sidecar(
        PREFIX + name,
        source={"id": "aijobs_survey", "attribution": f"{survey.SOURCE_NAME}, "
                f"{survey.SOURCE_URL} (CC0 1.0; attribution appreciated)"},
        licence="CC0-1.0", date_recorded=date,
        derived_from={k: v for k, v in provenance.items() if k != "filters_text"}
        | {"filters_text": provenance["filters_text"],
           "command": "make survey-derive SURVEY=<path to salaries.csv>"})


def checked_date(date: str | None) -> str:
    """A --date value as YYYY-MM-DD (today when empty), or a one-line error."""
    if not date:
        return dt.date.today().isoformat()
    try:
        parsed = dt.date.fromisoformat(str(date)).isoformat()
    except ValueError as exc:
        raise ParameterError(f"--date: got {date!r}; expected a date as YYYY-MM-DD, e.g. "
                             "2025-01-19") from exc
    if parsed > dt.date.today().isoformat():
        raise ParameterError(f"--date: got {date}, a day still to come; expected the day the "
                             f"files were read, today ({dt.date.today().isoformat()}) or before")
    return parsed


def write_derived(survey_path: str | Path, out_dir: Path = DERIVED_DIR,
                  date: str | None = None, min_n: int = survey.MIN_N) -> list[Path]:
    """Recompute every derived table (all pay measures, both repeats policies) from a survey
    file and write CSV + sidecar pairs. Nothing is written when the file is unusable."""
    date = checked_date(date)
    data = survey.read_survey(survey_path)
    filters = survey.normalised_filters()
    _refuse_out_of_scope(data, filters, survey_path)
    tables, provenance = evidence_tables(data, filters, min_n,
                                         pay_measures=PAY_MEASURES,
                                         slice_measures=DERIVED_SLICE_MEASURES)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise DataError(f"{out_dir}: is a file; expected a folder for the derived tables")
    csvs = {f"{name}.csv": frame_csv_text(frame) for name, frame in tables.items()}
    # one id for the whole set, from its contents: `aijobs validate` refuses a folder whose
    # tables come from different runs
    run = {"set": RUN_SET, "id": content_id({**csvs, "provenance": json.dumps(
               provenance, sort_keys=True, default=str), "date": date}),
           "tables": sorted(tables)}
    files = dict(csvs)
    for name in tables:
        meta = sidecar(name, provenance, date)
        meta.setdefault("derived_from", {})["run"] = run
        files[f"{name}.meta.yaml"] = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True,
                                                    width=100)
    # written whole to a sibling folder, checked, and swapped in with one rename: a full disk
    # or a kill never leaves tables from two runs side by side
    return publish_set(out_dir, files, owns=_owned_by_run, check=_set_check(tables, out_dir))


def _refuse_out_of_scope(data: survey.Survey, filters: dict[str, list],
                         survey_path: str | Path) -> None:
    """One line when no row of the file is in the committed set's slice (US companies, full
    time): its tables would be empty, and replace the evidence of every report with nothing."""
    in_scope = survey.filter_mask(data.postings, filters)
    if not in_scope.any():
        raise DataError(f"no row of {Path(survey_path).name} is a US full-time posting "
                        f"({survey.describe_filters(filters)}): nothing to derive; expected "
                        "rows with company_location US and employment_type FT. The earlier "
                        "tables are unchanged")
    if not data.postings.loc[in_scope, "role_id"].notna().any():
        raise DataError(f"no US full-time posting of {Path(survey_path).name} has a job title "
                        "mapped to a role of the article (data/survey_title_map.csv): nothing "
                        "to derive; expected titles such as Machine Learning Engineer. The "
                        "earlier tables are unchanged")


def _owned_by_run(file_name: str) -> bool:
    """The files a survey-derive run makes (its tables of an earlier run, too)."""
    return file_name.startswith("survey_") and file_name.endswith((".csv", ".meta.yaml"))


def _set_check(tables: dict[str, pd.DataFrame], out_dir: Path):
    """Refuse a written set that `aijobs validate` would refuse: each table read back with its
    columns, then checked with its sidecar exactly as validate checks it (one line naming the
    table, row and column; the earlier set stays)."""
    return table_io.new_set_check([PREFIX + name for name in tables], out_dir,
                                  _header_check(tables))


def _header_check(tables: dict[str, pd.DataFrame]):
    def check(folder: Path) -> None:
        for name, frame in tables.items():
            with open(folder / f"{name}.csv", encoding="utf-8", newline="") as fh:
                header = next(csv.reader(fh), [])
            if header != [str(c) for c in frame.columns]:
                raise DataError(f"{name}.csv: written with columns {header}, expected "
                                f"{list(frame.columns)}; the earlier tables are unchanged")
    return check


def load_evidence(survey_slice: SurveySlice | None = None, *,
                  data: survey.Survey | None = None) -> Evidence:
    """The survey summaries of a slice (the default slice without one): recomputed from its
    survey_path, or the committed ones when that is empty.

    The committed evidence holds every pay measure, both repeats policies and every
    experience level; one level can be picked from it without a survey file. `data` is the
    survey file already read (survey_slice.read()), so that a caller that slices it many
    times (the live explorer) reads it once.
    """
    s = survey_slice if survey_slice is not None else SurveySlice()
    filters, min_n, pay_measure, repeats = s.filters, s.min_n, s.pay_measure, s.repeats
    if s.survey_path:
        if data is None:
            data = s.read()
        tables, provenance = evidence_tables(data, filters, min_n, pay_measures=(pay_measure,))
        return Evidence(tables, provenance, False, pay_measure, repeats)
    if not (DERIVED_DIR / "survey_percentiles.csv").exists():
        raise ParameterError("parameter survey_path: empty, and data/derived/ holds no survey "
                             "evidence; pass the path of an aijobs.net salaries.csv or run "
                             "`make survey-derive SURVEY=<path>`")
    meta = table_io.table_metadata(PREFIX + "survey_percentiles")["derived_from"]
    committed = survey.normalised_filters(**meta["filters"])
    levels = filters["experience_levels"]
    if len(levels) > 1:
        raise ParameterError(
            "parameter experience_levels: the committed evidence splits by one level at a "
            f"time; choose one of EN, MI, SE, EX (got {', '.join(levels)}) or set survey_path "
            "to recompute for several")
    same = {**filters, "experience_levels": []} == {**committed, "experience_levels": []}
    if not same or min_n != meta["min_n"]:
        raise ParameterError(
            "survey filters or min_n differ from those of the committed evidence "
            f"({meta['filters_text']}; min_n {meta['min_n']}); set survey_path to a survey "
            "file to recompute with other filters")
    frames = {name: table_io.load_table(PREFIX + name) for name in TABLES
              if name not in LAZY_TABLES}
    return Evidence(frames, meta, True, pay_measure, repeats, levels[0] if levels else None)
