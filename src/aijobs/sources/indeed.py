"""Indeed Hiring Lab: the job postings index and the posted-wage growth tracker (CSV files).

Postings index: a level relative to 1 February 2020 (= 100), daily, for all US postings
(`aggregate_job_postings_US.csv`, seasonally adjusted and not) and per Indeed occupational
sector (`job_postings_by_sector_US.csv`, seasonally adjusted). Posted-wage growth: the
year-on-year growth of wages advertised in postings, controlling for job title, per country and
month (`posted-wage-growth-by-country.csv`; months written `Jan-19`, missing values `NA`).

Licence CC BY 4.0: every figure shown from these files cites "Indeed Hiring Lab".
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from aijobs import paths
from aijobs.errors import DataError

PRODUCER = "Indeed Hiring Lab"
ATTRIBUTION = "Indeed Hiring Lab (hiringlab.org), CC BY 4.0"
SOURCE_URL = "https://www.hiringlab.org/"
LICENCE = "CC-BY-4.0"
AGGREGATE_FILE = "aggregate_job_postings_US.csv"
SECTOR_FILE = "job_postings_by_sector_US.csv"
WAGE_FILE = "posted-wage-growth-by-country.csv"
ALL_POSTINGS = "All US postings"
# Indeed's sectors nearest to AI work (there is no AI sector), read by default
SECTORS = ("Software Development", "Mathematics", "Scientific Research & Development")
AGGREGATE_COLUMNS = ("date", "jobcountry", "indeed_job_postings_index_SA",
                     "indeed_job_postings_index_NSA", "variable")
SECTOR_COLUMNS = ("date", "jobcountry", "indeed_job_postings_index", "variable",
                  "display_name")
WAGE_COLUMNS = ("jobcountry", "country", "month", "n_obs", "posted_wage_growth_yoy",
                "posted_wage_growth_yoy_3moavg")


def _read(path: Path, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"{path}: file not found; expected {what}")
    if path.is_dir():
        raise DataError(f"{path}: is a folder; expected {what}")
    raw = paths.record_read(path).read_bytes()
    if not raw.strip():
        raise DataError(f"{path}: the file is empty; expected {what} with the columns "
                        f"{', '.join(columns)}")
    try:
        raw.decode("utf-8")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[],
                            encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: not a readable UTF-8 CSV file ({type(exc).__name__}); "
                        f"expected {what}") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: lacks the columns {', '.join(missing)}; expected {what} with "
                        f"the columns {', '.join(columns)}")
    if frame.empty:
        raise DataError(f"{path}: has a header but no rows; expected {what}")
    return frame


def _numbers(frame: pd.DataFrame, column: str, path: Path, *, missing_ok: bool,
             above: float | None = None, at_least: float | None = None) -> pd.Series:
    """The column as numbers; one line naming the file, row, line and column of the first
    cell that is not a number (or NA when missing_ok), or not above `above` / at least
    `at_least`. Rows are counted in the file as read, before any rows were set aside."""
    text = frame[column].str.strip()
    values = pd.to_numeric(text.where(text != "NA"), errors="coerce")
    bad = values.isna() & ~(text.eq("NA") & missing_ok)
    bad |= values.map(lambda v: isinstance(v, float) and math.isinf(v))
    expected = f"a number{' or NA' if missing_ok else ''}"
    if above is not None:
        bad |= values.notna() & ~(values > above)
        expected = f"a number above {above:g}{' or NA' if missing_ok else ''}"
    if at_least is not None:
        bad |= values.notna() & ~(values >= at_least)
        expected = f"a number of at least {at_least:g}{' or NA' if missing_ok else ''}"
    if bad.any():
        i = _file_row(frame, bad)
        raise DataError(f"{path}: row {i + 1} (line {i + 2}), column {column}: got "
                        f"{frame[column].loc[i]!r}; expected {expected}")
    return values.astype("float64")


def _file_row(frame: pd.DataFrame, bad: pd.Series) -> int:
    """The row of the file (0 for the first under the header) of the first bad cell: the
    frame's index is the row as read (read_csv numbers them), kept when rows are selected."""
    return int(frame.index[bad.to_numpy()][0])


