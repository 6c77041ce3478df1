"""The OEWS and Indeed tables committed to data/derived/, with their provenance.

`write_derived` reads the BLS OEWS workbooks and the Indeed Hiring Lab files (the folders in
../shared/data, or newer files of the same layout) and writes three tables with sidecars:
oews_occupations (the crosswalk's occupations, their 2020 hybrid predecessors and two
reference lines, every year), indeed_postings (the daily postings index, all US postings and
the sectors nearest to AI) and indeed_wage_growth (posted-wage growth per country and month).
`make sources-derive` runs it; with unchanged inputs it rewrites the files byte for byte
(the date recorded is kept while the inputs' md5s are the same).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from aijobs import paths
from aijobs.data import tables as table_io
from aijobs.errors import DataError, ParameterError
from aijobs.files import content_id, file_digest, frame_csv_text, publish_set
from aijobs.sources import indeed, oews

DERIVED_DIR = paths.DATA_DIR / "derived"
PREFIX = "derived/"
OEWS_DIR = paths.SHARED_DIR / "data" / "bls-oews-national"
INDEED_DIR = paths.SHARED_DIR / "data" / "indeed-hiring-lab"
RUN_SET = "sources"  # the name of this set of derived tables in their sidecars' run records
COMMAND = "make sources-derive [OEWS=<folder of national_MYYYY_dl.xlsx>] [INDEED=<folder>]"

# The tables this derivation writes. Their schemas (title, description, primary key, columns
# with types, units and rules) live in their sidecars, data/derived/<name>.meta.yaml, in the
# same language as every table of data/; write_derived copies them into the sidecars it writes
# (tables.derived_sidecar), with the source each table cites.
TABLES = {"oews_occupations": "bls_oews", "indeed_postings": "indeed_hiring_lab",
          "indeed_wage_growth": "indeed_hiring_lab"}


def _oews_frame(years: list[oews.OewsYear]) -> pd.DataFrame:
    parts = [y.frame.assign(year=y.year) for y in years if not y.frame.empty]
    if not parts:
        raise DataError("the OEWS workbooks hold none of the crosswalk's occupations; expected "
                        "national files with SOC 2018 codes")
    return pd.concat(parts, ignore_index=True)


def _ordered(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table with its declared columns in order, sorted on its primary key, numbers
    rounded to 6 places and whole numbers nullable."""
    schema = table_io.derived_schema(PREFIX + name)
    out = frame.reindex(columns=[c.name for c in schema.columns]).copy()
    out = out.sort_values(list(schema.primary_key), kind="stable").reset_index(drop=True)
    for spec in schema.columns:
        if spec.type == "number":
            out[spec.name] = out[spec.name].astype("float64").round(6)
        elif spec.type == "integer":
            out[spec.name] = out[spec.name].astype("Int64")
    return out


def crosswalk_codes() -> set[str]:
    """Every SOC code of the crosswalk, the 2020 hybrids holding them and the reference codes."""
    cross = table_io.load_table("soc_crosswalk")
    codes = set(cross["soc_code"].dropna())
    codes |= {h for h, later in oews.HYBRID_2020.items() if codes & set(later)}
    return codes | set(oews.REFERENCE_CODES)


