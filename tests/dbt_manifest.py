"""dbt's manifest of this project, from `dbt parse` (no warehouse, no connection)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.pipeline import BIN, PROJECT_ROOT


def parse_manifest(work_dir: Path, target: str = "duckdb", **env: str) -> dict[str, Any]:
    """Parse the project for `target` into `work_dir` and return target/manifest.json."""
    environment = {
        **os.environ,
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **env,
    }
    result = subprocess.run(
        [str(BIN / "dbt"), "parse", "--profiles-dir", str(PROJECT_ROOT), "--target", target],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
        env=environment,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest: dict[str, Any] = json.loads((work_dir / "target" / "manifest.json").read_text())
    return manifest
