"""CSV files: the contract's layout (folders, names, headers, dialect) in one place."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from extract.contract import HEADERS

TABLES = tuple(HEADERS)

# Large buffers: the CDR files are the bulk of the output and written row by row.
_BUFFER_BYTES = 1 << 20


def export_path(out_dir: Path, table: str, day: date, switch_id: str | None = None) -> Path:
    """`<table>/<table>_<date>.csv`, CDRs `telecom_cdrs/telecom_cdrs_<date>_<switch>.csv`."""
    suffix = f"_{switch_id}" if switch_id else ""
    return out_dir / table / f"{table}_{day.isoformat()}{suffix}.csv"


def open_export(path: Path, table: str) -> tuple[IO[str], Any]:
    """Open an export with its header written; return the handle and a `csv.writer`.

    csv writes None as an empty field, which is the contract's null.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("w", newline="", encoding="utf-8", buffering=_BUFFER_BYTES)
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(HEADERS[table])
    return handle, writer


def write_export(path: Path, table: str, rows: Sequence[Sequence[object]]) -> int:
    """Write a whole (small) export file; return its number of data rows."""
    handle, writer = open_export(path, table)
    with handle:
        writer.writerows(rows)
    return len(rows)


def write_seed(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def clean_landing(landing_dir: Path) -> None:
    """Remove the table folders of an earlier run.

    Only the simulator's own folders go, so a mistyped `--landing-dir` cannot wipe
    unrelated files.
    """
    for table in TABLES:
        shutil.rmtree(landing_dir / table, ignore_errors=True)
