"""Intake stamps each delivery so tap-spreadsheets' high-water mark never skips a file."""

from __future__ import annotations

import os
from pathlib import Path

from extract.contract import HEADERS
from extract.intake import intake, newest_landed_mtime

ORDERS = ",".join(HEADERS["shop_orders"]) + "\n"


def _drop(inbox: Path, relative: str, text: str, mtime: int) -> Path:
    path = inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (mtime, mtime))
    return path


def test_moves_files_keeping_their_folders(tmp_path: Path) -> None:
    inbox, landing = tmp_path / "inbox", tmp_path / "landing"
    _drop(inbox, "shop_orders/shop_orders_2026-01-01.csv", ORDERS, 1_000)
    result = intake(inbox, landing, tmp_path / "quarantine", now=5_000)
    assert result.moved == 1
    assert (landing / "shop_orders/shop_orders_2026-01-01.csv").read_text() == ORDERS
    assert not list(inbox.rglob("*.csv"))


def test_old_mtimes_are_restamped_after_everything_landed(tmp_path: Path) -> None:
    inbox, landing = tmp_path / "inbox", tmp_path / "landing"
    _drop(inbox, "shop_orders/day1.csv", ORDERS, 1_000)
    first = intake(inbox, landing, tmp_path / "quarantine", now=5_000)
    # A later delivery that kept an older mtime (rsync -a), in the same second as the
    # first intake: it must still land strictly newer than the first.
    _drop(inbox, "shop_orders/day2.csv", ORDERS, 900)
    second = intake(inbox, landing, tmp_path / "quarantine", now=5_000)
    assert first.landed_mtime == 5_000
    assert second.landed_mtime == 5_001
    assert int((landing / "shop_orders/day2.csv").stat().st_mtime) > int(
        (landing / "shop_orders/day1.csv").stat().st_mtime
    )
    assert newest_landed_mtime(landing) == 5_001


def test_redelivery_replaces_the_landed_file(tmp_path: Path) -> None:
    inbox, landing = tmp_path / "inbox", tmp_path / "landing"
    _drop(inbox, "shop_orders/day1.csv", ORDERS, 1_000)
    intake(inbox, landing, tmp_path / "quarantine", now=5_000)
    _drop(
        inbox,
        "shop_orders/day1.csv",
        ORDERS + "42,,placed,web,2026-01-01 00:00:00,2026-01-01 00:00:00\n",
        1_000,
    )
    result = intake(inbox, landing, tmp_path / "quarantine", now=4_000)
    assert (
        landing / "shop_orders/day1.csv"
    ).read_text() == ORDERS + "42,,placed,web,2026-01-01 00:00:00,2026-01-01 00:00:00\n"
    assert result.landed_mtime == 5_001
    assert not list(landing.rglob(".*.partial"))


def test_empty_inbox_moves_nothing(tmp_path: Path) -> None:
    result = intake(tmp_path / "missing", tmp_path / "landing", tmp_path / "q", now=5_000)
    assert result.moved == 0 and result.landed_mtime is None


def test_files_breaking_the_layout_are_quarantined_with_a_reason(tmp_path: Path) -> None:
    inbox, landing, quarantine = tmp_path / "inbox", tmp_path / "landing", tmp_path / "q"
    reordered = ",".join(reversed(HEADERS["shop_orders"])) + "\n"
    _drop(inbox, "shop_orders/shop_orders_2026-01-02.csv", reordered, 1_000)
    _drop(inbox, "shop_refunds/shop_refunds_2026-01-02.csv", ORDERS, 1_000)
    _drop(inbox, "shop_orders/shop_orders_2026-01-03.csv", ORDERS, 1_000)

    result = intake(inbox, landing, quarantine, now=5_000)

    assert (result.moved, result.quarantined) == (1, 2)
    assert (landing / "shop_orders/shop_orders_2026-01-03.csv").exists()
    header_reason = quarantine / "shop_orders/shop_orders_2026-01-02.csv.reason"
    assert "differs from the contract" in header_reason.read_text()
    folder_reason = quarantine / "shop_refunds/shop_refunds_2026-01-02.csv.reason"
    assert "not a contract table" in folder_reason.read_text()
    assert (quarantine / "shop_orders/shop_orders_2026-01-02.csv").read_text() == reordered
    assert not list(inbox.rglob("*.csv"))
