"""Read an aijobs.net salary file, clean it honestly, and turn its rows into postings.

The aijobs.net file (CC0) calls itself a salary survey, but from 2022 on most of its rows come
in pairs: the top and the bottom of one job posting's advertised range (see
`aijobs.survey.postings`). `read_survey` reads a CSV or JSON copy, checks it, excludes rows
that break the rules (counted by reason, with example row numbers), maps job titles to the
article's roles through data/survey_title_map.csv, and collapses the pairs into postings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aijobs import paths
from aijobs.data import tables
from aijobs.errors import DataError, ParameterError
from aijobs.files import file_digest, loads_json, utf16_name
from aijobs.survey.postings import postings_from_rows
from aijobs.words import count, some_of

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
# Other columns of the published layout; a posting's two rows are equal in all of them but
# `salary`. Missing ones are fine: pairing compares those the file has.
KNOWN_TEXT_COLUMNS = (*TEXT_COLUMNS, "salary_currency", "company_size")
PAY_COLUMNS = ("salary", "salary_in_usd")
# The survey's own columns. Any other (an index or Id column, as copies of the file shared on
# data sites add) is reported and ignored: a row number in every row would keep a posting's
# two rows from pairing and identical postings from being seen as repeats.
OWN_COLUMNS = (*REQUIRED_COLUMNS, "salary", "salary_currency", "remote_ratio", "company_size")
COUNTRY_COLUMNS = ("company_location", "employee_residence")
# Codes in use for places ISO 3166 does not list (Kosovo): kept as they are.
EXTRA_COUNTRY_CODES = frozenset({"XK"})
# Annual base pay outside this range is not a plausible full-year salary (a typo, a monthly
# figure, a placeholder); such rows are excluded and counted. Parameters of read_survey.
MIN_PLAUSIBLE_USD = 10_000
MAX_PLAUSIBLE_USD = 5_000_000
SOURCE_NAME = "aijobs.net salary survey (Foorilla LLC)"
# Snapshots of the aijobs.net file the suite knows, recognised by their md5 (the shared copy's
# README records it): only these are described as the survey itself.
KNOWN_SNAPSHOTS = {"1884e0b0e63118c58785e40c82a5d63d": "2025-01-19"}
SOURCE_URL = "https://aijobs.net/salaries"
PAY_DEFINITION = ("base salary in US dollars, converted at the work year's average exchange "
                  "rate; no bonus or equity")


@dataclass
class Survey:
    """Rows that passed the checks and the postings they form, with roles from the title map.

    `rows` has one line per kept file row (row_number, the required columns, posting_id);
    `postings` one line per posting (see aijobs.survey.postings.postings_from_rows).
    """

    rows: pd.DataFrame
    postings: pd.DataFrame
    source: str
    n_read: int
    md5: str
    exclusions: dict[str, dict[str, Any]] = field(default_factory=dict)
    snapshot_date: dt.date | None = None
    ignored_columns: list[str] = field(default_factory=list)  # not the survey's own

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
    snapshot = snapshot_date_of(path)
    paths.OTHER_SOURCES[str(path)] = {
        "holds": "a salary file given in the settings (described once it is read)",
        "source": "not known yet", "licence": "not known",
        "data_as_of": f"survey snapshot of {snapshot}" if snapshot else "not stated"}
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if not head.strip():
        raise DataError(f"{where}: the file is empty; expected a CSV or JSON table of salaries")
    utf16 = utf16_name(head)
    if utf16:
        raise DataError(f"{where}: not UTF-8 text but {utf16}; save the file as UTF-8 (a "
                        "spreadsheet's 'CSV UTF-8') and give it again")
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
    first_row = next((row for row in csv.reader(io.StringIO(text_head.lstrip("\ufeff"),
                                                         newline="")) if row), [])
    _refuse_duplicate_columns([name.strip() for name in first_row], where)
    _refuse_long_first_row(text_head.lstrip("\ufeff"), len(first_row), where)
    try:
        kwargs: dict[str, Any] = {"encoding": "utf-8-sig"}
        header_names = list(pd.read_csv(path, nrows=0, **kwargs).columns)
        # Every column (pairing compares them all), known text as categories: a
        # 5-million-row file then fits in a fraction of the memory (measured by `make bench`).
        wanted = [h for h in header_names if not str(h).startswith("Unnamed:")]
        if len({str(h).strip() for h in wanted} & set(REQUIRED_COLUMNS)) < len(REQUIRED_COLUMNS):
            return pd.DataFrame(columns=header_names), "line"  # reported as missing columns
        if engine == "pyarrow":
            frame = _read_streaming(path, wanted)
            if frame is not None:
                return frame, "line"
        # Every column read, unnamed ones (an index a spreadsheet added) dropped after: with
        # usecols pandas drops the extra fields of a row longer than the header silently (an
        # unquoted comma in a job title), where reading all of them it stops at that row.
        kwargs["dtype"] = {h: "category" for h in wanted
                           if str(h).strip() in KNOWN_TEXT_COLUMNS}
        # Only empty cells are missing: "NA" is Namibia's country code.
        kwargs["keep_default_na"] = False
        kwargs["na_values"] = [""]
        frame = pd.read_csv(path, index_col=False, **kwargs)
        if len(wanted) < len(header_names):
            frame = frame[wanted]
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}: not UTF-8 text (byte {exc.start}); save the file as "
                        "UTF-8") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            expected, line, saw = found.groups()
            raise DataError(f"{where}, line {line}: {saw} fields, the header has {expected}; "
                            "each row needs as many comma-separated fields as the header "
                            "(quote a value that holds a comma)") from None
        raise DataError(f"{where}: not a well-formed CSV table ({exc})") from exc
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{where}: no header or rows; expected a CSV table") from exc
    return frame, "line"


def _refuse_long_first_row(text: str, width: int, where: str) -> None:
    """A DataError for a first data row with more fields than the header (an unquoted comma in
    a job title on line 2): pandas reads such a file as if it had an index column, every value
    of that row one column off, with a warning only. Later rows longer than the header stop
    pandas, and the reader reports them the same way. `text` is the file's first block: a row
    it cuts short is not judged."""
    rows = csv.reader(io.StringIO(text, newline=""))
    line = 1
    seen = 0
    try:
        for row in rows:
            start, line = line, rows.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            seen += 1
            if seen == 2:
                whole = rows.line_num < text.count("\n")  # more text follows: not cut short
                if whole and len(row) > width:
                    raise DataError(f"{where}, line {start}: {len(row)} fields, the header has "
                                    f"{width}; each row needs as many comma-separated fields as "
                                    "the header (quote a value that holds a comma)")
                return
    except csv.Error:
        return  # the full read names what is wrong with the file


def _read_streaming(path: Path, columns: list[str]) -> pd.DataFrame | None:
    """The wanted columns through pyarrow's streaming CSV reader, text dictionary-encoded.

    Block by block, so memory stays near the size of the result (a 5-million-row file peaks
    at about a quarter of what reading it whole takes). Returns None when a value does not fit
    its column's type (text in a number column): the caller then reads it with pandas, which
    keeps every value so the bad rows can be reported.
    """
    # pyarrow is optional (the arrow extra): imported only when this reader is asked for
    import pyarrow as pa
    import pyarrow.csv as pcsv

    text = pa.dictionary(pa.int32(), pa.string())
    options = pcsv.ConvertOptions(
        include_columns=columns, strings_can_be_null=False,  # "NA" is Namibia, not missing
        column_types={c: text for c in columns if str(c).strip() in KNOWN_TEXT_COLUMNS})
    try:
        reader = pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=8 << 20),
                               convert_options=options)
        return reader.read_all().to_pandas()
    except pa.ArrowInvalid:
        return None


def _read_json(path: Path, where: str) -> pd.DataFrame:
    repeated: list[tuple[dict, str]] = []  # the first object that gives a key twice

    def fields(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)  # in C; plain json would keep the last of a repeated key silently
        if len(out) < len(items) and not repeated:
            keys = [key for key, _ in items]
            repeated.append((out, next(k for i, k in enumerate(keys) if k in keys[:i])))
        return out

    try:
        data = loads_json(path.read_text(encoding="utf-8-sig"), pairs_hook=fields)
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}: not UTF-8 text (byte {exc.start})") from exc
    except ValueError as exc:  # not JSON, or nested too deeply
        raise DataError(f"{where}: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataError(f"{where}: JSON is not a table; expected a list of objects, one per "
                        "salary, with fields " + ", ".join(REQUIRED_COLUMNS))
    if repeated:
        found, key = repeated[0]
        record = next((f"record {i}, " for i, r in enumerate(data, start=1) if r is found), "")
        raise DataError(f"{where}, {record}field {key}: given twice in one record (JSON keeps "
                        "the last silently); expected each field once")
    frame = pd.DataFrame.from_records(data)
    _refuse_duplicate_columns([str(c).strip() for c in frame.columns], where, "field")
    _refuse_nested_values(frame, where)
    return frame


def _refuse_nested_values(frame: pd.DataFrame, where: str) -> None:
    """A DataError naming the first record whose field of the survey's own holds an object
    or a list (JSON allows them; a salary file's fields are text or numbers)."""
    for column in frame.columns:
        name = str(column).strip()
        if name not in OWN_COLUMNS or frame[column].dtype != object:
            continue
        values = frame[column]
        # checked in C: a column of plain text or numbers (nearly every file) is not scanned
        if pd.api.types.infer_dtype(values, skipna=True) in (
                "string", "integer", "floating", "mixed-integer-float", "boolean", "empty"):
            continue
        for i, value in enumerate(values.tolist()):
            if isinstance(value, dict | list):
                what = "an object" if isinstance(value, dict) else "a list"
                expected = "text" if name in KNOWN_TEXT_COLUMNS else "a number"
                raise DataError(f"{where}, record {i + 1}, field {name}: got {what}; "
                                f"expected {expected}")


def _refuse_duplicate_columns(names: list[str], where: str, kind: str = "column") -> None:
    """A DataError naming a column that the header gives more than once (pandas would rename
    the second `salary_in_usd.1` and read the first, whichever that is), with its positions."""
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        if name:  # unnamed columns (a spreadsheet's index) are ignored anyway
            positions.setdefault(name, []).append(i)
    for name, found in positions.items():
        if len(found) > 1:
            times = "twice" if len(found) == 2 else f"{len(found)} times"
            at = ", ".join(map(str, found[:-1])) + f" and {found[-1]}"
            raise DataError(f"{where}: {kind} {name} appears {times} ({kind}s {at}); expected "
                            "each column once (remove or rename the extra one)")


def load_title_map() -> pd.DataFrame:
    """data/survey_title_map.csv: survey job title to role id, or the non-AI baseline."""
    return tables.load_table("survey_title_map")


def read_survey(path: str | Path, *, strict: bool = False, engine: str = "c",
                today: dt.date | None = None, min_salary_usd: float = MIN_PLAUSIBLE_USD,
                max_salary_usd: float = MAX_PLAUSIBLE_USD) -> Survey:
    """The survey at `path`, checked, with bad rows excluded and counted by reason.

    `strict` turns the first bad row into an error instead. `engine` is pandas' "c" reader
    (the default: `make bench` measured it as fast as pyarrow's streaming reader on a
    5-million-row file, with a third less memory) or "pyarrow" when that is installed.
    Salaries outside [min_salary_usd, max_salary_usd] are excluded as implausible.
    """
    path = Path(path)
    where = _where(path)
    if engine not in ("c", "pyarrow"):
        raise ParameterError(f"engine: got {engine!r}; expected c or pyarrow")
    if not (np.isfinite(min_salary_usd) and np.isfinite(max_salary_usd)
            and 0 < min_salary_usd < max_salary_usd):
        raise ParameterError(f"plausible salary range: got {min_salary_usd!r} to "
                             f"{max_salary_usd!r}; expected 0 < minimum < maximum, both finite")
    if path.exists() and not path.is_dir() and not path.is_file():
        raise DataError(f"{where}: not a regular file (a pipe or device); expected the "
                        "survey's salaries.csv or .json")
    raw, unit = _read_frame(path, engine)
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{where}: missing column{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(missing)}; an aijobs.net survey has "
                        f"{', '.join(REQUIRED_COLUMNS)} (extra columns are fine)")
    if raw.empty:
        raise DataError(f"{where}: has a header but no rows of salaries")
    raw = raw.loc[:, ~pd.Index(raw.columns).duplicated()]
    n = len(raw)
    row_numbers = np.arange(n) + (2 if unit == "line" else 1)
    today = today or dt.date.today()
    # No row is paid later than the file was made: the date of its snapshot folder (as the
    # shared copies have), else today.
    snapshot = snapshot_date_of(path)
    made = snapshot if snapshot is not None and snapshot <= today else today
    last_year = made.year
    made_words = (f"the file's date ({made.isoformat()})" if made is snapshot
                  else f"today ({made.isoformat()})")
    salary = pd.to_numeric(raw["salary_in_usd"], errors="coerce")
    year = pd.to_numeric(raw["work_year"], errors="coerce")
    text = {c: _stripped_category(raw[c]) for c in TEXT_COLUMNS}
    unreadable = {}
    for c in COUNTRY_COLUMNS:  # "us", "USA" and "US" are one country
        text[c], unreadable[c] = _country_codes(text[c])
    finite = np.isfinite(salary.to_numpy(dtype="float64", na_value=np.nan))
    rules = [
        ("salary_in_usd is not a number", salary.isna().to_numpy()),
        ("salary_in_usd is infinite", ~finite & salary.notna().to_numpy()),
        ("salary_in_usd is zero or negative", (salary <= 0).fillna(False).to_numpy()),
        (f"salary_in_usd is outside the plausible range ${min_salary_usd:,.0f} to "
         f"${max_salary_usd:,.0f} a year",
         ((salary < min_salary_usd) | (salary > max_salary_usd)).fillna(False).to_numpy()),
        ("experience_level is not one of EN, MI, SE, EX",
         ~text["experience_level"].isin(EXPERIENCE_LEVELS).fillna(False).to_numpy()),
        ("employment_type is not one of FT, PT, CT, FL",
         ~text["employment_type"].isin(EMPLOYMENT_TYPES).fillna(False).to_numpy()),
        (f"work_year is not a whole year from {FIRST_YEAR} on",
         ~(((year % 1) == 0) & (year >= FIRST_YEAR)).fillna(False).to_numpy()),
        (f"work_year is in the future: after {made_words}, so at most {last_year}",
         (year > last_year).fillna(False).to_numpy()),
        ("job_title is empty", _empty(text["job_title"])),
        ("company_location is empty", _empty(text["company_location"])),
        *((f"{c} is not an ISO 3166 country code", unreadable[c]) for c in COUNTRY_COLUMNS),
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
                                f"(got {_shown(raw.iloc[i][column])}); strict mode stops at the "
                                "first bad row")
            exclusions[reason] = {"count": int(new.sum()), "example_rows": examples}
        bad |= mask
    keep = ~bad
    if not keep.any():
        causes = "; ".join(f"{found['count']:,} because {reason} (e.g. {unit} "
                           f"{found['example_rows'][0]})"
                           for reason, found in sorted(exclusions.items(),
                                                       key=lambda item: -item[1]["count"])[:3])
        raise DataError(f"{where}: none of its {n:,} rows can be used: {causes}; expected at "
                        f"least one row with a salary_in_usd from ${min_salary_usd:,.0f} to "
                        f"${max_salary_usd:,.0f}, known codes and a work_year from "
                        f"{FIRST_YEAR} to {last_year}")
    others = {c: _comparable(raw[c])[keep].reset_index(drop=True) for c in raw.columns
              if c in OWN_COLUMNS and c not in REQUIRED_COLUMNS and c not in PAY_COLUMNS}
    pay_local = (pd.to_numeric(raw["salary"], errors="coerce")[keep].to_numpy(dtype="float64")
                 if "salary" in raw.columns else None)
    rows = pd.DataFrame({
        "row_number": row_numbers[keep],
        "work_year": year[keep].astype("int64").to_numpy(),
        **{c: text[c][keep].reset_index(drop=True) for c in TEXT_COLUMNS},
        "salary_in_usd": salary[keep].astype("float64").to_numpy(),
        **{f"other_{c}": v for c, v in others.items()},
    })
    if pay_local is not None:
        rows["salary_local"] = pay_local
    rows = with_roles(rows, load_title_map())
    postings = postings_from_rows(rows)
    # The columns that only decided pairs and repeats are not needed past this point; dropping
    # them keeps every later filter cheap on large files (measured by `make bench`).
    survey = Survey(_without_pairing_columns(rows), _without_pairing_columns(postings), where,
                    n, file_digest(path, "md5"), exclusions,
                    snapshot_date=snapshot_date_of(path),
                    ignored_columns=[str(c) for c in raw.columns if c not in OWN_COLUMNS])
    known = survey.md5 in KNOWN_SNAPSHOTS
    paths.OTHER_SOURCES[str(path)] = {
        "holds": file_description(path.name, survey.md5,
                                  sorted(int(y) for y in rows["work_year"].unique()), n)
        + " (given in the settings)",
        "source": SOURCE_NAME if known else "not known (a file given in the settings)",
        "licence": "CC0-1.0" if known else "not known",
        "data_as_of": (f"survey snapshot of {KNOWN_SNAPSHOTS[survey.md5]}" if known
                       else "not stated")}
    return survey


