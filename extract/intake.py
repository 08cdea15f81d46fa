"""Move delivered export files from the inbox into the landing folder, one delivery each.

Every file that follows the contract (a contract table's folder, the contract's header,
valid UTF-8 throughout) becomes one delivery: `landing/<table>/<delivery_id>/<file>`.
Delivery ids are UTC timestamps to the microsecond, strictly increasing across runs, so
tap-landing reads each delivery once, in order, by remembering the last id per table; a
file delivered again under the same name is simply a later delivery, and modification
times never matter.

A delivery appears atomically: the file is moved into a hidden `.<delivery_id>.partial`
folder, which is then renamed. A run killed at any moment leaves each arrival either in
the inbox, in a partial folder (finished by the next run) or landed, never in two places.
When the inbox is on another filesystem the file is copied instead, and the arrival's
identity is written beside the copy so that the next run removes an inbox file it had
already landed rather than landing it twice.

A file that breaks the contract is moved to the quarantine folder beside a `.reason`
file (for an encoding error: the byte offset and line of the first invalid byte) and
logged as a warning: it never vanishes, and it never stops the other files.

Usage: python -m extract.intake --inbox-dir data/inbox --landing-dir data/landing
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from extract.contract import DIALECT, HEADERS
from extract.landing.dialect import header_of

log = logging.getLogger("extract.intake")

DELIVERY_ID_FORMAT = "%Y%m%dT%H%M%S%fZ"
PARTIAL_SUFFIX = ".partial"
ARRIVAL_RECORD = ".arrival.json"
CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class IntakeResult:
    moved: int
    quarantined: int = 0
    deliveries: list[Path] = field(default_factory=list)


def encoding_violation(path: Path) -> str | None:
    """Where the file first stops being valid UTF-8 (byte offset and line), or None."""
    offset, line, carry = 0, 1, b""
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(CHUNK_BYTES)
            data = carry + chunk
            if not data:
                return None
            try:
                data.decode(DIALECT.encoding)
                valid, carry = len(data), b""
            except UnicodeDecodeError as error:
                truncated = error.end == len(data) and error.reason == "unexpected end of data"
                if not (truncated and chunk):
                    bad = offset + error.start
                    line += data[: error.start].count(b"\n")
                    return (
                        f"not valid {DIALECT.encoding.upper()}: byte 0x{data[error.start]:02x} "
                        f"at byte offset {bad}, line {line}"
                    )
                # A character split across two chunks: decode it with the next one.
                valid, carry = error.start, data[error.start :]
            line += data[:valid].count(b"\n")
            offset += valid
            if not chunk:
                return None


def contract_violation(relative: Path, path: Path) -> str | None:
    """Why a delivered file does not follow the contract, or None if it does."""
    table = relative.parts[0] if len(relative.parts) == 2 else None
    if table not in HEADERS:
        return f"not a contract table folder: {relative.parent}"
    reason = encoding_violation(path)
    if reason:
        return reason
    header = header_of(path)
    if tuple(header) != HEADERS[table]:
        return f"header {header} differs from the contract's {list(HEADERS[table])}"
    return None


def _quarantine(arrival: Path, relative: Path, quarantine_dir: Path, reason: str) -> None:
    destination = quarantine_dir / relative
    destination.parent.mkdir(parents=True, exist_ok=True)
    # The reason first: a kill between the two steps leaves a reason, never a bare file.
    destination.with_name(destination.name + ".reason").write_text(reason + "\n")
    shutil.move(arrival, destination)
    log.warning("quarantined %s: %s", relative, reason)


def _delivery_ids(landing_dir: Path) -> Iterator[str]:
    for table_dir in landing_dir.iterdir():
        if table_dir.is_dir():
            for entry in table_dir.iterdir():
                yield entry.name.removeprefix(".").removesuffix(PARTIAL_SUFFIX)


class DeliveryClock:
    """Delivery ids: the current UTC time, but always later than every id issued."""

    def __init__(self, landing_dir: Path, now: datetime | None = None) -> None:
        issued = [
            datetime.strptime(name, DELIVERY_ID_FORMAT).replace(tzinfo=UTC)
            for name in _delivery_ids(landing_dir)
            if _is_delivery_id(name)
        ]
        self._fixed_now = now
        self._last = max(issued, default=datetime.min.replace(tzinfo=UTC))

    def next_id(self) -> str:
        now = self._fixed_now or datetime.now(UTC)
        self._last = max(now, self._last + timedelta(microseconds=1))
        return self._last.strftime(DELIVERY_ID_FORMAT)


def _is_delivery_id(name: str) -> bool:
    try:
        datetime.strptime(name, DELIVERY_ID_FORMAT)
    except ValueError:
        return False
    return True


def _identity(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {
        "device": stat.st_dev,
        "inode": stat.st_ino,
        "size": stat.st_size,
        "ctime_ns": stat.st_ctime_ns,
    }


def _remove_landed_arrival(delivery: Path) -> None:
    """After a copy (another filesystem), remove the inbox file the copy came from."""
    record_path = delivery / ARRIVAL_RECORD
    if not record_path.exists():
        return
    record = json.loads(record_path.read_text())
    arrival = Path(record["path"])
    if arrival.exists() and _identity(arrival) == record["identity"]:
        arrival.unlink()
        log.info("removed %s, already landed as %s", arrival, delivery.name)
    record_path.unlink()


def recover(landing_dir: Path) -> None:
    """Finish what a killed run left: complete partial deliveries, drop empty ones."""
    for partial in sorted(landing_dir.glob(f"*/.*{PARTIAL_SUFFIX}")):
        files = [p for p in partial.iterdir() if not p.name.startswith(".")]
        if len(files) == 1:
            final = partial.with_name(partial.name.removeprefix(".").removesuffix(PARTIAL_SUFFIX))
            os.replace(partial, final)
            log.info("finished the interrupted delivery %s", final.relative_to(landing_dir))
        else:
            shutil.rmtree(partial)
            log.info("removed the incomplete delivery %s", partial.relative_to(landing_dir))
    for record in landing_dir.glob(f"*/*/{ARRIVAL_RECORD}"):
        _remove_landed_arrival(record.parent)


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def deliver(arrival: Path, table: str, landing_dir: Path, delivery_id: str) -> Path:
    """Move one arrival into `landing/<table>/<delivery_id>/`, atomically; return it."""
    table_dir = landing_dir / table
    table_dir.mkdir(parents=True, exist_ok=True)
    partial = table_dir / f".{delivery_id}{PARTIAL_SUFFIX}"
    partial.mkdir()
    try:
        os.rename(arrival, partial / arrival.name)
        copied = False
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        (partial / ARRIVAL_RECORD).write_text(
            json.dumps({"path": str(arrival.resolve()), "identity": _identity(arrival)})
        )
        incomplete = partial / f".{arrival.name}.copying"
        shutil.copyfile(arrival, incomplete)
        with incomplete.open("rb") as handle:
            os.fsync(handle.fileno())
        os.rename(incomplete, partial / arrival.name)
        copied = True
    _fsync_dir(partial)
    delivery = table_dir / delivery_id
    os.rename(partial, delivery)
    _fsync_dir(table_dir)
    if copied:
        _remove_landed_arrival(delivery)
    return delivery


def intake(
    inbox_dir: Path, landing_dir: Path, quarantine_dir: Path, now: datetime | None = None
) -> IntakeResult:
    """Deliver every `*.csv` under `inbox_dir` into `landing_dir` (or, if it breaks the
    contract, move it under `quarantine_dir` with a reason)."""
    landing_dir.mkdir(parents=True, exist_ok=True)
    recover(landing_dir)
    arrivals = sorted(
        path
        for path in (inbox_dir.rglob("*.csv") if inbox_dir.exists() else [])
        if not any(part.startswith(".") for part in path.relative_to(inbox_dir).parts)
    )
    if not arrivals:
        log.info("inbox %s is empty", inbox_dir)
        return IntakeResult(moved=0)
    clock = DeliveryClock(landing_dir, now)
    deliveries: list[Path] = []
    quarantined = 0
    for arrival in arrivals:
        relative = arrival.relative_to(inbox_dir)
        reason = contract_violation(relative, arrival)
        if reason:
            _quarantine(arrival, relative, quarantine_dir, reason)
            quarantined += 1
            continue
        delivery = deliver(arrival, relative.parts[0], landing_dir, clock.next_id())
        deliveries.append(delivery)
        log.info("landed %s as %s", relative, delivery.relative_to(landing_dir))
    log.info(
        "delivered %d files from %s to %s, quarantined %d",
        len(deliveries), inbox_dir, landing_dir, quarantined,
    )  # fmt: skip
    return IntakeResult(moved=len(deliveries), quarantined=quarantined, deliveries=deliveries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m extract.intake",
        description="Move delivered CSV exports from the inbox into the landing folder, one "
        "delivery folder each (landing/<table>/<delivery_id>/<file>), so that tap-landing "
        "loads each delivery exactly once; files breaking the contract go to quarantine.",
    )
    parser.add_argument(
        "--inbox-dir",
        type=Path,
        default=Path(os.environ.get("TELESTREAM_INBOX_DIR", "data/inbox")),
        help="where source systems drop files (default: $TELESTREAM_INBOX_DIR or data/inbox)",
    )
    parser.add_argument(
        "--landing-dir",
        type=Path,
        default=Path(os.environ.get("TELESTREAM_LANDING_DIR", "data/landing")),
        help="what tap-landing reads (default: $TELESTREAM_LANDING_DIR or data/landing)",
    )
    parser.add_argument(
        "--quarantine-dir",
        type=Path,
        default=Path(os.environ.get("TELESTREAM_QUARANTINE_DIR", "data/quarantine")),
        help="where files that break the contract go, each with a .reason file "
        "(default: $TELESTREAM_QUARANTINE_DIR or data/quarantine)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    intake(args.inbox_dir, args.landing_dir, args.quarantine_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
