"""Read an aijobs.net salary survey file, clean it honestly, and summarise it.

The aijobs.net survey (CC0) lists self-reported AI/ML and data salaries, one row per response.
`read_survey` reads a CSV or JSON copy, checks it, excludes rows that break the rules (and
counts them by reason, with example row numbers), and maps job titles to the roles in
data/roles.csv through data/survey_title_map.csv. The summaries (percentiles, the AI premium
over software engineers, regional ratios, entry-level shares, the response mix) never present a
group with fewer than `min_n` responses as a finding: such rows carry is_reportable = False.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aijobs import paths
from aijobs.data import tables
from aijobs.errors import DataError, ParameterError

REQUIRED_COLUMNS = ("work_year", "experience_level", "employment_type", "job_title",
                    "salary_in_usd", "employee_residence", "company_location")
EXPERIENCE_LEVELS = ("EN", "MI", "SE", "EX")
EMPLOYMENT_TYPES = ("FT", "PT", "CT", "FL")
FIRST_YEAR = 2000
QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
MIN_N = 30
BASELINE_LABEL = "software_engineer_baseline"
DEFAULT_FILTERS = {"company_countries": ["US"], "residence_countries": [],
                   "experience_levels": [], "employment_types": ["FT"], "work_years": []}
EXAMPLES_KEPT = 5
TEXT_COLUMNS = ("experience_level", "employment_type", "job_title", "employee_residence",
                "company_location")


@dataclass
class Survey:
    """Rows that passed the checks, with role_id / is_baseline from the title map."""

    rows: pd.DataFrame
    source: str
    n_read: int
    md5: str
    exclusions: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def n_excluded(self) -> int:
        return sum(e["count"] for e in self.exclusions.values())

    def exclusions_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"reason": r, "rows": e["count"],
                              "example_rows": ", ".join(map(str, e["example_rows"]))}
                             for r, e in self.exclusions.items()],
                            columns=["reason", "rows", "example_rows"])


def _where(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.PROJECT_ROOT))
    except ValueError:
        return str(path)


def _read_frame(path: Path, engine: str) -> tuple[pd.DataFrame, str]:
    """The raw table and what a row number means in it ('line' or 'record')."""
    where = _where(path)
    if not path.exists():
        raise DataError(f"{where}: survey file not found. Download salaries.csv from "
                        "aijobs.net/salaries and pass its path.")
    if path.is_dir():
        raise DataError(f"{where}: is a folder; expected the survey's salaries.csv or .json")
    paths.record_read(path)  # a report built from this file is rebuilt when it changes
    paths.OTHER_SOURCES[str(path)] = {
        "holds": "aijobs.net salary survey file given as survey_path",
        "source": "aijobs.net salary survey (aijobs.net / Foorilla LLC)", "licence": "CC0-1.0"}
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if not head.strip():
        raise DataError(f"{where}: the file is empty; expected a CSV or JSON table of salaries")
    if b"\x00" in head:
        raise DataError(f"{where}: a binary file, not a table; expected the survey as CSV "
                        "(comma-separated) or JSON")
    try:
        text_head = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the buffer's end
            raise DataError(f"{where}: not UTF-8 text (byte {exc.start}); save the file as "
                            "UTF-8") from exc
        text_head = head[:exc.start].decode("utf-8")
    first = text_head.lstrip("\ufeff \t\r\n")[:1]
    if first in ("[", "{"):
        return _read_json(path, where), "record"
    header = text_head.lstrip("\ufeff").splitlines()[0] if text_head.strip() else ""
    if ";" in header and "," not in header:
        raise DataError(f"{where}: the header is separated by semicolons; expected a "
                        "comma-separated file as aijobs.net publishes it (re-export with "
                        "commas)")
    try:
        kwargs: dict[str, Any] = {"encoding": "utf-8-sig"}
        header_names = list(pd.read_csv(path, nrows=0, **kwargs).columns)
        # Only the columns the suite uses, text as categories: a 5-million-row file then
        # fits in a fraction of the memory (measured by `make bench`).
        wanted = [h for h in header_names if str(h).strip() in REQUIRED_COLUMNS]
        if len({str(h).strip() for h in wanted}) < len(REQUIRED_COLUMNS):
            return pd.DataFrame(columns=header_names), "line"  # reported as missing columns
        if engine == "pyarrow":
            frame = _read_streaming(path, wanted)
            if frame is not None:
                return frame, "line"
        kwargs["usecols"] = wanted
        kwargs["dtype"] = {h: "category" for h in wanted if str(h).strip() in TEXT_COLUMNS}
        # Only empty cells are missing: "NA" is Namibia's country code.
        kwargs["keep_default_na"] = False
        kwargs["na_values"] = [""]
        frame = pd.read_csv(path, **kwargs)
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}: not UTF-8 text (byte {exc.start}); save the file as "
                        "UTF-8") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"{where}: not a well-formed CSV table ({exc})") from exc
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{where}: no header or rows; expected a CSV table") from exc
    return frame, "line"


def _read_streaming(path: Path, columns: list[str]) -> pd.DataFrame | None:
    """The wanted columns through pyarrow's streaming CSV reader, text dictionary-encoded.

    Block by block, so memory stays near the size of the result (a 5-million-row file peaks
    at about a quarter of what reading it whole takes). Returns None when a value does not fit
    its column's type (text in a number column): the caller then reads it with pandas, which
    keeps every value so the bad rows can be reported.
    """
    # pyarrow is optional (a dev dependency): imported only when this reader is asked for
    import pyarrow as pa
    import pyarrow.csv as pcsv

    text = pa.dictionary(pa.int32(), pa.string())
    options = pcsv.ConvertOptions(
        include_columns=columns, strings_can_be_null=False,  # "NA" is Namibia, not missing
        column_types={c: text for c in columns if str(c).strip() in TEXT_COLUMNS})
    try:
        reader = pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=8 << 20),
                               convert_options=options)
        return reader.read_all().to_pandas()
    except pa.ArrowInvalid:
        return None


def _read_json(path: Path, where: str) -> pd.DataFrame:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}: not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise DataError(f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                        f"{exc.msg})") from exc
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataError(f"{where}: JSON is not a table; expected a list of objects, one per "
                        "salary, with fields " + ", ".join(REQUIRED_COLUMNS))
    return pd.DataFrame.from_records(data)


def load_title_map() -> pd.DataFrame:
    """data/survey_title_map.csv: survey job title to role id, or the non-AI baseline."""
    return tables.load_table("survey_title_map")


def read_survey(path: str | Path, *, strict: bool = False, engine: str = "c",
                today: dt.date | None = None) -> Survey:
    """The survey at `path`, checked, with bad rows excluded and counted by reason.

    `strict` turns the first bad row into an error instead. `engine` is pandas' "c" reader
    (the default: `make bench` measured it as fast as pyarrow's streaming reader on a
    5-million-row file, with a third less memory) or "pyarrow" when that is installed.
    """
    path = Path(path)
    where = _where(path)
    if engine not in ("c", "pyarrow"):
        raise ParameterError(f"engine: got {engine!r}; expected c or pyarrow")
    raw, unit = _read_frame(path, engine)
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{where}: missing column{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(missing)}; an aijobs.net survey has "
                        f"{', '.join(REQUIRED_COLUMNS)} (extra columns are fine)")
    if raw.empty:
        raise DataError(f"{where}: has a header but no rows of salaries")
    raw = raw[list(REQUIRED_COLUMNS)]
    n = len(raw)
    row_numbers = np.arange(n) + (2 if unit == "line" else 1)
    today = today or dt.date.today()
    last_year = today.year + 1
    salary = pd.to_numeric(raw["salary_in_usd"], errors="coerce")
    year = pd.to_numeric(raw["work_year"], errors="coerce")
    text = {c: _stripped_category(raw[c]) for c in TEXT_COLUMNS}
    rules = [
        ("salary_in_usd is not a number", salary.isna().to_numpy()),
        ("salary_in_usd is zero or negative", (salary <= 0).fillna(False).to_numpy()),
        ("experience_level is not one of EN, MI, SE, EX",
         ~text["experience_level"].isin(EXPERIENCE_LEVELS).fillna(False).to_numpy()),
        ("employment_type is not one of FT, PT, CT, FL",
         ~text["employment_type"].isin(EMPLOYMENT_TYPES).fillna(False).to_numpy()),
        (f"work_year is not a year from {FIRST_YEAR} to {last_year}",
         ~(((year % 1) == 0) & (year >= FIRST_YEAR) & (year <= last_year)).fillna(False)
         .to_numpy()),
        ("job_title is empty", _empty(text["job_title"])),
        ("company_location is empty", _empty(text["company_location"])),
    ]
    bad = np.zeros(n, dtype=bool)
    exclusions: dict[str, dict[str, Any]] = {}
    for reason, mask in rules:
        new = mask & ~bad  # each row is counted once, under the first rule it breaks
        if new.any():
            examples = row_numbers[new][:EXAMPLES_KEPT].tolist()
            if strict:
                i = int(np.flatnonzero(new)[0])
                column = reason.split(" ", 1)[0]
                raise DataError(f"{where}, {unit} {row_numbers[i]}, column {column}: {reason} "
                                f"(got {raw.iloc[i][column]!r}); strict mode stops at the "
                                "first bad row")
            exclusions[reason] = {"count": int(new.sum()), "example_rows": examples}
        bad |= mask
    keep = ~bad
    rows = pd.DataFrame({
        "row_number": row_numbers[keep],
        "work_year": year[keep].astype("int64").to_numpy(),
        **{c: text[c][keep].reset_index(drop=True) for c in TEXT_COLUMNS},
        "salary_in_usd": salary[keep].astype("float64").to_numpy(),
    })
    title_map = load_title_map()
    # Mapped through the categories (a few hundred titles), not row by row.
    titles = rows["job_title"].cat
    mapped = title_map[title_map["role_id"].notna()]
    role_ids = sorted(set(mapped["role_id"]))
    role_of = {t: role_ids.index(r) for t, r in zip(mapped["job_title"], mapped["role_id"],
                                                    strict=True)}
    # title code -> role code (-1: no role); one extra slot so a missing title (-1) maps to -1
    per_title = np.array([role_of.get(t, -1) for t in titles.categories] + [-1], dtype=int)
    rows["role_id"] = pd.Categorical.from_codes(per_title[titles.codes.to_numpy()],
                                                categories=role_ids)
    baseline = set(title_map.loc[title_map["is_baseline"], "job_title"])
    rows["is_baseline"] = rows["job_title"].isin(baseline).to_numpy()
    return Survey(rows, where, n, _md5(path), exclusions)


def _stripped_category(values: pd.Series) -> pd.Series:
    """Text as a categorical with surrounding spaces removed (done once per distinct value)."""
    cat = values.astype("category")
    labels = cat.cat.categories.astype(str)
    stripped = labels.str.strip()
    if (stripped != labels).any():
        cat = values.astype("string").str.strip().astype("category")
    return cat


def _empty(values: pd.Series) -> np.ndarray:
    # isin on the categorical compares the few categories, not millions of strings
    return (values.isna() | values.isin([""])).to_numpy()


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _codes(values: Sequence[str] | str | None, name: str, allowed: Sequence[str] | None = None,
           ) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    out = [str(v).strip().upper() for v in values]
    if allowed is not None:
        wrong = [v for v in out if v not in allowed]
        if wrong:
            raise ParameterError(f"parameter {name}: unknown code(s) {', '.join(wrong)}; "
                                 f"expected any of {', '.join(allowed)}")
    return out


def normalised_filters(company_countries=None, residence_countries=None, experience_levels=None,
                       employment_types=None, work_years=None) -> dict[str, list]:
    """Filters in canonical form (upper-case codes, sorted years), checked."""
    years = []
    for y in work_years or []:
        try:
            years.append(int(y))
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"parameter work_years: {y!r} is not a year") from exc
    return {
        "company_countries": _codes(DEFAULT_FILTERS["company_countries"]
                                    if company_countries is None else company_countries,
                                    "company_countries"),
        "residence_countries": _codes(residence_countries, "residence_countries"),
        "experience_levels": _codes(experience_levels, "experience_levels", EXPERIENCE_LEVELS),
        "employment_types": _codes(DEFAULT_FILTERS["employment_types"]
                                   if employment_types is None else employment_types,
                                   "employment_types", EMPLOYMENT_TYPES),
        "work_years": sorted(years),
    }


def filtered_rows(survey: Survey, filters: dict[str, list]) -> pd.DataFrame:
    """Rows matching the filters; an empty filter list means no restriction."""
    rows = survey.rows
    mask = np.ones(len(rows), dtype=bool)
    for column, key in (("company_location", "company_countries"),
                        ("employee_residence", "residence_countries"),
                        ("experience_level", "experience_levels"),
                        ("employment_type", "employment_types"),
                        ("work_year", "work_years")):
        if filters.get(key):
            mask &= rows[column].isin(filters[key]).to_numpy()
    return rows[mask]


FILTER_LABELS = {  # key: (label when set, text when empty)
    "company_countries": ("company in", "companies anywhere"),
    "residence_countries": ("living in", "living anywhere"),
    "experience_levels": ("experience", "all experience levels"),
    "employment_types": ("employment", "all employment types"),
    "work_years": ("work years", "all years"),
}


def describe_filters(filters: dict[str, list]) -> str:
    """The filters in words, e.g. 'company in US; living anywhere; ...'."""
    parts = []
    for key, (label, everything) in FILTER_LABELS.items():
        values = filters.get(key) or []
        parts.append(f"{label} {', '.join(map(str, values))}" if values else everything)
    return "; ".join(parts)


def percentiles(rows: pd.DataFrame, by: Sequence[str] = ("role_id",), min_n: int = MIN_N,
                ) -> pd.DataFrame:
    """p10, p25, p50, p75, p90 of salary_in_usd and n per group; is_reportable = n >= min_n."""
    data = rows[rows["role_id"].notna()] if "role_id" in by else rows
    if data.empty:
        return pd.DataFrame(columns=[*by, "n", "p10_usd", "p25_usd", "p50_usd", "p75_usd",
                                     "p90_usd", "is_reportable"])
    grouped = data.groupby(list(by), observed=True)["salary_in_usd"]
    q = grouped.quantile(list(QUANTILES)).unstack()
    q.columns = [f"p{round(c * 100)}_usd" for c in q.columns]
    out = grouped.size().rename("n").to_frame().join(q).reset_index()
    out["is_reportable"] = out["n"] >= min_n
    return out


def matched_years(rows: pd.DataFrame, min_n: int = MIN_N) -> list[int]:
    """Work years with at least min_n software-engineer (baseline) responses."""
    counts = rows[rows["is_baseline"]].groupby("work_year").size()
    return sorted(int(y) for y in counts[counts >= min_n].index)


def ai_premium(rows: pd.DataFrame, *, by_year: bool = True, min_n: int = MIN_N,
               ) -> pd.DataFrame:
    """Each AI role's median over the software-engineer median (minus one).

    By year, or pooled over the matched years (those with at least min_n software-engineer
    responses), so that AI and baseline pay come from the same years. A premium is computable
    only where both groups have at least min_n responses; otherwise the row says why not.
    Older snapshots without software-engineer rows get that reason.
    """
    keys = ["work_year"] if by_year else []
    if not by_year:
        years = matched_years(rows, min_n)
        rows = rows[rows["work_year"].isin(years)] if years else rows
    roles = percentiles(rows, ["role_id", *keys], min_n)
    base_rows = rows[rows["is_baseline"]]
    if keys:
        base = base_rows.groupby(keys)["salary_in_usd"].agg(["median", "size"]).reset_index()
    else:
        base = pd.DataFrame({"median": [base_rows["salary_in_usd"].median()],
                             "size": [len(base_rows)]})
    base = base.rename(columns={"median": "baseline_median_usd", "size": "n_baseline"})
    out = roles.merge(base, on=keys, how="left") if keys else roles.assign(
        baseline_median_usd=base["baseline_median_usd"].iloc[0],
        n_baseline=base["n_baseline"].iloc[0])
    out["n_baseline"] = out["n_baseline"].fillna(0).astype(int)
    out = out.rename(columns={"p50_usd": "ai_median_usd", "n": "n_role"})
    reasons = []
    for _, r in out.iterrows():
        if r["n_baseline"] == 0:
            reasons.append("no software-engineer responses in this survey to compare with")
        elif r["n_baseline"] < min_n:
            reasons.append(f"only {r['n_baseline']} software-engineer responses (< {min_n})")
        elif r["n_role"] < min_n:
            reasons.append(f"only {r['n_role']} responses for the role (< {min_n})")
        else:
            reasons.append(None)
    out["reason"] = pd.Series(reasons, index=out.index, dtype="string")
    out["is_computable"] = out["reason"].isna()
    out["premium"] = np.where(out["is_computable"],
                              out["ai_median_usd"] / out["baseline_median_usd"] - 1, np.nan)
    cols = ["role_id", *keys, "ai_median_usd", "baseline_median_usd", "premium", "n_role",
            "n_baseline", "is_computable", "reason"]
    return out[cols]


def region_ratios(survey: Survey, filters: dict[str, list], min_n: int = MIN_N,
                  ) -> pd.DataFrame:
    """Median pay of AI roles in each company country relative to the US (same other filters)."""
    others = {**filters, "company_countries": []}
    rows = filtered_rows(survey, others)
    ai = rows[rows["role_id"].notna()]
    grouped = ai.groupby("company_location")["salary_in_usd"].agg(["median", "size"])
    if "US" not in grouped.index:
        return pd.DataFrame(columns=["country", "n", "median_usd", "ratio_to_us",
                                     "is_reportable"])
    us = grouped.loc["US", "median"]
    out = grouped.reset_index().rename(columns={"company_location": "country", "size": "n",
                                                "median": "median_usd"})
    out["ratio_to_us"] = out["median_usd"] / us
    out["is_reportable"] = out["n"] >= min_n
    return out.sort_values(["is_reportable", "n"], ascending=[False, False]) \
        .reset_index(drop=True)[["country", "n", "median_usd", "ratio_to_us", "is_reportable"]]


def entry_share(rows: pd.DataFrame, min_n: int = MIN_N) -> pd.DataFrame:
    """Share of entry-level (EN) responses per AI role and year: a proxy, not hiring data."""
    ai = rows[rows["role_id"].notna()]
    g = ai.groupby(["role_id", "work_year"])["experience_level"]
    out = pd.DataFrame({"n": g.size(), "n_entry": g.apply(lambda s: int((s == "EN").sum()))})
    out = out.reset_index()
    out["entry_share"] = out["n_entry"] / out["n"]
    out["is_reportable"] = out["n"] >= min_n
    return out


def response_mix(rows: pd.DataFrame) -> pd.DataFrame:
    """Responses per role per year (response counts, not job counts)."""
    # Counted per group, never by building a label for each of millions of rows.
    mapped = rows.groupby(["role_id", "work_year"], observed=True).size()
    parts = [mapped.rename("responses").reset_index()]
    unmapped = rows["role_id"].isna().to_numpy()
    for label, mask in ((BASELINE_LABEL, unmapped & rows["is_baseline"].to_numpy()),
                        ("unmapped", unmapped & ~rows["is_baseline"].to_numpy())):
        counts = rows.loc[mask, "work_year"].value_counts().sort_index()
        parts.append(pd.DataFrame({"role_id": label, "work_year": counts.index,
                                   "responses": counts.to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out["role_id"] = out["role_id"].astype("string")
    return out.sort_values(["role_id", "work_year"]).reset_index(drop=True)