def _shown(value: Any) -> str:
    """A cell as a message shows it: 'abc' for text, inf or 150000.0 for a number (a numpy
    number's repr, np.float64(inf), is not for readers)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _without_pairing_columns(lines: pd.DataFrame) -> pd.DataFrame:
    return lines.drop(columns=[c for c in lines.columns
                               if c.startswith(("other_", "salary_local"))])


def with_roles(rows: pd.DataFrame, title_map: pd.DataFrame) -> pd.DataFrame:
    """`rows` with role_id, is_baseline and is_software_family from the title map."""
    # Mapped through the categories (a few hundred titles), not row by row.
    titles = rows["job_title"].astype("category").cat
    mapped = title_map[title_map["role_id"].notna()]
    role_ids = sorted(set(mapped["role_id"]) | set(title_map["alternative_role_id"].dropna()))
    role_of = {t: role_ids.index(r) for t, r in zip(mapped["job_title"], mapped["role_id"],
                                                    strict=True)}
    # title code -> role code (-1: no role); one extra slot so a missing title (-1) maps to -1
    per_title = np.array([role_of.get(t, -1) for t in titles.categories] + [-1], dtype=int)
    out = rows.copy()
    out["role_id"] = pd.Categorical.from_codes(per_title[titles.codes.to_numpy()],
                                               categories=role_ids)
    baseline = set(title_map.loc[title_map["is_baseline"], "job_title"])
    family = set(title_map.loc[title_map["is_software_family"], "job_title"])
    out["is_baseline"] = out["job_title"].isin(baseline).to_numpy()
    out["is_software_family"] = out["job_title"].isin(family).to_numpy()
    history = set(title_map.loc[title_map["is_history_baseline"], "job_title"])
    out["is_history_baseline"] = out["job_title"].isin(history).to_numpy()
    return out


def file_description(name: str, md5: str, years: list[int], n_rows: int) -> str:
    """What a salary file is, in words: the aijobs.net snapshot the suite knows (by its md5),
    or, for any other file, its name, md5, work years and rows as "a salary file in the
    aijobs.net format", with no claim about where it comes from."""
    if md5 in KNOWN_SNAPSHOTS:
        return (f"the {SOURCE_NAME} snapshot of {KNOWN_SNAPSHOTS[md5]}, recognised by its md5 "
                f"({md5})")
    span = (f"work year {years[0]}" if len(set(years)) == 1 else
            f"work years {min(years)} to {max(years)}") if years else "no work years"
    return (f"{name}, a salary file in the aijobs.net format (md5 {md5}; {span}; "
            f"{count(n_rows, 'row')}); the suite does not know where it comes from")


