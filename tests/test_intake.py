"""Intake stamps each delivery so tap-spreadsheets' high-water mark never skips a file."""

from __future__ import annotations

import os
from pathlib import Path

from extract.intake import intake, newest_landed_mtime


def _drop(inbox: Path, relative: str, text: str, mtime: int) -> Path:
    path = inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (mtime, mtime))
    return path


def test_moves_files_keeping_their_folders(tmp_path: Path) -> None:
    inbox, landing = tmp_path / "inbox", tmp_path / "landing"
    _drop(inbox, "shop_orders/shop_orders_2026-01-01.csv", "a\n1\n", 1_000)
    result = intake(inbox, landing, now=5_000)
    assert result.moved == 1
    assert (landing / "shop_orders/shop_orders_2026-01-01.csv").read_text() == "a\n1\n"
    assert not list(inbox.rglob("*.csv"))


def test_old_mtimes_are_restamped_after_everything_landed(tmp_path: Path) -> None:
    inbox, landing = tmp_path / "inbox", tmp_path / "landing"
    _drop(inbox, "t/day1.csv", "x\n", 1_000)
    first = intake(inbox, landing, now=5_000)
    # A later delivery that kept an older mtime (rsync -a), in the same second as the
    # first intake: it must still land strictly newer than the first.
    _drop(inbox, "t/day2.csv", "y\n", 900)
    second = intake(inbox, landing, now=5_000)
    assert first.landed_mtime == 5_000
    assert second.landed_mtime == 5_001
    assert int((landing / "t/day2.csv").stat().st_mtime) > int(
        (landing / "t/day1.csv").stat().st_mtime
    )
    assert newest_landed_mtime(landing) == 5_001


def test_redelivery_replaces_the_landed_file(tmp_path: Path) -> None:
    inbox, landing = tmp_path / "inbox", tmp_path / "landing"
    _drop(inbox, "t/day1.csv", "old\n", 1_000)
    intake(inbox, landing, now=5_000)
    _drop(inbox, "t/day1.csv", "new\n", 1_000)
    result = intake(inbox, landing, now=4_000)
    assert (landing / "t/day1.csv").read_text() == "new\n"
    assert result.landed_mtime == 5_001
    assert not list(landing.rglob(".*.partial"))


def test_empty_inbox_moves_nothing(tmp_path: Path) -> None:
    result = intake(tmp_path / "missing", tmp_path / "landing", now=5_000)
    assert result.moved == 0 and result.landed_mtime is None
