"""One column of a table of data/, read with the csv module: no pandas, no checks.

For checks made before any kernel starts, in the process the user runs (a premium estimate id,
say), where importing pandas would cost more than the check. The reports themselves load the
tables through aijobs.data.tables, which checks them against their sidecars.
"""

from __future__ import annotations

import csv

from aijobs import paths


def column_values(name: str, column: str) -> list[str] | None:
    """The values of `column` in data/<name>.csv, as text, in file order; None if the file
    cannot be read as CSV or has no such column (the caller then loads the checked table,
    which says what is wrong)."""
    file = paths.table_path(name)
    try:
        with open(file, encoding="utf-8", newline="") as handle:
            rows = csv.DictReader(handle)
            if column not in (rows.fieldnames or []):
                return None
            values = [row[column] for row in rows]
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if any(value is None for value in values):  # a row shorter than the header
        return None
    paths.record_read(file)
    return values