def _dates(frame: pd.DataFrame, column: str, path: Path, fmt: str, example: str) -> pd.Series:
    parsed = pd.to_datetime(frame[column].str.strip(), format=fmt, errors="coerce")
    if parsed.isna().any():
        i = _file_row(frame, parsed.isna())
        raise DataError(f"{path}: row {i + 1} (line {i + 2}), column {column}: got "
                        f"{frame[column].loc[i]!r}; expected a date such as {example}")
    return parsed


def read_postings(folder: str | Path, sectors: tuple[str, ...] = SECTORS) -> pd.DataFrame:
    """All US postings (seasonally adjusted, total postings) and the sectors asked for, daily:
    columns date (YYYY-MM-DD), series, index_sa (1 February 2020 = 100)."""
    folder = Path(folder)
    agg_path, sec_path = folder / AGGREGATE_FILE, folder / SECTOR_FILE
    agg = _read(agg_path, AGGREGATE_COLUMNS, "Indeed's aggregate US job postings index")
    agg = agg[agg["variable"].str.strip() == "total postings"]
    if agg.empty:
        raise DataError(f"{agg_path}: no 'total postings' rows in column variable; expected "
                        "Indeed's aggregate index (variable 'total postings' or 'new postings')")
    sec = _read(sec_path, SECTOR_COLUMNS, "Indeed's US job postings index by sector")
    known = set(sec["display_name"].str.strip())
    unknown = [s for s in sectors if s not in known]
    if unknown:
        raise DataError(f"{sec_path}: no rows for the sector(s) {', '.join(unknown)} in column "
                        f"display_name; it holds {len(known)} sectors, e.g. "
                        f"{', '.join(sorted(known)[:3])}")
    sec = sec[sec["display_name"].str.strip().isin(sectors)
              & (sec["variable"].str.strip() == "total postings")]
    parts = [pd.DataFrame({"date": _dates(agg, "date", agg_path, "%Y-%m-%d", "2020-02-01"),
                           "series": ALL_POSTINGS,
                           "index_sa": _numbers(agg, "indeed_job_postings_index_SA", agg_path,
                                                missing_ok=False, above=0)}),
             pd.DataFrame({"date": _dates(sec, "date", sec_path, "%Y-%m-%d", "2020-02-01"),
                           "series": sec["display_name"].str.strip(),
                           "index_sa": _numbers(sec, "indeed_job_postings_index", sec_path,
                                                missing_ok=False, above=0)})]
    out = pd.concat(parts, ignore_index=True)
    dup = out.duplicated(["series", "date"])
    if dup.any():
        r = out[dup].iloc[0]
        raise DataError(f"{folder}: {r['series']} has two values for {r['date']:%Y-%m-%d}; "
                        "expected one a day")
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return out.sort_values(["series", "date"], kind="stable").reset_index(drop=True)


def read_wage_growth(path: str | Path) -> pd.DataFrame:
    """Posted-wage growth per country and month: country_code, country, month (YYYY-MM),
    n_obs, growth_yoy and growth_yoy_3mo_avg (fractions; NA stays missing)."""
    path = Path(path)
    frame = _read(path, WAGE_COLUMNS, "Indeed's posted-wage growth by country")
    months = _dates(frame, "month", path, "%b-%y", "Apr-26")
    out = pd.DataFrame({
        "country_code": frame["jobcountry"].str.strip(),
        "country": frame["country"].str.strip(),
        "month": months.dt.strftime("%Y-%m"),
        "n_obs": _numbers(frame, "n_obs", path, missing_ok=True, at_least=0),
        "growth_yoy": _numbers(frame, "posted_wage_growth_yoy", path, missing_ok=True),
        "growth_yoy_3mo_avg": _numbers(frame, "posted_wage_growth_yoy_3moavg", path,
                                       missing_ok=True),
    })
    dup = out.duplicated(["country_code", "month"])
    if dup.any():
        r = out[dup].iloc[0]
        raise DataError(f"{path}: {r['country_code']} has two rows for {r['month']}; expected "
                        "one a month")
    return out.sort_values(["country_code", "month"], kind="stable").reset_index(drop=True)


def month_label(month: str) -> str:
    """'2026-04' -> 'April 2026'."""
    return dt.date.fromisoformat(f"{month}-01").strftime("%B %Y")
