"""From file rows to job postings, and from postings to the pay each summary counts.

The pairing rule: two consecutive rows of the file (adjacent line numbers, nothing excluded
between them) that are equal in every column except `salary` and `salary_in_usd`, the first
`salary_in_usd` strictly greater, are the top and the bottom of one posting's advertised
range. They become one posting with salary_min_usd, salary_max_usd and salary_mid_usd (their
mean). Pairs are taken greedily from the top of the file, so in a run of three candidates the
first two pair and the third stands alone. Every other row is a posting of its own with
min = max = mid. A file without pairs (older snapshots, other job boards) gives one posting
per row.

Identical postings (equal in every column, range included) cannot be told apart: a second
opening or the same advert seen twice. Each group of identical postings is one advert
(`advert_id`). `repeats="drop"` (the default unit: distinct adverts) keeps the first of each
group; `"keep"` counts each, and the summaries then treat a group as one cluster, not as
independent postings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PAY_MEASURES = ("midpoint", "range_low", "range_high", "rows")
REPEAT_POLICIES = ("keep", "drop")
PAY_MEASURE_TEXT = {
    "midpoint": "the midpoint of each posting's advertised range",
    "range_low": "the bottom of each posting's advertised range",
    "range_high": "the top of each posting's advertised range",
    "rows": "every file row as it is (a range's top and bottom counted as two)",
}
# Columns a posting carries besides its pay; the summaries group and filter on them.
GROUP_COLUMNS = ("work_year", "experience_level", "employment_type", "job_title",
                 "employee_residence", "company_location", "role_id", "is_baseline",
                 "is_software_family", "is_history_baseline")


def _identity_columns(rows: pd.DataFrame) -> list[str]:
    """Every column that must be equal for two rows to be one posting's range."""
    skip = {"row_number", "salary_in_usd", "salary_local", "posting_id", "role_id",
            "is_baseline", "is_software_family", "is_history_baseline"}
    return [c for c in rows.columns if c not in skip]


