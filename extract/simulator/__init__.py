"""A deterministic simulator of the web shop and the telecom that feed the warehouse.

`generate` writes the daily export files of docs/source_contract.md and a ground-truth
manifest computed from what it wrote.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from extract.simulator.config import SimulatorConfig
from extract.simulator.ground_truth import GroundTruth
from extract.simulator.shop import Shop
from extract.simulator.telecom import Telecom
from extract.simulator.writer import export_path, write_export

__all__ = ["SimulatorConfig", "generate"]

log = logging.getLogger(__name__)


def generate(
    config: SimulatorConfig, landing_dir: Path, manifest_path: Path, clean: bool = False
) -> dict[str, Any]:
    """Write days 1..N of both sources into `landing_dir` and the manifest; return it."""
    if clean and landing_dir.exists():
        shutil.rmtree(landing_dir)
    rng = random.Random(config.seed)
    truth = GroundTruth()
    shop = Shop(config, rng, truth)
    telecom = Telecom(config, rng, truth, shop)

    for day_number in range(1, config.days + 1):
        began = time.perf_counter()
        day = config.start_date + timedelta(days=day_number - 1)
        day_iso = day.isoformat()
        shop_exports = shop.simulate_day(day_number, day)
        telecom_exports = telecom.simulate_day(day_number, day)
        tables = {
            "shop_customers": shop_exports.customers,
            "shop_products": shop_exports.products,
            "shop_orders": shop_exports.orders,
            "shop_order_items": shop_exports.order_items,
            "telecom_service_plans": telecom_exports.service_plans,
            "telecom_subscriptions": telecom_exports.subscriptions,
            "telecom_cells": telecom_exports.cells,
        }
        rows_written = 0
        for table, rows in tables.items():
            path = export_path(landing_dir, table, day_iso)
            count = write_export(path, table, rows)
            truth.add_file(table, path.name, count)
            rows_written += count
        for switch_id, records in telecom_exports.cdr_files.items():
            path = export_path(landing_dir, "telecom_cdrs", day_iso, switch_id)
            count = write_export(
                path,
                "telecom_cdrs",
                (
                    (record_no, record.cdr_id, record.switch_id, *record.fields)
                    for record_no, record in enumerate(records, start=1)
                ),
            )
            for record in records:
                telecom.deliver(record)
            truth.add_file("telecom_cdrs", path.name, count)
            rows_written += count
        log.info(
            "day %d (%s): %d rows written in %.2fs", day_number, day_iso, rows_written,
            time.perf_counter() - began,
        )  # fmt: skip

    shop.record_order_truth()
    manifest = truth.as_manifest(config.as_json())
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    log.info("manifest written to %s", manifest_path)
    return manifest
