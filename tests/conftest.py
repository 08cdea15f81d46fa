"""Shared fixtures: one simulated dataset landed and built in stages, observed at each.

The scenario a data engineer lives through: the first days arrive and are built, the
next day arrives and is loaded incrementally, then the same files are loaded again;
then today's shop changes and CDRs arrive on Kafka only, and finally every event is
published again and re-read by a new consumer group. Building it once per session
keeps `make test` fast; each test asserts one property of one stage.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from extract.contract import HEADERS
from tests import warehouse_metrics
from tests.pipeline import Sandbox, deliver_days, meltano
from tools.kafka_broker import running_broker
from tools.kafka_publish import publish_simulation
from tools.simulator import SimulatorConfig, generate

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
    # Deletions often enough that the exports and the change stream both carry some.
    product_deletion_rate=0.05,
)
FIRST_DELIVERY_DAYS = 3
# Today: the day after the last file, known to the warehouse only through Kafka.
STREAM_CONFIG = dataclasses.replace(E2E_CONFIG, days=E2E_CONFIG.days + 1)
MISORDERED_FILE = "shop_orders_2026-01-01_resent.csv"


@dataclass(frozen=True)
class Stage:
    """What the warehouse held after one step of the scenario."""

    name: str
    manifest: dict[str, Any]
    fingerprint: dict[str, Any]
    raw_rows: dict[str, int]
    # For stages fed by Kafka: what was published (tools/kafka_publish.py's truth,
    # without its manifest) and the rows landed per raw Kafka table.
    kafka_truth: dict[str, Any] | None = None
    kafka_rows: dict[str, int] | None = None
    # Days whose CDR drops were landed as files (with Kafka, the feed has the rest).
    file_days: int | None = None


@dataclass(frozen=True)
class Scenario:
    sandbox: Sandbox
    stages: dict[str, Stage]
    dates: list[str]


def _dates(config: SimulatorConfig, days: int) -> list[str]:
    start = date.fromisoformat(str(config.start_date))
    return [(start + timedelta(days=offset)).isoformat() for offset in range(days)]


def _observe(
    name: str,
    sandbox: Sandbox,
    manifest: dict[str, Any],
    kafka_truth: dict[str, Any] | None = None,
    file_days: int | None = None,
) -> Stage:
    return Stage(
        name=name,
        manifest=manifest,
        fingerprint=warehouse_metrics.mart_fingerprint(sandbox),
        raw_rows=warehouse_metrics.raw_rows(sandbox),
        kafka_truth=None
        if kafka_truth is None
        else {key: value for key, value in kafka_truth.items() if key != "manifest"},
        kafka_rows=warehouse_metrics.kafka_rows(sandbox),
        file_days=file_days,
    )


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    with running_broker() as broker:
        yield _run_scenario(tmp_path_factory, broker.bootstrap_servers)


def _run_scenario(tmp_path_factory: pytest.TempPathFactory, bootstrap_servers: str) -> Scenario:
    root = tmp_path_factory.mktemp("e2e")
    sandbox = Sandbox(root, kafka_bootstrap_servers=bootstrap_servers)

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

    # Today on Kafka: the shop's change log since go-live (snapshot, creates, updates,
    # deletes with tombstones) and the CDR feed of the last file day (overlapping the
    # files) and today. The shop marts must equal the ground truth of all five days; the
    # telecom's reference data still comes only in files (late-arriving subscriptions).
    truth = publish_simulation(
        bootstrap_servers, STREAM_CONFIG, E2E_CONFIG.days, root / "kafka_truth.json"
    )
    meltano(sandbox, "run", "elt")
    stages["streamed"] = _observe(
        "streamed", sandbox, truth["manifest"], truth, file_days=E2E_CONFIG.days
    )

    # The night after: today's files arrive too, repeating what the stream brought. Now
    # every mart equals the ground truth, and each call still counts once.
    today_dir = root / "generated_today"
    generate(STREAM_CONFIG, today_dir, root / "manifest_today.json")
    deliver_days(today_dir, sandbox.inbox_dir, _dates(STREAM_CONFIG, STREAM_CONFIG.days)[-1:])
    meltano(sandbox, "run", "elt")
    stages["next_night"] = _observe(
        "next_night", sandbox, truth["manifest"], truth, file_days=STREAM_CONFIG.days
    )

    # Everything published again (old changes now arrive after newer ones), and a new
    # consumer group reads both publications from the start: raw lands each message
    # again, the marts must not move (but the replayed bad CDRs are quarantined again).
    replay = publish_simulation(
        bootstrap_servers, STREAM_CONFIG, E2E_CONFIG.days, root / "kafka_truth_replay.json"
    )
    replay_sandbox = dataclasses.replace(sandbox, kafka_group="telestream-extract-replay")
    meltano(replay_sandbox, "run", "elt")
    stages["replayed"] = _observe(
        "replayed", sandbox, replay["manifest"], replay, file_days=STREAM_CONFIG.days
    )

    (root / "stages.json").write_text(
        json.dumps({name: dataclasses.asdict(stage) for name, stage in stages.items()}, indent=1)
    )
    log.info("scenario built in %s", root)
    return Scenario(sandbox=sandbox, stages=stages, dates=all_dates)