def derive(oews_dir: str | Path = OEWS_DIR, indeed_dir: str | Path = INDEED_DIR
           ) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, Any]]]:
    """The three tables and, for each, its provenance (files with md5, producer, citation)."""
    years = oews.read_folder(oews_dir, crosswalk_codes())
    indeed_dir = Path(indeed_dir)
    postings = indeed.read_postings(indeed_dir)
    wages = indeed.read_wage_growth(indeed_dir / indeed.WAGE_FILE)
    tables = {"oews_occupations": _ordered("oews_occupations", _oews_frame(years)),
              "indeed_postings": _ordered("indeed_postings", postings),
              "indeed_wage_growth": _ordered("indeed_wage_growth", wages)}
    first, last = years[0].year, years[-1].year
    oews_prov = {
        "producer": oews.PRODUCER,
        "citation": f"U.S. Bureau of Labor Statistics, Occupational Employment and Wage "
                    f"Statistics, May {first} to May {last}",
        "population": oews.POPULATION,
        "files": [{"file": y.file.name, "year": y.year, "md5": y.md5,
                   "top_code_usd": y.top_code_usd} for y in years],
        "occupations": "the codes of data/soc_crosswalk.csv, their 2020 hybrid codes, "
                       "00-0000 and 15-0000",
        "hybrid_2020": {k: list(v) for k, v in oews.HYBRID_2020.items()},
        "caveat": "BLS warns that OEWS estimates are not designed for comparisons over time; "
                  "differences between years are indicative.",
    }
    indeed_files = [indeed.AGGREGATE_FILE, indeed.SECTOR_FILE, indeed.WAGE_FILE]
    indeed_prov = {
        "producer": indeed.PRODUCER,
        "citation": "Indeed Hiring Lab",
        "files": [{"file": f, "md5": file_digest(indeed_dir / f, "md5")} for f in indeed_files],
    }
    oews_prov["data_as_of"] = f"BLS OEWS estimates for May {first} to May {last}"
    covers = {"indeed_postings": _covers(tables["indeed_postings"], "series", "date"),
              "indeed_wage_growth": _covers(tables["indeed_wage_growth"], "country_code",
                                            "month")}
    spans = {name: _spans(c) for name, c in covers.items()}
    prov = {"oews_occupations": oews_prov,
            "indeed_postings": {**indeed_prov, "files": indeed_prov["files"][:2],
                                "data_as_of": "daily; " + "; ".join(spans["indeed_postings"]),
                                "covers": covers["indeed_postings"]},
            "indeed_wage_growth": {**indeed_prov, "files": indeed_prov["files"][2:],
                                   "data_as_of": "monthly, "
                                                 + "; ".join(spans["indeed_wage_growth"]),
                                   "covers": covers["indeed_wage_growth"]}}
    return tables, prov


def _spans(covers: dict[str, str]) -> list[str]:
    """The periods a table covers; where its series end apart, each period names its series
    (a reader could not tell which of two bare date ranges is whose)."""
    by_span: dict[str, list[str]] = {}
    for series, span in covers.items():
        by_span.setdefault(span, []).append(series)
    if len(by_span) == 1:
        return list(by_span)
    return [f"{', '.join(names)}: {span}" for span, names in sorted(by_span.items())]


def _covers(frame: pd.DataFrame, key: str, when: str) -> dict[str, str]:
    spans = frame.groupby(key, sort=True)[when].agg(["min", "max"])
    return {str(k): f"{r['min']} to {r['max']}" for k, r in spans.iterrows()}


def sidecar(name: str, provenance: dict[str, Any], date: str) -> dict[str, Any]:
    """The sidecar of derived table `name`: its declared schema and this run's provenance."""
    source = TABLES[name]
    attribution = ("U.S. Bureau of Labor Statistics, Occupational Employment and Wage "
                   "Statistics (public domain)" if source == "bls_oews"
                   else indeed.ATTRIBUTION)
    return table_io.derived_sidecar(
        PREFIX + name, source={"id": source, "attribution": attribution},
        licence=oews.LICENCE if source == "bls_oews" else indeed.LICENCE, date_recorded=date,
        data_as_of=provenance["data_as_of"], derived_from={**provenance, "command": COMMAND})


def _kept_date(meta_path: Path, provenance: dict[str, Any]) -> str | None:
    """The date recorded in an existing sidecar made from the same files (same md5s)."""
    try:
        old = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
        if old["derived_from"]["files"] == provenance["files"]:
            return str(old["date_recorded"])
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return None
    return None