def snapshot_date_of(path: Path) -> dt.date | None:
    """The snapshot's date when the file sits in a YYYY-MM-DD folder (as the shared copies do)."""
    for part in (path.parent.name, path.stem):
        try:
            return dt.date.fromisoformat(part[:10])
        except ValueError:
            continue
    return None


def _comparable(values: pd.Series) -> pd.Series:
    """A column as something cheap to compare row to row: categories for text."""
    if isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_numeric_dtype(values):
        return values
    return values.astype("string").astype("category")


def _stripped_category(values: pd.Series) -> pd.Series:
    """Text as a categorical with surrounding spaces removed (done once per distinct value)."""
    cat = values.astype("category")
    labels = cat.cat.categories.astype(str)
    stripped = labels.str.strip()
    if (stripped != labels).any():
        cat = values.astype("string").str.strip().astype("category")
    return cat


def country_code(code: str) -> str | None:
    """A country code as ISO 3166 alpha-2, whatever its case, from alpha-2 or alpha-3 ("usa"
    is "US"); None when it is neither."""
    import pycountry  # deferred: only reading a survey needs it

    text = str(code).strip().upper()
    if text in EXTRA_COUNTRY_CODES:
        return text
    found = (pycountry.countries.get(alpha_2=text) if len(text) == 2
             else pycountry.countries.get(alpha_3=text) if len(text) == 3 else None)
    return found.alpha_2 if found is not None else None


