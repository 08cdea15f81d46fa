"""Shared fixtures: one simulated dataset landed and built in stages, observed at each.

The scenario a data engineer lives through: the first days arrive and are built, the
next day arrives and is loaded incrementally, then the same files are loaded again.
Building it once per session keeps `make test` fast; each test asserts one property of
one stage.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from extract.contract import HEADERS
from extract.simulator import SimulatorConfig, generate
from tests import warehouse_metrics
from tests.pipeline import Sandbox, deliver_days, meltano

log = logging.getLogger(__name__)

# Small, with every defect frequent enough to occur: the marts must match the manifest
# for each defect kind, not only for clean data.
E2E_CONFIG = dataclasses.replace(
    SimulatorConfig(),
    seed=7,
    days=4,
    customers=60,
    products=30,
    plans=4,
    cells=12,
    switches=2,
    calls_per_day=400,
    orders_per_day=30,
)
FIRST_DELIVERY_DAYS = 3
MISORDERED_FILE = "shop_orders_2026-01-01_resent.csv"


@dataclass(frozen=True)
class Stage:
    """What the warehouse held after one step of the scenario."""

    name: str
    manifest: dict[str, Any]
    fingerprint: dict[str, Any]
    raw_rows: dict[str, int]


@dataclass(frozen=True)
class Scenario:
    sandbox: Sandbox
    stages: dict[str, Stage]
    dates: list[str]


def _dates(config: SimulatorConfig, days: int) -> list[str]:
    start = date.fromisoformat(str(config.start_date))
    return [(start + timedelta(days=offset)).isoformat() for offset in range(days)]


def _observe(name: str, sandbox: Sandbox, manifest: dict[str, Any]) -> Stage:
    return Stage(
        name=name,
        manifest=manifest,
        fingerprint=warehouse_metrics.mart_fingerprint(sandbox),
        raw_rows=warehouse_metrics.raw_rows(sandbox),
    )


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("e2e")
    sandbox = Sandbox(root)

    full_dir, partial_dir = root / "generated_full", root / "generated_partial"
    full_manifest = generate(E2E_CONFIG, full_dir, root / "manifest_full.json")
    partial_manifest = generate(
        dataclasses.replace(E2E_CONFIG, days=FIRST_DELIVERY_DAYS),
        partial_dir,
        root / "manifest_partial.json",
    )
    all_dates = _dates(E2E_CONFIG, E2E_CONFIG.days)

    stages: dict[str, Stage] = {}

    deliver_days(full_dir, sandbox.inbox_dir, all_dates[:FIRST_DELIVERY_DAYS])
    # A drop with its columns in another order: intake must set it aside, and the run
    # must go on with every other file.
    misordered = sandbox.inbox_dir / "shop_orders" / MISORDERED_FILE
    misordered.write_text(",".join(reversed(HEADERS["shop_orders"])) + "\n1,2,3,4,5,6\n")
    meltano(sandbox, "run", "elt")
    stages["first_days"] = _observe("first_days", sandbox, partial_manifest)

    deliver_days(full_dir, sandbox.inbox_dir, all_dates[FIRST_DELIVERY_DAYS:])
    meltano(sandbox, "run", "elt")
    stages["next_day"] = _observe("next_day", sandbox, full_manifest)

    # Nothing new: the tap's state skips every landed file; dbt rebuilds the same.
    meltano(sandbox, "run", "elt")
    stages["rerun"] = _observe("rerun", sandbox, full_manifest)

    # The last day's files delivered again: raw lands them a second time (append-only),
    # and the marts must not change.
    deliver_days(full_dir, sandbox.inbox_dir, all_dates[-1:])
    meltano(sandbox, "run", "elt")
    stages["redelivered"] = _observe("redelivered", sandbox, full_manifest)

    (root / "stages.json").write_text(
        json.dumps({name: dataclasses.asdict(stage) for name, stage in stages.items()}, indent=1)
    )
    log.info("scenario built in %s", root)
    return Scenario(sandbox=sandbox, stages=stages, dates=all_dates)