def checked_date(date: str | None) -> str | None:
    if not date:
        return None
    try:
        parsed = dt.date.fromisoformat(str(date)).isoformat()
    except ValueError as exc:
        raise ParameterError(f"--date: got {date!r}; expected a date as YYYY-MM-DD, e.g. "
                             "2026-12-07") from exc
    if parsed > dt.date.today().isoformat():
        raise ParameterError(f"--date: got {date}, a day still to come; expected the day the "
                             f"files were read, today ({dt.date.today().isoformat()}) or before")
    return parsed


def write_derived(oews_dir: str | Path = OEWS_DIR, indeed_dir: str | Path = INDEED_DIR,
                  out_dir: Path = DERIVED_DIR, date: str | None = None) -> list[Path]:
    """Read the sources and write each table and its sidecar; nothing is written when any
    input is unusable. Without `date`, a sidecar made from the same files keeps its date.

    The set is written whole to a sibling folder, read back, checked and swapped in with one
    rename (files.publish_set): a full disk or a kill midway leaves the earlier set whole, and
    the other tables of the folder (the survey's) as they were. Every sidecar records the run
    (`derived_from.run`), so `aijobs validate` refuses a folder holding tables of two runs."""
    date = checked_date(date)
    tables, provenance = derive(oews_dir, indeed_dir)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise DataError(f"{out_dir}: is a file; expected a folder for the derived tables")
    csvs = {f"{name}.csv": frame_csv_text(frame) for name, frame in tables.items()}  # formula-safe
    metas = {}
    for name in tables:
        when = (date or _kept_date(out_dir / f"{name}.meta.yaml", provenance[name])
                or dt.date.today().isoformat())
        metas[name] = sidecar(name, provenance[name], when)
    # one id for the whole set, from its contents: rerun on the same files, it is the same
    run = {"set": RUN_SET, "id": content_id({**csvs, **{
               f"{name}.meta.yaml": yaml.safe_dump(meta, sort_keys=True, allow_unicode=True)
               for name, meta in metas.items()}}),
           "tables": sorted(tables)}
    files: dict[str, str | bytes] = dict(csvs)
    for name, meta in metas.items():
        meta.setdefault("derived_from", {})["run"] = run
        files[f"{name}.meta.yaml"] = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True,
                                                    width=100)
    return publish_set(out_dir, files, owns=_owned_by_run, check=_set_check(tables, out_dir))


def _owned_by_run(file_name: str) -> bool:
    """The files a sources-derive run makes (as an earlier run made them, too)."""
    return any(file_name in (f"{name}.csv", f"{name}.meta.yaml") for name in TABLES)


def _set_check(tables: dict[str, pd.DataFrame], out_dir: Path):
    """Refuse a written set that `aijobs validate` would refuse: each table read back with its
    columns, then checked with its sidecar exactly as validate checks it (one line naming the
    table, row and column; the earlier set stays)."""
    return table_io.new_set_check([PREFIX + name for name in tables], out_dir,
                                  _header_check(tables))


def _header_check(tables: dict[str, pd.DataFrame]):
    """Refuse a written set whose tables do not read back with their columns and rows."""
    def check(folder: Path) -> None:
        for name, frame in tables.items():
            with open(folder / f"{name}.csv", encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh))
            header = rows[0] if rows else []
            if header != [str(c) for c in frame.columns] or len(rows) - 1 != len(frame):
                raise DataError(f"{name}.csv: read back with columns {header} and "
                                f"{max(len(rows) - 1, 0)} rows, expected "
                                f"{list(frame.columns)} and {len(frame)} rows; the earlier "
                                "tables are unchanged")
    return check


def load(name: str) -> pd.DataFrame:
    """A committed table (oews_occupations, indeed_postings, indeed_wage_growth), validated."""
    if name not in TABLES:
        raise ParameterError(f"no derived source table {name!r}; expected one of "
                             f"{', '.join(TABLES)}")
    return table_io.load_table(PREFIX + name)


def provenance(name: str) -> dict[str, Any]:
    """The derived_from block of a committed table's sidecar."""
    return table_io.table_metadata(PREFIX + name)["derived_from"]
