"""The ground truth: what the warehouse must show, computed from what was generated.

The simulator records facts here as it writes files; the warehouse computes the same
facts from those files. Tests compare the two.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from extract.simulator.formats import CENT, TARIFF_PLACES, money

UNKNOWN_CUSTOMER_ID = -1


@dataclass
class CustomerDayUsage:
    call_count: int = 0
    voice_seconds: int = 0
    sms_count: int = 0
    data_bytes: int = 0
    charge_eur: Decimal = Decimal(0)


@dataclass
class GroundTruth:
    files: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    revenue_per_day: dict[date, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    orders_per_status: Counter[str] = field(default_factory=Counter)
    versions: dict[str, set[tuple[object, datetime]]] = field(default_factory=lambda: defaultdict(set))
    deleted_products: set[int] = field(default_factory=set)
    rejected: Counter[str] = field(default_factory=Counter)
    usage: dict[tuple[int, date], CustomerDayUsage] = field(
        default_factory=lambda: defaultdict(CustomerDayUsage)
    )
    cdr_records: int = 0
    valid_cdr_records: int = 0
    delivered_calls: set[str] = field(default_factory=set)
    late_calls: int = 0
    unknown_cell_calls: int = 0
    unknown_msisdn_calls: int = 0
    orders_unknown_customer: int = 0
    order_items_unknown_product: int = 0

    def add_file(self, table: str, file_name: str, rows: int) -> None:
        self.files[table][file_name] = rows

    def add_version(self, entity: str, entity_id: object, updated_at: datetime) -> None:
        self.versions[entity].add((entity_id, updated_at))

    def add_revenue(self, order_date: date, amount: Decimal) -> None:
        self.revenue_per_day[order_date] += amount

    def add_call(
        self,
        customer_id: int,
        call_date: date,
        call_type: str,
        duration_s: int,
        total_bytes: int,
        charge_eur: Decimal | None,
    ) -> None:
        usage = self.usage[(customer_id, call_date)]
        usage.call_count += 1
        if call_type == "voice":
            usage.voice_seconds += duration_s
        elif call_type == "sms":
            usage.sms_count += 1
        else:
            usage.data_bytes += total_bytes
        usage.charge_eur += charge_eur or Decimal(0)

    def as_manifest(self, config: dict[str, Any]) -> dict[str, Any]:
        """The JSON manifest of docs/source_contract.md."""
        version_counts: dict[str, dict[str, int]] = {}
        for entity in ("customers", "products", "service_plans", "subscriptions"):
            counts = Counter(str(entity_id) for entity_id, _ in self.versions[entity])
            version_counts[entity] = dict(sorted(counts.items(), key=lambda kv: int(kv[0])))
        distinct_valid = len(self.delivered_calls)
        return {
            "config": config,
            "files": {table: dict(sorted(files.items())) for table, files in sorted(self.files.items())},
            "raw_rows": {table: sum(files.values()) for table, files in sorted(self.files.items())},
            "revenue_per_day": {
                day.isoformat(): money(amount, CENT) for day, amount in sorted(self.revenue_per_day.items())
            },
            "orders_per_status": dict(sorted(self.orders_per_status.items())),
            "usage_per_customer_day": [
                {
                    "customer_id": customer_id,
                    "usage_date": usage_date.isoformat(),
                    "call_count": usage.call_count,
                    "voice_seconds": usage.voice_seconds,
                    "sms_count": usage.sms_count,
                    "data_bytes": usage.data_bytes,
                    "charge_eur": money(usage.charge_eur, TARIFF_PLACES),
                }
                for (customer_id, usage_date), usage in sorted(self.usage.items())
            ],
            "calls": {
                "records": self.cdr_records,
                "distinct_valid": distinct_valid,
                "duplicates": self.valid_cdr_records - distinct_valid,
                "late": self.late_calls,
                "unknown_cell": self.unknown_cell_calls,
                "unknown_msisdn": self.unknown_msisdn_calls,
            },
            "scd2_versions": version_counts,
            "deleted_products": sorted(self.deleted_products),
            "rejected_rows": {
                "telecom_cdrs": {
                    reason: self.rejected[reason]
                    for reason in ("unparseable_started_at", "non_numeric_duration", "negative_duration")
                }
            },
            "orders_unknown_customer": self.orders_unknown_customer,
            "order_items_unknown_product": self.order_items_unknown_product,
        }
