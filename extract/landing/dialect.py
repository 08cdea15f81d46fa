"""The contract's CSV dialect as the engines' parser options, and the header check."""

from __future__ import annotations

import csv
from pathlib import Path

from extract.contract import DIALECT


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def read_csv_sql(path: Path, columns: list[str], rejects_table: str, rejects_scan: str) -> str:
    """DuckDB `read_csv` of one file with exactly the contract's dialect.

    Nothing is detected: every column is text, named and ordered by the contract (the
    header row is skipped, and checked beforehand by `header_of`). A row with too many or
    too few fields, or an unquoted quote, is not shifted or padded: `store_rejects` sets
    it aside, with its line number and raw text, in `rejects_table`.
    """
    column_types = ", ".join(f"{_quoted(column)}: 'VARCHAR'" for column in columns)
    return (
        f"read_csv({_quoted(str(path))}, columns = {{{column_types}}}, auto_detect = false, "
        f"header = {str(DIALECT.header).lower()}, delim = {_quoted(DIALECT.delimiter)}, "
        f"quote = {_quoted(DIALECT.quote)}, escape = {_quoted(DIALECT.escape)}, "
        f"encoding = {_quoted(DIALECT.encoding)}, strict_mode = true, null_padding = false, "
        f"store_rejects = true, rejects_table = {_quoted(rejects_table)}, "
        f"rejects_scan = {_quoted(rejects_scan)}, rejects_limit = 0)"
    )


def header_of(path: Path) -> list[str]:
    """The file's header row, parsed with the contract's dialect (a BOM is skipped)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(
            handle, delimiter=DIALECT.delimiter, quotechar=DIALECT.quote, doublequote=True
        )
        return next(reader, [])
