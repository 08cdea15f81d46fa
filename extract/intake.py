"""Move delivered export files from the inbox into the landing folder, in load order.

tap-spreadsheets remembers one high-water mark per stream: the newest file
modification time it has loaded, to the second, and skips every file not newer than
that. A file delivered with an older or same-second mtime (`cp -p`, `rsync -a`, two
drops in one second) would never be loaded. Intake closes that gap: each file it moves
gets an mtime strictly later than every file already landed, so the tap sees each
delivery as new exactly once. A file delivered again under the same name replaces the
landed one and is loaded again; staging collapses the repeated rows.

Usage: python -m extract.intake --inbox-dir data/inbox --landing-dir data/landing
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("extract.intake")


@dataclass(frozen=True)
class IntakeResult:
    moved: int
    landed_mtime: int | None


def newest_landed_mtime(landing_dir: Path) -> int:
    """The newest whole-second mtime among landed files (0 when nothing has landed)."""
    return max((int(path.stat().st_mtime) for path in landing_dir.rglob("*.csv")), default=0)


def intake(inbox_dir: Path, landing_dir: Path, now: float | None = None) -> IntakeResult:
    """Move every `*.csv` under `inbox_dir` to the same relative path under `landing_dir`."""
    arrivals = sorted(inbox_dir.rglob("*.csv")) if inbox_dir.exists() else []
    if not arrivals:
        log.info("inbox %s is empty", inbox_dir)
        return IntakeResult(moved=0, landed_mtime=None)
    landing_dir.mkdir(parents=True, exist_ok=True)
    stamp = max(int(now if now is not None else time.time()), newest_landed_mtime(landing_dir) + 1)
    for arrival in arrivals:
        destination = landing_dir / arrival.relative_to(inbox_dir)
        destination.parent.mkdir(parents=True, exist_ok=True)
        # Copy under a temporary name, then rename: the tap never sees half a file.
        partial = destination.with_name(f".{destination.name}.partial")
        shutil.copyfile(arrival, partial)
        os.utime(partial, (stamp, stamp))
        os.replace(partial, destination)
        arrival.unlink()
        log.info("landed %s", destination.relative_to(landing_dir))
    log.info(
        "moved %d files from %s to %s (mtime %d)", len(arrivals), inbox_dir, landing_dir, stamp
    )
    return IntakeResult(moved=len(arrivals), landed_mtime=stamp)


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
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    intake(args.inbox_dir, args.landing_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
