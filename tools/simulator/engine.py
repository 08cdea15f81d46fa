"""Runs the simulation day by day and writes every file and the manifest.

Each day draws from its own random streams (one per source), seeded from the config
seed, the source and the day number. So a day's files depend only on the seed, the config
and the state the earlier days left, never on how many days follow.
"""

from __future__ import annotations

import json
import logging
import random
import time
from pathlib import Path
from typing import Any

from tools.simulator.cdrs import Mediation
from tools.simulator.clock import Clock
from tools.simulator.config import SimulatorConfig
from tools.simulator.manifest import Manifest
from tools.simulator.shop import Shop
from tools.simulator.telecom import Telecom
from tools.simulator.writer import export_path, write_export

log = logging.getLogger(__name__)


def stream(seed: int, source: str, day: int) -> random.Random:
    """An independent random stream per source and day (day 0: state before day 1).

    String seeds are hashed with SHA-512 by `random`, so they are stable across runs
    and Python processes.
    """
    return random.Random(f"{seed}/{source}/{day}")


def generate(config: SimulatorConfig, landing_dir: Path, manifest_path: Path) -> dict[str, Any]:
    """Write days 1..N of both sources into `landing_dir`, and the manifest; return it."""
    clock = Clock(config.start_date)
    shop = Shop(config, clock, stream(config.seed, "shop", 0))
    telecom = Telecom(config, clock, stream(config.seed, "telecom", 0))
    mediation = Mediation(config, clock)
    manifest = Manifest(config)

    for day in range(1, config.days + 1):
        began = time.perf_counter()
        day_date = clock.date_of(day)
        shop_day = shop.simulate_day(day, stream(config.seed, "shop", day))
        telecom_day = telecom.simulate_day(
            day, shop_day.new_customers, stream(config.seed, "telecom", day)
        )
        exports = {
            "shop_customers": shop_day.customers,
            "shop_products": shop_day.products,
            "shop_orders": shop_day.orders,
            "shop_order_items": shop_day.order_items,
            "telecom_service_plans": telecom_day.service_plans,
            "telecom_subscriptions": telecom_day.subscriptions,
            "telecom_cells": telecom_day.cells,
        }
        rows = 0
        for table, table_rows in exports.items():
            path = export_path(landing_dir, table, day_date)
            rows += write_export(path, table, table_rows)
            manifest.add_export(table, path.name, table_rows)
        rows += mediation.deliver_day(
            day, telecom, stream(config.seed, "cdrs", day), landing_dir, manifest
        )
        manifest.close_cdr_delivery(day_date)
        log.info(
            "day %d/%d (%s): %d rows written in %.2fs",
            day, config.days, day_date, rows, time.perf_counter() - began,
        )  # fmt: skip

    result = manifest.build(shop)
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    log.info("manifest written to %s", manifest_path)
    return result
