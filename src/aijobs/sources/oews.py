"""BLS Occupational Employment and Wage Statistics (OEWS): the national xlsx workbooks.

One workbook per reference year (May), as BLS names them: `national_M2024_dl.xlsx`. The first
sheet holds one row per occupation and industry group; the national cross-industry rows
(I_GROUP 'cross-industry') are the ones read. A wage cell may hold a symbol instead of a
number: `#` means the wage is at or above the top of BLS's range (top-coded: "at least
$239,200" in 2024, read from the workbook's Field Descriptions sheet), `*` means no estimate.
Neither is ever read as a number or as zero: each wage keeps its status beside it.

Some occupations of the 2018 SOC were published under hybrid codes in the May 2020 file (e.g.
15-1256 Software Developers and Software Quality Assurance Analysts and Testers; 15-1252 and
15-2051 first appear in 2021). HYBRID_2020 records the ones this suite uses; a series says
which years it covers.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from aijobs import paths
from aijobs.errors import DataError
from aijobs.files import file_digest

PRODUCER = "U.S. Bureau of Labor Statistics"
SOURCE_NAME = "BLS Occupational Employment and Wage Statistics (OEWS), national estimates"
SOURCE_URL = "https://www.bls.gov/oes/"
LICENCE = "public-domain-us-government"
# BLS's definition of OEWS wages: straight-time gross pay, with commissions, production
# bonuses and tips; without overtime, shift differentials or nonproduction (year-end) bonuses
POPULATION = ("what employers pay people in existing jobs, nationwide (a survey of "
              "establishments), straight-time pay: base rate with commissions, production "
              "bonuses and tips; no overtime, year-end bonuses or equity")
FILE_PATTERN = re.compile(r"national_M(\d{4})_dl\.xlsx$")
REQUIRED = ("OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "EMP_PRSE", "A_MEAN", "MEAN_PRSE",
            "A_PCT10",
            "A_PCT25", "A_MEDIAN", "A_PCT75", "A_PCT90")
# wage measure -> the workbook's column
WAGES = {"mean": "A_MEAN", "p10": "A_PCT10", "p25": "A_PCT25", "p50": "A_MEDIAN",
         "p75": "A_PCT75", "p90": "A_PCT90"}
STATUSES = ("estimate", "top_coded", "missing")
# Occupations read by default beside those of the crosswalk: all occupations and the
# computer and mathematical major group, as reference lines.
REFERENCE_CODES = ("00-0000", "15-0000")
# 2020 hybrid code -> the 2018 SOC codes it combines (published separately from 2021)
HYBRID_2020 = {
    "15-1256": ("15-1252", "15-1253"),
    "15-2098": ("15-2051", "15-2099"),
    "13-1198": ("13-1082", "13-1199"),
}
_TOP_CODE = re.compile(r"#\s*=.*?\$\s*([\d,]+)\s*per year", re.IGNORECASE)
_SOC = re.compile(r"^\d{2}-\d{4}$")


@dataclass(frozen=True)
class OewsYear:
    """One workbook: the national cross-industry rows, and what the file says of itself."""

    file: Path
    year: int
    md5: str
    top_code_usd: float
    frame: pd.DataFrame  # one row per occupation: columns of oews_occupations without year


def _fail(path: Path, what: str) -> DataError:
    return DataError(f"{path}: {what}")


def _workbook(path: Path):
    """The open workbook (read-only), or a one-line error saying what the file should be."""
    import openpyxl  # only when a workbook is read: the reports read the derived tables

    if not path.exists():
        raise _fail(path, "file not found; expected a BLS OEWS national workbook "
                          "(national_MYYYY_dl.xlsx)")
    if path.is_dir():
        raise _fail(path, "is a folder; expected a BLS OEWS national workbook (.xlsx)")
    if path.stat().st_size == 0:
        raise _fail(path, "the file is empty; expected a BLS OEWS national workbook (.xlsx)")
    if not zipfile.is_zipfile(path):
        raise _fail(path, "not an xlsx workbook (an xlsx file is a zip archive); expected a "
                          "BLS OEWS national workbook such as national_M2024_dl.xlsx")
    try:
        return openpyxl.load_workbook(paths.record_read(path), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
        raise _fail(path, f"cannot be read as an xlsx workbook ({type(exc).__name__}); "
                          "expected a BLS OEWS national workbook") from exc


def _year_of(path: Path, wb) -> int:
    """The reference year: from the Field Descriptions title ('May 2024 OEWS Estimates'),
    else from the file name."""
    if "Field Descriptions" in wb.sheetnames:
        for row in wb["Field Descriptions"].iter_rows(max_row=5, values_only=True):
            for cell in row:
                found = re.search(r"May (\d{4}) OEWS", str(cell or ""))
                if found:
                    return int(found.group(1))
    named = FILE_PATTERN.search(path.name)
    if named:
        return int(named.group(1))
    raise _fail(path, "cannot tell the reference year: no 'May YYYY OEWS Estimates' title in "
                      "a Field Descriptions sheet and the name is not national_MYYYY_dl.xlsx")


def _top_code(path: Path, wb) -> float:
    """The annual wage at and above which BLS writes '#', from the Field Descriptions sheet."""
    if "Field Descriptions" not in wb.sheetnames:
        raise _fail(path, "no 'Field Descriptions' sheet; expected the BLS layout, whose "
                          "field descriptions say what '#' stands for")
    for row in wb["Field Descriptions"].iter_rows(values_only=True):
        found = _TOP_CODE.search(" ".join(str(c) for c in row if c is not None))
        if found:
            return float(found.group(1).replace(",", ""))
    raise _fail(path, "the Field Descriptions sheet does not say what '#' stands for "
                      "('# = ... $NNN,NNN per year'); expected the BLS layout")


def _wage(value, path: Path, row: int, column: str) -> tuple[float, str]:
    if value is None or (isinstance(value, str) and value.strip() in ("*", "**", "")):
        return float("nan"), "missing"
    if isinstance(value, str) and value.strip() == "#":
        return float("nan"), "top_coded"
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value), "estimate"
    raise _fail(path, f"row {row}, column {column}: got {value!r}; expected an annual wage in "
                      "dollars, '#' (top-coded) or '*' (no estimate)")


def read_oews(path: str | Path, codes: set[str] | None = None) -> OewsYear:
    """Read one national workbook: the cross-industry rows of `codes` (every code when None).

    Employment `**` and wages `*` are missing, wages `#` top-coded, never zero."""
    path = Path(path)
    wb = _workbook(path)
    try:
        sheet = wb[wb.sheetnames[0]]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise _fail(path, f"sheet '{sheet.title}' is empty; expected a header row with "
                              f"{', '.join(REQUIRED)}")
        header = [str(h).strip().upper() if h is not None else "" for h in header]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise _fail(path, f"sheet '{sheet.title}' lacks the columns {', '.join(missing)}; "
                              "expected a BLS OEWS national workbook (first sheet, "
                              f"columns {', '.join(REQUIRED)})")
        at = {c: header.index(c) for c in header if c}
        year = _year_of(path, wb)
        top = _top_code(path, wb)
        out = []
        for n, row in enumerate(rows, start=2):
            if all(v is None for v in row):
                continue
            if "I_GROUP" in at and str(row[at["I_GROUP"]] or "") != "cross-industry":
                continue
            code = str(row[at["OCC_CODE"]] or "").strip()
            if not _SOC.match(code):
                raise _fail(path, f"row {n}, column OCC_CODE: got {code!r}; expected a SOC "
                                  "code such as 15-1221")
            if codes is not None and code not in codes:
                continue
            emp = row[at["TOT_EMP"]]
            rse = row[at["EMP_PRSE"]]
            mean_rse = row[at["MEAN_PRSE"]]
            rec = {"occ_code": code, "occ_title": str(row[at["OCC_TITLE"]]).strip(),
                   "o_group": str(row[at["O_GROUP"]] or "").strip(),
                   "employment": int(emp) if isinstance(emp, int | float) else None,
                   "employment_rse_pct": float(rse) if isinstance(rse, int | float) else None,
                   "mean_rse_pct": (float(mean_rse) if isinstance(mean_rse, int | float)
                                    else None),
                   "top_code_usd": top,
                   "hybrid_of": ";".join(HYBRID_2020.get(code, ())) if year <= 2020 else ""}
            if rec["employment"] is None and str(emp).strip() not in ("**", "*", "None", ""):
                raise _fail(path, f"row {n}, column TOT_EMP: got {emp!r}; expected a count of "
                                  "jobs or '**' (no estimate)")
            for name, column in WAGES.items():
                rec[f"{name}_usd"], rec[f"{name}_status"] = _wage(row[at[column]], path, n,
                                                                  column)
            out.append(rec)
    finally:
        wb.close()
    if not out and codes is None:
        raise _fail(path, "holds no national cross-industry rows; expected a BLS OEWS "
                          "national workbook")
    frame = pd.DataFrame(out)
    if not frame.empty and frame["occ_code"].duplicated().any():
        dup = frame.loc[frame["occ_code"].duplicated(), "occ_code"].iloc[0]
        raise _fail(path, f"occupation {dup} appears twice among the cross-industry rows; "
                          "expected one row per occupation")
    return OewsYear(path, year, file_digest(path, "md5"), top, frame)


def workbooks(folder: str | Path) -> list[Path]:
    """The national_MYYYY_dl.xlsx files of a folder, oldest year first (one-line error when
    there are none)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder; expected the folder holding the BLS OEWS "
                        "national workbooks (national_MYYYY_dl.xlsx)")
    found = sorted(p for p in folder.iterdir() if FILE_PATTERN.search(p.name))
    if not found:
        raise DataError(f"{folder}: no national_MYYYY_dl.xlsx workbook; expected the BLS OEWS "
                        "national workbooks, one per year")
    return found


def read_folder(folder: str | Path, codes: set[str] | None = None) -> list[OewsYear]:
    """Every workbook of the folder, one year each (a year given twice is an error)."""
    years = [read_oews(p, codes) for p in workbooks(folder)]
    seen: dict[int, Path] = {}
    for y in years:
        if y.year in seen:
            raise DataError(f"{y.file}: holds May {y.year}, as {seen[y.year].name} does; "
                            "expected one workbook per year")
        seen[y.year] = y.file
    return years


def top_coded_text(top_code_usd: float) -> str:
    """How a top-coded wage reads: 'at least $239,200'."""
    return f"at least ${top_code_usd:,.0f}"


def wage_text(value: float, status: str, top_code_usd: float) -> str:
    """A wage as a reader sees it: '$140,910', 'at least $239,200' or 'no estimate'."""
    if status == "top_coded":
        return top_coded_text(top_code_usd)
    if status == "missing" or pd.isna(value):
        return "no estimate"
    return f"${value:,.0f}"
