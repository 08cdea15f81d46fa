"""dbt's manifest of this project, from `dbt parse` (no warehouse, no connection), or
from `dbt compile` of a selection (compiled SQL; nothing is run)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.pipeline import BIN, PROJECT_ROOT


def parse_manifest(work_dir: Path, target: str = "duckdb", **env: str) -> dict[str, Any]:
    """Parse the project for `target` into `work_dir` and return target/manifest.json."""
    return _manifest(work_dir, ["parse", "--target", target], env)


def compile_manifest(work_dir: Path, select: str) -> dict[str, Any]:
    """Compile `select` on DuckDB against an empty warehouse in `work_dir`."""
    warehouse = {"TELESTREAM_DUCKDB_PATH": str(work_dir / "empty.duckdb")}
    return _manifest(work_dir, ["compile", "--select", select, "--target", "duckdb"], warehouse)


def _manifest(work_dir: Path, command: list[str], env: dict[str, str]) -> dict[str, Any]:
    environment = {
        **os.environ,
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **env,
    }
    result = subprocess.run(
        [str(BIN / "dbt"), *command, "--profiles-dir", str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
        env=environment,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest: dict[str, Any] = json.loads((work_dir / "target" / "manifest.json").read_text())
    return manifest
