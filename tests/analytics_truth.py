"""The analytics marts' answers, computed from the simulator's generated files.

Nothing here reads the warehouse: each function parses the CSV files the simulator
wrote (the same files the pipeline landed) and applies the warehouse definitions of
docs/source_contract.md and the analytics doc blocks, so a test compares two
independent computations of one answer.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from tools.simulator.reference import TERMINATION_CAUSES

REVENUE_STATUSES = frozenset({"paid", "shipped", "delivered"})
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
INTEGER = re.compile(r"^-?\d+$")
DROPPED_CAUSES = frozenset(cause.code for cause in TERMINATION_CAUSES if cause.is_dropped)


@dataclass(frozen=True)
class Order:
    order_id: int
    customer_id: int | None
    status: str
    channel: str
    order_date: date
    total_eur: Decimal
    item_count: int
    unit_count: int

    @property
    def revenue_eur(self) -> Decimal:
        return self.total_eur if self.status in REVENUE_STATUSES else Decimal("0.00")


def table_rows(generated_dir: Path, table: str) -> Iterator[dict[str, str]]:
    """Rows of every file of a table, in delivery order (file names carry the date)."""
    for path in sorted((generated_dir / table).glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            yield from csv.DictReader(handle)


def _date(text: str) -> date:
    return datetime.fromisoformat(text).date()


def month_of(day: date) -> date:
    return day.replace(day=1)


def items(generated_dir: Path) -> list[dict[str, str]]:
    """Order lines, each once (items are written once, on their order's day)."""
    return list(
        {
            row["order_item_id"]: row for row in table_rows(generated_dir, "shop_order_items")
        }.values()
    )


def orders(generated_dir: Path) -> dict[int, Order]:
    """Every order in its latest exported state, with its lines' totals."""
    latest: dict[str, dict[str, str]] = {}
    for row in table_rows(generated_dir, "shop_orders"):
        latest[row["order_id"]] = row
    totals: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    units: dict[str, int] = defaultdict(int)
    for item in items(generated_dir):
        totals[item["order_id"]] += int(item["quantity"]) * Decimal(item["unit_price_eur"])
        counts[item["order_id"]] += 1
        units[item["order_id"]] += int(item["quantity"])
    return {
        int(order_id): Order(
            order_id=int(order_id),
            customer_id=int(row["customer_id"]) if row["customer_id"] else None,
            status=row["order_status"],
            channel=row["channel"] or "unknown",
            order_date=_date(row["ordered_at"]),
            total_eur=totals[order_id].quantize(Decimal("0.01")),
            item_count=counts[order_id],
            unit_count=units[order_id],
        )
        for order_id, row in latest.items()
    }


def daily_sales(all_orders: dict[int, Order]) -> dict[tuple[str, str], dict[str, object]]:
    """Per (order date, channel): what fct_daily_sales must hold."""
    sales: dict[tuple[str, str], dict[str, object]] = {}
    for order in all_orders.values():
        key = (order.order_date.isoformat(), order.channel)
        day = sales.setdefault(
            key,
            {
                "order_count": 0,
                "revenue_order_count": 0,
                "revenue_eur": Decimal("0.00"),
                "item_count": 0,
                "unit_count": 0,
                "cancelled_order_count": 0,
                "returned_order_count": 0,
            },
        )
        day["order_count"] += 1
        day["revenue_order_count"] += order.status in REVENUE_STATUSES
        day["revenue_eur"] += order.revenue_eur
        day["item_count"] += order.item_count
        day["unit_count"] += order.unit_count
        day["cancelled_order_count"] += order.status == "cancelled"
        day["returned_order_count"] += order.status == "returned"
    return sales


def _top_ten(revenue: dict[tuple[date, int], Decimal]) -> dict[tuple[str, int], int]:
    """(month, rank) -> id: the ten ids with most revenue per month, ties by lower id."""
    per_month: dict[date, list[tuple[Decimal, int]]] = defaultdict(list)
    for (month, entity_id), amount in revenue.items():
        per_month[month].append((amount, entity_id))
    top = {}
    for month, entries in per_month.items():
        ranked = sorted(entries, key=lambda entry: (-entry[0], entry[1]))[:10]
        for rank, (_, entity_id) in enumerate(ranked, start=1):
            top[(month.isoformat(), rank)] = entity_id
    return top


def top_products(generated_dir: Path, all_orders: dict[int, Order]) -> dict[tuple[str, int], int]:
    revenue: dict[tuple[date, int], Decimal] = defaultdict(Decimal)
    for item in items(generated_dir):
        order = all_orders.get(int(item["order_id"]))
        if order is None or order.status not in REVENUE_STATUSES:
            continue
        amount = int(item["quantity"]) * Decimal(item["unit_price_eur"])
        revenue[(month_of(order.order_date), int(item["product_id"]))] += amount
    return _top_ten(revenue)


def top_customers(all_orders: dict[int, Order]) -> dict[tuple[str, int], int]:
    revenue: dict[tuple[date, int], Decimal] = defaultdict(Decimal)
    for order in all_orders.values():
        if order.customer_id is not None and order.status in REVENUE_STATUSES:
            revenue[(month_of(order.order_date), order.customer_id)] += order.revenue_eur
    return _top_ten(revenue)


def customers(generated_dir: Path) -> dict[int, dict[str, str]]:
    """Every customer in their latest exported state."""
    latest: dict[int, dict[str, str]] = {}
    for row in table_rows(generated_dir, "shop_customers"):
        latest[int(row["customer_id"])] = row
    return latest


def _ntile(ordered_ids: list[int], buckets: int = 5) -> dict[int, int]:
    """SQL's ntile: the first `len % buckets` buckets hold one row more."""
    size, larger = divmod(len(ordered_ids), buckets)
    scores, position = {}, 0
    for bucket in range(1, buckets + 1):
        count = size + (bucket <= larger)
        for entity_id in ordered_ids[position : position + count]:
            scores[entity_id] = bucket
        position += count
    return scores


def rfm_segment(recency: int, frequency: int) -> str:
    """The mapping of the `rfm_segment` doc block."""
    if recency >= 4 and frequency >= 4:
        return "champions"
    if recency >= 3 and frequency >= 3:
        return "loyal_customers"
    if recency >= 4:
        return "potential_loyalists"
    if recency <= 2 and frequency >= 3:
        return "at_risk"
    if recency <= 2:
        return "hibernating"
    return "needs_attention"


def customer_value(
    generated_dir: Path, all_orders: dict[int, Order], usage: list[dict[str, object]]
) -> dict[int, dict[str, object]]:
    """Per current customer: RFM scores and segment, shop revenue, telecom charges.

    `usage` is the manifest's `usage_per_customer_day` (the simulator rated every call)."""
    shop: dict[int, list[Order]] = defaultdict(list)
    for order in all_orders.values():
        if order.customer_id is not None and order.status in REVENUE_STATUSES:
            shop[order.customer_id].append(order)
    charges: dict[int, Decimal] = defaultdict(Decimal)
    for row in usage:
        charges[int(row["customer_id"])] += Decimal(str(row["charge_eur"]))
    last_order = {cid: max(o.order_date for o in placed) for cid, placed in shop.items()}
    frequency = {cid: len(placed) for cid, placed in shop.items()}
    monetary = {cid: sum(o.revenue_eur for o in placed) for cid, placed in shop.items()}
    scores = {
        "recency_score": _ntile(sorted(shop, key=lambda cid: (last_order[cid], cid))),
        "frequency_score": _ntile(sorted(shop, key=lambda cid: (frequency[cid], cid))),
        "monetary_score": _ntile(sorted(shop, key=lambda cid: (monetary[cid], cid))),
    }
    value = {}
    for customer_id in customers(generated_dir):
        shop_revenue = monetary.get(customer_id, Decimal("0.00"))
        telecom = charges.get(customer_id, Decimal(0))
        row: dict[str, object] = {
            name: per_customer.get(customer_id) for name, per_customer in scores.items()
        }
        row["rfm_segment"] = (
            rfm_segment(row["recency_score"], row["frequency_score"])
            if customer_id in shop
            else "no_orders"
        )
        row["shop_revenue_eur"] = f"{shop_revenue:.2f}"
        row["telecom_charge_eur"] = f"{telecom:.4f}"
        row["customer_value_eur"] = f"{shop_revenue + telecom:.4f}"
        value[customer_id] = row
    return value


def cohort_retention(
    generated_dir: Path, all_orders: dict[int, Order], usage: list[dict[str, object]]
) -> dict[tuple[str, str], tuple[int, int]]:
    """(cohort month, activity month) -> (cohort size, active customers), for every
    month from each cohort's signup to the last month with activity."""
    cohort_of = {
        customer_id: month_of(_date(row["created_at"]))
        for customer_id, row in customers(generated_dir).items()
    }
    active: set[tuple[int, date]] = {
        (order.customer_id, month_of(order.order_date))
        for order in all_orders.values()
        if order.customer_id is not None
    }
    active |= {
        (int(row["customer_id"]), month_of(date.fromisoformat(str(row["usage_date"]))))
        for row in usage
        if int(row["customer_id"]) != -1
    }
    last_month = max(month for _, month in active)
    sizes: dict[date, int] = defaultdict(int)
    for month in cohort_of.values():
        sizes[month] += 1
    retention = {}
    for cohort, size in sizes.items():
        month = cohort
        while month <= last_month:
            count = sum(
                1 for cid, cohort_month in cohort_of.items()
                if cohort_month == cohort and (cid, month) in active
            )  # fmt: skip
            retention[(cohort.isoformat(), month.isoformat())] = (size, count)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return retention


def _valid_cdrs(generated_dir: Path) -> Iterator[dict[str, str]]:
    """Deduplicated CDRs (first delivery kept) that pass the contract's validation."""
    seen: set[str] = set()
    for row in table_rows(generated_dir, "telecom_cdrs"):
        if row["cdr_id"] in seen:
            continue
        seen.add(row["cdr_id"])
        if not TIMESTAMP.match(row["started_at"]) or not INTEGER.match(row["duration_s"]):
            continue
        if int(row["duration_s"]) < 0:
            continue
        yield row


def cell_hourly_kpis(generated_dir: Path) -> dict[tuple[str, str], dict[str, int]]:
    """(cell_id, hour start) -> call counts by type, voice seconds, data bytes, dropped
    voice calls."""
    kpis: dict[tuple[str, str], dict[str, int]] = {}
    for row in _valid_cdrs(generated_dir):
        hour = row["started_at"][:13] + ":00:00"
        cell = kpis.setdefault(
            (row["cell_id"], hour),
            dict.fromkeys(
                ("call_count", "voice_call_count", "sms_count", "data_session_count",
                 "voice_seconds", "data_bytes", "dropped_call_count"),
                0,
            ),
        )  # fmt: skip
        call_type = row["call_type"]
        cell["call_count"] += 1
        if call_type == "voice":
            cell["voice_call_count"] += 1
            cell["voice_seconds"] += int(row["duration_s"])
            cell["dropped_call_count"] += row["termination_cause"] in DROPPED_CAUSES
        elif call_type == "sms":
            cell["sms_count"] += 1
        else:
            cell["data_session_count"] += 1
            cell["data_bytes"] += int(row["bytes_up"]) + int(row["bytes_down"])
    return kpis
