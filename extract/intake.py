"""Move delivered export files from the inbox into the landing folder, in load order.

tap-spreadsheets remembers one high-water mark per stream: the newest file
modification time it has loaded, to the second, and skips every file not newer than
that. A file delivered with an older or same-second mtime (`cp -p`, `rsync -a`, two
drops in one second) would never be loaded. Intake closes that gap: each file it moves
gets an mtime strictly later than every file already landed, so the tap sees each
delivery as new exactly once. A file delivered again under the same name replaces the
landed one and is loaded again; staging collapses the repeated rows.

The tap also maps every file of a stream by the first file's header, so a file whose
folder is not a contract table or whose header differs would be loaded mis-mapped.
Such a file is moved to the quarantine folder beside a `.reason` file instead, and
logged as a warning: it never vanishes, and it never stops the other files.

Usage: python -m extract.intake --inbox-dir data/inbox --landing-dir data/landing
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from extract.contract import HEADERS

log = logging.getLogger("extract.intake")


@dataclass(frozen=True)
class IntakeResult:
    moved: int
    landed_mtime: int | None
    quarantined: int = 0


def contract_violation(relative: Path, path: Path) -> str | None:
    """Why a delivered file does not follow the contract's layout, or None if it does."""
    table = relative.parts[0] if len(relative.parts) == 2 else None
    if table not in HEADERS:
        return f"not a contract table folder: {relative.parent}"
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        header = next(csv.reader(handle), [])
    if tuple(header) != HEADERS[table]:
        return f"header {header} differs from the contract's {list(HEADERS[table])}"
    return None


def _quarantine(arrival: Path, relative: Path, quarantine_dir: Path, reason: str) -> None:
    destination = quarantine_dir / relative
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(arrival, destination)
    destination.with_name(destination.name + ".reason").write_text(reason + "\n")
    log.warning("quarantined %s: %s", relative, reason)


def newest_landed_mtime(landing_dir: Path) -> int:
    """The newest whole-second mtime among landed files (0 when nothing has landed)."""
    return max((int(path.stat().st_mtime) for path in landing_dir.rglob("*.csv")), default=0)


def intake(
    inbox_dir: Path, landing_dir: Path, quarantine_dir: Path, now: float | None = None
) -> IntakeResult:
    """Move every `*.csv` under `inbox_dir` to the same relative path under `landing_dir`
    (or, if it breaks the contract's layout, under `quarantine_dir`)."""
    arrivals = sorted(inbox_dir.rglob("*.csv")) if inbox_dir.exists() else []
    if not arrivals:
        log.info("inbox %s is empty", inbox_dir)
        return IntakeResult(moved=0, landed_mtime=None)
    landing_dir.mkdir(parents=True, exist_ok=True)
    stamp = max(int(now if now is not None else time.time()), newest_landed_mtime(landing_dir) + 1)
    quarantined = 0
    for arrival in arrivals:
        relative = arrival.relative_to(inbox_dir)
        reason = contract_violation(relative, arrival)
        if reason:
            _quarantine(arrival, relative, quarantine_dir, reason)
            quarantined += 1
            continue
        destination = landing_dir / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        # Copy under a temporary name, then rename: the tap never sees half a file.
        partial = destination.with_name(f".{destination.name}.partial")
        shutil.copyfile(arrival, partial)
        os.utime(partial, (stamp, stamp))
        os.replace(partial, destination)
        arrival.unlink()
        log.info("landed %s", destination.relative_to(landing_dir))
    moved = len(arrivals) - quarantined
    log.info(
        "moved %d files from %s to %s (mtime %d), quarantined %d",
        moved, inbox_dir, landing_dir, stamp, quarantined,
    )  # fmt: skip
    return IntakeResult(moved=moved, landed_mtime=stamp if moved else None, quarantined=quarantined)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m extract.intake",
        description="Move delivered CSV exports from the inbox to the landing folder, stamped "
        "so that tap-spreadsheets loads each delivery exactly once.",
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
        help="what tap-spreadsheets reads (default: $TELESTREAM_LANDING_DIR or data/landing)",
    )
    parser.add_argument(
        "--quarantine-dir",
        type=Path,
        default=Path(os.environ.get("TELESTREAM_QUARANTINE_DIR", "data/quarantine")),
        help="where files that break the contract's layout go, each with a .reason file "
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
