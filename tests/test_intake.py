"""Intake: each contract file becomes one delivery folder, atomically; others are quarantined."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from extract import intake as intake_module
from extract.contract import HEADERS
from extract.intake import encoding_violation, intake, recover

ORDERS = ",".join(HEADERS["shop_orders"]) + "\n"
ORDER_ROW = "42,,placed,web,2026-01-01 00:00:00,2026-01-01 00:00:00\n"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _drop(inbox: Path, relative: str, data: str | bytes, mtime: int = 1_000) -> Path:
    path = inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def _deliveries(landing: Path, table: str) -> list[Path]:
    return sorted(path for path in (landing / table).glob("*/*") if path.is_file())


def test_each_file_becomes_one_delivery_folder(tmp_path: Path) -> None:
    inbox, landing = tmp_path / "inbox", tmp_path / "landing"
    _drop(inbox, "shop_orders/shop_orders_2026-01-01.csv", ORDERS + ORDER_ROW)
    result = intake(inbox, landing, tmp_path / "quarantine", now=NOW)
    assert result.moved == 1
    (delivered,) = _deliveries(landing, "shop_orders")
    assert delivered.name == "shop_orders_2026-01-01.csv"
    assert delivered.parent.name == "20260102T030405000000Z"
    assert delivered.read_text() == ORDERS + ORDER_ROW
    assert not list(inbox.rglob("*.csv"))
    assert not list(landing.rglob("*.partial"))


def test_the_same_name_delivered_again_is_a_later_delivery(tmp_path: Path) -> None:
    inbox, landing = tmp_path / "inbox", tmp_path / "landing"
    # Same name, same preserved mtime, same clock second: still two deliveries, in order.
    _drop(inbox, "shop_orders/day1.csv", ORDERS)
    intake(inbox, landing, tmp_path / "quarantine", now=NOW)
    _drop(inbox, "shop_orders/day1.csv", ORDERS + ORDER_ROW)
    intake(inbox, landing, tmp_path / "quarantine", now=NOW)
    first, second = _deliveries(landing, "shop_orders")
    assert first.parent.name < second.parent.name
    assert (first.read_text(), second.read_text()) == (ORDERS, ORDERS + ORDER_ROW)


def test_empty_inbox_moves_nothing(tmp_path: Path) -> None:
    result = intake(tmp_path / "missing", tmp_path / "landing", tmp_path / "q", now=NOW)
    assert result.moved == 0 and result.quarantined == 0


def test_files_breaking_the_layout_are_quarantined_with_a_reason(tmp_path: Path) -> None:
    inbox, landing, quarantine = tmp_path / "inbox", tmp_path / "landing", tmp_path / "q"
    reordered = ",".join(reversed(HEADERS["shop_orders"])) + "\n"
    _drop(inbox, "shop_orders/shop_orders_2026-01-02.csv", reordered)
    _drop(inbox, "shop_refunds/shop_refunds_2026-01-02.csv", ORDERS)
    _drop(inbox, "shop_orders/shop_orders_2026-01-03.csv", ORDERS)

    result = intake(inbox, landing, quarantine, now=NOW)

    assert (result.moved, result.quarantined) == (1, 2)
    assert [p.name for p in _deliveries(landing, "shop_orders")] == ["shop_orders_2026-01-03.csv"]
    header_reason = quarantine / "shop_orders/shop_orders_2026-01-02.csv.reason"
    assert "differs from the contract" in header_reason.read_text()
    folder_reason = quarantine / "shop_refunds/shop_refunds_2026-01-02.csv.reason"
    assert "not a contract table" in folder_reason.read_text()
    assert (quarantine / "shop_orders/shop_orders_2026-01-02.csv").read_text() == reordered
    assert not list(inbox.rglob("*.csv"))


def test_a_latin1_byte_quarantines_the_whole_file_with_offset_and_line(tmp_path: Path) -> None:
    inbox, landing, quarantine = tmp_path / "inbox", tmp_path / "landing", tmp_path / "q"
    body = (ORDERS + ORDER_ROW).encode() + "43,,placed,web,M\xfcnchen,x\n".encode("latin-1")
    _drop(inbox, "shop_orders/latin1.csv", body)
    _drop(inbox, "shop_orders/good.csv", ORDERS + ORDER_ROW)

    result = intake(inbox, landing, quarantine, now=NOW)

    assert (result.moved, result.quarantined) == (1, 1)
    offset = body.index(b"\xfc")
    reason = (quarantine / "shop_orders/latin1.csv.reason").read_text()
    assert f"byte offset {offset}, line 3" in reason
    assert (quarantine / "shop_orders/latin1.csv").read_bytes() == body
    assert [p.name for p in _deliveries(landing, "shop_orders")] == ["good.csv"]


def test_encoding_check_spans_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake_module, "CHUNK_BYTES", 7)
    # Multi-byte characters split across every chunk boundary are valid...
    valid = tmp_path / "valid.csv"
    valid.write_bytes(("é€😀\n" * 20).encode())
    assert encoding_violation(valid) is None
    # ...and a bad byte after a few chunks is found at its absolute offset and line.
    invalid = tmp_path / "invalid.csv"
    data = ("é€😀\n" * 5).encode() + b"ab\xffc\n"
    invalid.write_bytes(data)
    reason = encoding_violation(invalid)
    bad_offset = data.index(b"\xff")
    assert reason is not None and f"byte offset {bad_offset}, line 6" in reason
    # A file cut inside a character is not valid either.
    truncated = tmp_path / "truncated.csv"
    truncated.write_bytes("abc€".encode()[:-1])
    assert "byte offset 3, line 1" in (encoding_violation(truncated) or "")


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    inbox, landing = tmp_path / "inbox", tmp_path / "landing"
    _drop(inbox, "shop_orders/bom.csv", b"\xef\xbb\xbf" + (ORDERS + ORDER_ROW).encode())
    result = intake(inbox, landing, tmp_path / "q", now=NOW)
    assert (result.moved, result.quarantined) == (1, 0)


def test_an_interrupted_delivery_is_finished_and_an_empty_one_removed(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    finished = landing / "shop_orders" / ".20260101T000000000000Z.partial"
    finished.mkdir(parents=True)
    (finished / "day1.csv").write_text(ORDERS)
    empty = landing / "shop_orders" / ".20260101T000001000000Z.partial"
    empty.mkdir()
    recover(landing)
    assert [p.parent.name for p in _deliveries(landing, "shop_orders")] == [
        "20260101T000000000000Z"
    ]
    assert not list(landing.rglob("*.partial"))


def test_across_filesystems_a_copied_arrival_is_never_delivered_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, landing = tmp_path / "inbox", tmp_path / "landing"
    arrival = _drop(inbox, "shop_orders/day1.csv", ORDERS + ORDER_ROW)
    real_rename, real_unlink = os.rename, Path.unlink

    def rename(source: os.PathLike[str], target: os.PathLike[str]) -> None:
        if Path(source) == arrival:
            raise OSError(intake_module.errno.EXDEV, "cross-device link")
        real_rename(source, target)

    def unlink_fails(self: Path, missing_ok: bool = False) -> None:
        if self == arrival:
            raise KeyboardInterrupt("killed before the inbox file was removed")
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(intake_module.os, "rename", rename)
    monkeypatch.setattr(Path, "unlink", unlink_fails)
    with pytest.raises(KeyboardInterrupt):
        intake(inbox, landing, tmp_path / "q", now=NOW)
    assert arrival.exists()
    monkeypatch.setattr(Path, "unlink", real_unlink)
    result = intake(inbox, landing, tmp_path / "q", now=NOW)
    assert result.moved == 0
    assert not arrival.exists()
    assert [p.read_text() for p in _deliveries(landing, "shop_orders")] == [ORDERS + ORDER_ROW]
