"""Drive the real pipeline (simulator, Meltano, dbt) against a throwaway warehouse.

The tests run the same commands a data engineer runs, in a sandbox of their own: an own
landing folder, DuckDB file, Meltano system database (so incremental state never mixes
with a developer's `make run`) and dbt target folder.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tools.kafka_broker import LOCAL_CONSUMER_SETTINGS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sandbox:
    """The folders and files one pipeline run owns, and the Kafka it reads."""

    root: Path
    kafka_bootstrap_servers: str = ""
    kafka_group: str = "telestream-extract"

    @property
    def inbox_dir(self) -> Path:
        return self.root / "inbox"

    @property
    def landing_dir(self) -> Path:
        return self.root / "landing"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def dbt_target_dir(self) -> Path:
        return self.root / "dbt_target"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "TELESTREAM_INBOX_DIR": str(self.inbox_dir),
                "TELESTREAM_LANDING_DIR": str(self.landing_dir),
                "TELESTREAM_QUARANTINE_DIR": str(self.root / "quarantine"),
                "TELESTREAM_DUCKDB_PATH": str(self.warehouse),
                "MELTANO_DATABASE_URI": f"sqlite:///{self.root / 'meltano.db'}",
                "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
                "MELTANO_CLI_DISABLE_VERSION_CHECK": "true",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DBT_TARGET_PATH": str(self.dbt_target_dir),
                # Test nights run seconds apart: without this the CDR staging models'
                # overlap would re-read every earlier night, and their watermark would
                # never be tested. test_incremental re-reads everything on purpose.
                "TELESTREAM_LANDING_OVERLAP_HOURS": "0",
                "DBT_LOG_PATH": str(self.root / "dbt_logs"),
                "DO_NOT_TRACK": "1",
                "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers,
                "KAFKA_GROUP_ID": self.kafka_group,
                "KAFKA_CONFIG": ",".join(f"{k}={v}" for k, v in LOCAL_CONSUMER_SETTINGS.items()),
            }
        )
        return env


def run_command(args: list[str], sandbox: Sandbox) -> subprocess.CompletedProcess[str]:
    """Run a project command in the sandbox; fail with its output if it fails."""
    log.info("running: %s", " ".join(args))
    result = subprocess.run(
        args,
        cwd=PROJECT_ROOT,
        env=sandbox.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {result.returncode}\n"
            f"--- stdout (tail) ---\n{result.stdout[-6000:]}\n"
            f"--- stderr (tail) ---\n{result.stderr[-6000:]}"
        )
    return result


def meltano(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return run_command([str(BIN / "meltano"), "--environment", "dev", *args], sandbox)


def dbt(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return run_command(
        [str(BIN / "dbt"), *args, "--profiles-dir", str(PROJECT_ROOT), "--target", "duckdb"],
        sandbox,
    )


def deliver_days(generated_dir: Path, inbox_dir: Path, dates: list[str]) -> int:
    """Drop the files of the given dates into the inbox; return how many.

    Modification times are preserved (as `cp -p` or `rsync -a` would): all generated
    files share the same second, the case that makes the tap skip files on its own.
    """
    copied = 0
    for source in sorted(generated_dir.rglob("*.csv")):
        if any(f"_{date}" in source.name for date in dates):
            target = inbox_dir / source.relative_to(generated_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            copied += 1
    return copied


def query(sandbox: Sandbox, sql: str) -> list[tuple]:
    """Rows of a read-only query against the sandbox warehouse."""
    with duckdb.connect(str(sandbox.warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()
