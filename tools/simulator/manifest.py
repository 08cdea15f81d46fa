"""The ground truth: what the warehouse must show, computed from what was written.

The simulator records here each file's row count, the SCD2 versions its exports carried
and every delivered call's usage, as it writes; `build` adds the end state of the orders
and returns the manifest of docs/source_contract.md. Money is summed as `Decimal`, so the
totals are exact and written with their fixed scale.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from extract.contract import HEADERS
from tools.simulator.clock import DAY_SECONDS, Clock
from tools.simulator.config import SimulatorConfig
from tools.simulator.shop import ORDER_STATUSES, REVENUE_STATUSES, Shop
from tools.simulator.writer import TABLES

UNKNOWN_CUSTOMER_ID = -1
REJECT_REASONS = ("unparseable_started_at", "non_numeric_duration", "negative_duration")
# export table -> SCD2 entity name in the manifest
SCD2_TABLES = {
    "shop_customers": "customers",
    "shop_products": "products",
    "telecom_service_plans": "service_plans",
    "telecom_subscriptions": "subscriptions",
}


@dataclass(slots=True)
class UsageTotals:
    """One customer's usage on one day, over delivered, deduplicated, valid calls."""

    call_count: int = 0
    voice_seconds: int = 0
    sms_count: int = 0
    data_bytes: int = 0
    charge_eur: Decimal = field(default_factory=Decimal)


@dataclass
class CallTally:
    records: int = 0
    distinct_valid: int = 0
    duplicates: int = 0
    late: int = 0
    unknown_cell: int = 0
    unknown_msisdn: int = 0
    rejected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REJECT_REASONS, 0))


@dataclass
class Manifest:
    config: SimulatorConfig
    files: dict[str, dict[str, int]] = field(default_factory=lambda: {t: {} for t in TABLES})
    calls: CallTally = field(default_factory=CallTally)
    # entity -> id -> updated_at texts seen in the exports
    versions: dict[str, dict[int, set[str]]] = field(
        default_factory=lambda: {entity: {} for entity in SCD2_TABLES.values()}
    )
    usage: dict[tuple[int, date], UsageTotals] = field(default_factory=dict)
    # delivery date -> CDR records delivered that day and their rejects per reason: what a
    # real-time feed replaying those deliveries must show (tools/kafka_publish.py)
    cdr_deliveries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_file(self, table: str, file_name: str, rows: int) -> None:
        self.files[table][file_name] = rows

    def add_export(self, table: str, file_name: str, rows: Sequence[Sequence[Any]]) -> None:
        """Record a written export: its row count and, for SCD2 tables, its versions."""
        self.add_file(table, file_name, len(rows))
        entity = SCD2_TABLES.get(table)
        if entity is None:
            return
        updated_at = HEADERS[table].index("updated_at")
        versions = self.versions[entity]
        for row in rows:
            versions.setdefault(row[0], set()).add(row[updated_at])

    def add_usage(self, usage_date: date, usage: dict[int, UsageTotals]) -> None:
        for customer_id, totals in usage.items():
            self.usage[(customer_id, usage_date)] = totals

    def close_cdr_delivery(self, delivery_date: date) -> None:
        """Record what this day's CDR drop added to the running tallies."""
        records = self.calls.records - sum(d["records"] for d in self.cdr_deliveries.values())
        rejected = {
            reason: count - sum(d["rejected"][reason] for d in self.cdr_deliveries.values())
            for reason, count in self.calls.rejected.items()
        }
        self.cdr_deliveries[delivery_date.isoformat()] = {"records": records, "rejected": rejected}

    def build(self, shop: Shop) -> dict[str, Any]:
        """The manifest as JSON values, with the orders' end-of-run state."""
        clock = Clock(self.config.start_date)
        revenue = {clock.date_of(day): Decimal("0.00") for day in range(1, self.config.days + 1)}
        statuses: Counter[str] = Counter(dict.fromkeys(ORDER_STATUSES, 0))
        for order in shop.orders:
            statuses[order.status] += 1
            if order.status in REVENUE_STATUSES:
                revenue[clock.date_of(order.ordered_at // DAY_SECONDS + 1)] += order.total_eur
        calls = self.calls
        return {
            "config": self.config.as_json(),
            "files": self.files,
            "raw_rows": {table: sum(files.values()) for table, files in self.files.items()},
            "revenue_per_day": {
                day.isoformat(): f"{amount:.2f}" for day, amount in revenue.items()
            },
            "orders_per_status": dict(statuses),
            "usage_per_customer_day": [
                {
                    "customer_id": customer_id,
                    "usage_date": usage_date.isoformat(),
                    "call_count": totals.call_count,
                    "voice_seconds": totals.voice_seconds,
                    "sms_count": totals.sms_count,
                    "data_bytes": totals.data_bytes,
                    "charge_eur": f"{totals.charge_eur:.4f}",
                }
                for (customer_id, usage_date), totals in sorted(self.usage.items())
            ],
            "calls": {
                "records": calls.records,
                "distinct_valid": calls.distinct_valid,
                "duplicates": calls.duplicates,
                "late": calls.late,
                "unknown_cell": calls.unknown_cell,
                "unknown_msisdn": calls.unknown_msisdn,
            },
            "scd2_versions": {
                entity: {str(key): len(ids[key]) for key in sorted(ids)}
                for entity, ids in self.versions.items()
            },
            "deleted_products": sorted(product.product_id for product in shop.deleted_products),
            "rejected_rows": {"telecom_cdrs": dict(calls.rejected)},
            "cdr_deliveries": self.cdr_deliveries,
            "orders_unknown_customer": sum(order.customer_id is None for order in shop.orders),
            "order_items_unknown_product": shop.items_of_deleted_products,
        }