def _same_as_next(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """same[i]: line i equals line i+1 in every column of `columns` (missing equals missing)."""
    n = len(frame)
    same = np.ones(max(n - 1, 0), dtype=bool)
    for c in columns:
        col = frame[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            v = col.cat.codes.to_numpy()
            same &= v[:-1] == v[1:]
        else:
            v = col.to_numpy()
            missing = pd.isna(v)
            equal = v[:-1] == v[1:]
            same &= np.asarray(equal, dtype=bool) | (missing[:-1] & missing[1:])
    return same


def pair_starts(rows: pd.DataFrame) -> np.ndarray:
    """Boolean per row: True where the row and the next one form a posting (greedy, in order)."""
    n = len(rows)
    if n < 2:
        return np.zeros(n, dtype=bool)
    usd = rows["salary_in_usd"].to_numpy(dtype="float64")
    line = rows["row_number"].to_numpy()
    candidate = (_same_as_next(rows, _identity_columns(rows))
                 & (line[1:] == line[:-1] + 1) & (usd[:-1] > usd[1:]))
    # In a run of consecutive candidates, pair the 1st, 3rd, 5th... (each row joins one pair).
    index = np.arange(n - 1)
    run_start = candidate & np.concatenate([[True], ~candidate[:-1]])
    last_start = np.maximum.accumulate(np.where(run_start, index, -1))
    starts = candidate & ((index - last_start) % 2 == 0)
    return np.concatenate([starts, [False]])


def postings_from_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """One line per posting: the first row's columns, salary_min/max/mid_usd, n_rows, is_paired.

    Also sets rows["posting_id"] (in place) so a row can be traced to its posting.
    """
    starts = pair_starts(rows)
    second = np.concatenate([[False], starts[:-1]])
    posting_id = np.cumsum(~second) - 1
    rows["posting_id"] = posting_id
    usd = rows["salary_in_usd"].to_numpy(dtype="float64")
    first = ~second
    low = usd.copy()
    low[np.flatnonzero(starts)] = usd[np.flatnonzero(starts) + 1]
    out = rows.loc[first].drop(columns=["salary_in_usd", "posting_id"]).reset_index(drop=True)
    out["salary_max_usd"] = usd[first]
    out["salary_min_usd"] = low[first]
    out["salary_mid_usd"] = (out["salary_min_usd"] + out["salary_max_usd"]) / 2
    out["is_paired"] = starts[first]
    out["n_rows"] = np.where(out["is_paired"], 2, 1)
    if "salary_local" in rows.columns:
        local = rows["salary_local"].to_numpy(dtype="float64")
        low_local = local.copy()
        low_local[np.flatnonzero(starts)] = local[np.flatnonzero(starts) + 1]
        out["salary_local_min"] = low_local[first]
        out = out.rename(columns={"salary_local": "salary_local_max"})
    group = _identical_groups(out)
    # factorize numbers groups in order of first appearance: a posting is the first of its
    # group exactly when its number exceeds every number before it
    is_first = np.concatenate([[True], group[1:] > np.maximum.accumulate(group)[:-1]]) \
        if len(group) else np.zeros(0, dtype=bool)
    out["is_repeat"] = ~is_first
    out["repeat_group_size"] = np.bincount(group)[group] if len(group) else group
    out["advert_id"] = group
    return out


def _identical_groups(postings: pd.DataFrame) -> np.ndarray:
    """A group number per posting; identical postings (every column) share one.

    Rows are hashed to 64 bits (pandas' hash_pandas_object) and the hashes factorized: about
    five times faster than grouping on a dozen columns of a 5-million-row file (measured).
    Two different postings share a hash with probability about n^2 / 2^65, under one in a
    million for five million postings.
    """
    if postings.empty:
        return np.zeros(0, dtype=np.int64)
    hashes = pd.util.hash_pandas_object(postings[_repeat_key(postings)], index=False)
    return pd.factorize(hashes.to_numpy())[0].astype(np.int64)


def _repeat_key(postings: pd.DataFrame) -> list[str]:
    skip = {"row_number", "is_paired", "n_rows", "salary_mid_usd", "is_repeat",
            "repeat_group_size", "advert_id", "role_id", "is_baseline", "is_software_family",
            "is_history_baseline"}
    return [c for c in postings.columns if c not in skip]


def pairing_stats(rows: pd.DataFrame, postings: pd.DataFrame) -> dict:
    """Counts every survey page quotes: rows, postings, paired rows, repeats; per work year."""
    paired_rows = 2 * int(postings["is_paired"].sum())
    in_repeats = int((postings["repeat_group_size"] > 1).sum())
    by_year = {}
    for year, g in postings.groupby("work_year", sort=True):
        n_rows = int(g["n_rows"].sum())
        by_year[int(year)] = {"rows": n_rows, "postings": len(g),
                              "paired_rows": 2 * int(g["is_paired"].sum()),
                              "paired_share": round(2 * int(g["is_paired"].sum()) / n_rows, 4)
                              if n_rows else 0.0}
    return {
        "rows": int(len(rows)), "postings": int(len(postings)), "paired_rows": paired_rows,
        "paired_share": round(paired_rows / len(rows), 4) if len(rows) else 0.0,
        "postings_in_repeat_groups": in_repeats,
        "repeat_share": round(in_repeats / len(postings), 4) if len(postings) else 0.0,
        "repeats_dropped_by_drop": int(postings["is_repeat"].sum()),
        "by_work_year": by_year,
    }


def pay_units(rows: pd.DataFrame, postings: pd.DataFrame, pay_measure: str = "midpoint",
              repeats: str = "drop") -> pd.DataFrame:
    """What the summaries count: one line per posting (or per row for pay_measure='rows').

    Columns: GROUP_COLUMNS, pay_usd (the measured pay), min_usd, max_usd (the posting's
    range), n_rows (file rows behind the line) and advert_id (the group of identical postings
    the line belongs to: the cluster the intervals resample as one).
    """
    if pay_measure not in PAY_MEASURES:
        raise ValueError(f"pay_measure {pay_measure!r}; expected one of {PAY_MEASURES}")
    if repeats not in REPEAT_POLICIES:
        raise ValueError(f"repeats {repeats!r}; expected one of {REPEAT_POLICIES}")
    if pay_measure == "rows":
        units = rows
        if repeats == "drop":
            # the postings' index is the posting id (postings_from_rows), filtered or not
            keep_ids = postings.index.to_numpy()[~postings["is_repeat"].to_numpy()]
            units = rows[np.isin(rows["posting_id"].to_numpy(), keep_ids)]
        pay = units["salary_in_usd"].to_numpy(dtype="float64")
        out = units[list(GROUP_COLUMNS)].copy()
        out["pay_usd"] = pay
        out["min_usd"] = pay
        out["max_usd"] = pay
        out["n_rows"] = 1
        advert = pd.Series(postings["advert_id"].to_numpy(), index=postings.index)
        out["advert_id"] = advert.reindex(units["posting_id"].to_numpy()).fillna(-1) \
            .to_numpy(dtype=np.int64)
        return out.reset_index(drop=True)
    units = postings[~postings["is_repeat"]] if repeats == "drop" else postings
    column = {"midpoint": "salary_mid_usd", "range_low": "salary_min_usd",
              "range_high": "salary_max_usd"}[pay_measure]
    out = units[list(GROUP_COLUMNS)].copy()
    out["pay_usd"] = units[column].to_numpy(dtype="float64")
    out["min_usd"] = units["salary_min_usd"].to_numpy(dtype="float64")
    out["max_usd"] = units["salary_max_usd"].to_numpy(dtype="float64")
    out["n_rows"] = units["n_rows"].to_numpy()
    out["advert_id"] = units["advert_id"].to_numpy(dtype=np.int64)
    return out.reset_index(drop=True)