def _country_codes(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Country codes as alpha-2 (mapped through the few distinct values), and a mask of the
    rows whose code is neither alpha-2 nor alpha-3 (an empty cell is not such a row)."""
    labels = values.cat.categories
    mapped = {label: country_code(label) for label in labels}
    if all(mapped[label] == label for label in labels):
        return values, np.zeros(len(values), dtype=bool)
    bad = {label for label, code in mapped.items() if code is None and str(label) != ""}
    unreadable = values.isin(bad).to_numpy()
    named = {label: (code if code is not None else label) for label, code in mapped.items()}
    return values.map(named).astype("category"), unreadable


def _empty(values: pd.Series) -> np.ndarray:
    # isin on the categorical compares the few categories, not millions of strings
    return (values.isna() | values.isin([""])).to_numpy()


def _codes(values: Sequence[str] | str | None, name: str, allowed: Sequence[str] | None = None,
           ) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    out = [str(v).strip().upper() for v in values]
    if allowed is None:  # country codes: alpha-2 or alpha-3, any case
        known = {v: country_code(v) for v in dict.fromkeys(out)}  # each distinct code once
        wrong = [v for v, code in known.items() if code is None]
        if wrong:
            verb = "is not a country code" if len(wrong) == 1 else "are not country codes"
            raise ParameterError(f"parameter {name}: {some_of(wrong)} {verb}; expected ISO "
                                 "3166 codes of two or three letters, e.g. US or USA, GB or GBR")
        return list(dict.fromkeys(code for code in known.values() if code is not None))
    if allowed is not None:
        wrong = [v for v in dict.fromkeys(out) if v not in allowed]
        if wrong:
            raise ParameterError(f"parameter {name}: unknown code(s) {some_of(wrong)}; "
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
    return filtered(survey.rows, filters)


def filtered(rows: pd.DataFrame, filters: dict[str, list]) -> pd.DataFrame:
    """The lines of `rows` (file rows or postings) matching the filters."""
    return rows[filter_mask(rows, filters)]


def filter_mask(rows: pd.DataFrame, filters: dict[str, list]) -> np.ndarray:
    """True for the lines of `rows` matching the filters; an empty list means no restriction."""
    mask = np.ones(len(rows), dtype=bool)
    for column, key in (("company_location", "company_countries"),
                        ("employee_residence", "residence_countries"),
                        ("experience_level", "experience_levels"),
                        ("employment_type", "employment_types"),
                        ("work_year", "work_years")):
        if filters.get(key):
            mask &= rows[column].isin(filters[key]).to_numpy()
    return mask


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
