"""Run a Meltano job so that a rerun after a killed run starts at once, safely.

A run that was killed (kill -9, a lost machine) leaves its run record marked as running
in Meltano's system database, and for about five minutes `meltano run` refuses to start
the same pipeline ("already running") unless given `--force`. `--force` alone would
also start beside a run that is really alive. This wrapper holds an exclusive file lock
(one per Meltano system database) for the whole run: while it is held no other run
through this wrapper can be live, so passing `--force` only ever overrides a stale
record. The lock is released by the kernel when the holder dies, however it dies.

Landing is exactly once whatever was killed (the ledger in raw skips deliveries already
landed; the Kafka offsets are stored with the rows), so a rerun is always safe.

Usage: python -m extract.job --environment dev elt
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

log = logging.getLogger("extract.job")


def lock_path(project_root: Path, database_uri: str | None) -> Path:
    """The lock beside the Meltano system database (its run records' scope)."""
    if database_uri and database_uri.startswith("sqlite:///"):
        return Path(database_uri.removeprefix("sqlite:///") + ".job.lock")
    return project_root / ".meltano" / "job.lock"


def run_job(
    meltano: str, environment: str, job: list[str], lock_file: Path, wait: bool = True
) -> int:
    """Run `meltano --environment E run --force JOB...` holding `lock_file`."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                log.error("another run holds %s; not starting", lock_file)
                return 75
            log.info("another run holds %s; waiting for it to finish", lock_file)
            fcntl.flock(handle, fcntl.LOCK_EX)
        command = [meltano, "--environment", environment, "run", "--force", *job]
        log.info("running %s (holding %s)", " ".join(command), lock_file)
        child = subprocess.Popen(command)

        def forward(signum: int, _frame: FrameType | None) -> None:
            child.send_signal(signum)

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, forward)
        return child.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m extract.job",
        description="Run a Meltano job (meltano run --force) holding a lock per Meltano "
        "system database, so that a stale run record left by a killed run never blocks "
        "the rerun and no two runs are ever live at once.",
    )
    parser.add_argument("job", nargs="+", help="the job or blocks to run, e.g. elt")
    parser.add_argument(
        "--environment", default="dev", help="the Meltano environment (default: dev)"
    )
    parser.add_argument(
        "--meltano",
        default=str(Path(sys.executable).with_name("meltano")),
        help="the meltano executable (default: the one beside this Python)",
    )
    parser.add_argument(
        "--lock-file",
        type=Path,
        help="the lock (default: beside the sqlite system database named by "
        "$MELTANO_DATABASE_URI, else .meltano/job.lock)",
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="exit 75 at once if another run holds the lock, instead of waiting for it",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    lock_file = args.lock_file or lock_path(Path.cwd(), os.environ.get("MELTANO_DATABASE_URI"))
    return run_job(args.meltano, args.environment, args.job, lock_file, wait=not args.no_wait)


if __name__ == "__main__":
    raise SystemExit(main())
