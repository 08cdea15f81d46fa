"""The telecom: service plans, subscriptions, cells and the CDRs the switches deliver.

Calls are generated on the day they happen and delivered on that day or, when late, on
a later day; the ground truth counts a call when its record is written to a file, so a
record delivered after the last simulated day is never counted.
"""

from __future__ import annotations

import bisect
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from extract.simulator.config import SimulatorConfig
from extract.simulator.formats import TARIFF_PLACES, day_start, money, ts
from extract.simulator.ground_truth import UNKNOWN_CUSTOMER_ID, GroundTruth
from extract.simulator.reference import PLAN_NAMES, REGIONS, TERMINATION_CAUSES
from extract.simulator.shop import Shop

DAY = timedelta(days=1)
CAUSE_CODES = tuple(code for code, _, _, _ in TERMINATION_CAUSES)
CAUSE_WEIGHTS = tuple(weight for _, _, _, weight in TERMINATION_CAUSES)
REJECT_KINDS = ("unparseable_started_at", "non_numeric_duration", "negative_duration")


@dataclass(frozen=True)
class Tariff:
    monthly_fee_eur: Decimal
    price_per_minute_eur: Decimal
    price_per_sms_eur: Decimal
    price_per_mb_eur: Decimal


@dataclass
class Plan:
    plan_id: int
    name: str
    versions: list[tuple[datetime, Tariff]]

    def tariff_at(self, moment: datetime) -> Tariff:
        starts = [valid_from for valid_from, _ in self.versions]
        return self.versions[bisect.bisect_right(starts, moment) - 1][1]

    def row(self, exported_at: datetime) -> tuple[object, ...]:
        updated_at, tariff = self.versions[-1]
        return (
            self.plan_id, self.name, money(tariff.monthly_fee_eur, TARIFF_PLACES),
            money(tariff.price_per_minute_eur, TARIFF_PLACES), money(tariff.price_per_sms_eur, TARIFF_PLACES),
            money(tariff.price_per_mb_eur, TARIFF_PLACES), ts(updated_at), ts(exported_at),
        )  # fmt: skip


@dataclass
class Subscription:
    subscription_id: int
    customer_id: int
    activated_at: datetime
    versions: list[tuple[datetime, int]]  # (valid_from, plan_id)

    @property
    def msisdn(self) -> str:
        return f"49151{self.subscription_id:08d}"

    def plan_at(self, moment: datetime) -> int:
        starts = [valid_from for valid_from, _ in self.versions]
        return self.versions[bisect.bisect_right(starts, moment) - 1][1]

    def row(self) -> tuple[object, ...]:
        updated_at, plan_id = self.versions[-1]
        return (
            self.subscription_id, self.customer_id, self.msisdn, plan_id, ts(self.activated_at), ts(updated_at),
        )  # fmt: skip


@dataclass(slots=True)
class CdrRecord:
    """One record as a switch delivers it, with what the ground truth needs to know."""

    cdr_id: str
    switch_id: str
    fields: tuple[object, ...]  # the file's columns after record_no and cdr_id, switch_id
    kind: str  # 'valid', a reject reason, 'unknown_cell' or 'unknown_msisdn'
    is_late: bool
    customer_id: int
    call_date: date
    call_type: str
    duration_s: int
    total_bytes: int
    charge_eur: Decimal | None


@dataclass
class TelecomExports:
    service_plans: list[tuple[object, ...]]
    subscriptions: list[tuple[object, ...]]
    cells: list[tuple[object, ...]]
    cdr_files: dict[str, list[CdrRecord]] = field(default_factory=dict)


def rate_call(tariff: Tariff, call_type: str, duration_s: int, total_bytes: int, is_roaming: bool) -> Decimal:
    """The contract's rating: whole minutes, flat sms, whole megabytes; roaming doubles."""
    if call_type == "voice":
        charge = math.ceil(duration_s / 60) * tariff.price_per_minute_eur
    elif call_type == "sms":
        charge = tariff.price_per_sms_eur
    else:
        charge = math.ceil(total_bytes / 1_000_000) * tariff.price_per_mb_eur
    return (charge * (2 if is_roaming else 1)).quantize(TARIFF_PLACES)


class Telecom:
    """The telecom's operational state, its mediation system and its day-by-day evolution."""

    def __init__(self, config: SimulatorConfig, rng: random.Random, truth: GroundTruth, shop: Shop) -> None:
        self._config = config
        self._rng = rng
        self._truth = truth
        self._shop = shop
        self._switches = [f"sw{n}" for n in range(1, config.switches + 1)]
        self._pending: dict[int, dict[str, list[CdrRecord]]] = defaultdict(lambda: defaultdict(list))
        start = day_start(config.start_date)
        self._plans = [
            Plan(plan_id, PLAN_NAMES[(plan_id - 1) % len(PLAN_NAMES)], [(start - 30 * DAY, self._random_tariff())])
            for plan_id in range(1, config.plans + 1)
        ]
        self._cells = [
            (f"C{n:04d}", rng.choice(REGIONS)[0], rng.choice(("4G", "5G")), rng.uniform(47.3, 55.0), rng.uniform(5.9, 15.0))
            for n in range(1, config.cells + 1)
        ]
        self._cells_updated_at = start - 60 * DAY
        self._subscriptions: dict[int, Subscription] = {}
        for customer in shop.customers.values():
            if rng.random() < config.subscriber_share:
                span = int((start - customer.created_at).total_seconds())
                self._subscribe(customer.customer_id, customer.created_at + timedelta(seconds=rng.randint(0, span - 1)))

    def _random_tariff(self) -> Tariff:
        rng = self._rng
        return Tariff(
            monthly_fee_eur=Decimal(rng.randint(500, 6000)) / 100,
            price_per_minute_eur=Decimal(rng.randint(50, 1500)) / 10_000,
            price_per_sms_eur=Decimal(rng.randint(50, 1900)) / 10_000,
            price_per_mb_eur=Decimal(rng.randint(10, 500)) / 10_000,
        )

    def _subscribe(self, customer_id: int, activated_at: datetime) -> Subscription:
        subscription = Subscription(
            subscription_id=len(self._subscriptions) + 1,
            customer_id=customer_id,
            activated_at=activated_at,
            versions=[(activated_at, self._rng.choice(self._plans).plan_id)],
        )
        self._subscriptions[subscription.subscription_id] = subscription
        return subscription

    # ---------- one day

    def simulate_day(self, day_number: int, day: date) -> TelecomExports:
        rng, config = self._rng, self._config
        start = day_start(day)
        end = start + DAY
        changed: dict[int, Subscription] = dict(self._subscriptions) if day_number == 1 else {}

        # Changes from day 2 on, and only to what existed at the day's start, so that the
        # previous version was exported.
        if day_number > 1 and rng.random() < config.plan_price_change_rate:
            plan = rng.choice(self._plans)
            plan.versions.append((start + timedelta(seconds=rng.randint(1, 86_399)), self._random_tariff()))
        callers = [s for s in self._subscriptions.values() if s.activated_at < start]
        if day_number > 1:
            for subscription in callers:
                if rng.random() < config.subscription_change_rate:
                    moment = start + timedelta(seconds=rng.randint(1, 86_399))
                    subscription.versions.append((moment, rng.choice(self._plans).plan_id))
                    changed[subscription.subscription_id] = subscription
        if rng.random() < config.new_subscription_rate:
            subscribed = {s.customer_id for s in self._subscriptions.values()}
            candidates = [c for c in self._shop.customers_existing_at(start) if c not in subscribed]
            if candidates:
                subscription = self._subscribe(rng.choice(candidates), start + timedelta(seconds=rng.randint(0, 86_399)))
                changed[subscription.subscription_id] = subscription

        self._generate_calls(day_number, day, start, callers)

        for plan in self._plans:
            self._truth.add_version("service_plans", plan.plan_id, plan.versions[-1][0])
        for subscription in changed.values():
            self._truth.add_version("subscriptions", subscription.subscription_id, subscription.versions[-1][0])
        return TelecomExports(
            service_plans=[plan.row(end) for plan in self._plans],
            subscriptions=[s.row() for s in sorted(changed.values(), key=lambda s: s.subscription_id)],
            cells=[
                (cell_id, f"Cell {cell_id}", region, tech, f"{lat:.6f}", f"{lon:.6f}", ts(self._cells_updated_at), ts(end))
                for cell_id, region, tech, lat, lon in self._cells
            ],
            cdr_files={switch: self._pending[day_number].pop(switch, []) for switch in self._switches},
        )

    def _generate_calls(self, day_number: int, day: date, start: datetime, callers: list[Subscription]) -> None:
        rng, config = self._rng, self._config
        plans = {plan.plan_id: plan for plan in self._plans}
        thresholds = []
        cumulative = 0.0
        for kind, rate in (
            ("unparseable_started_at", config.malformed_timestamp_rate),
            ("non_numeric_duration", config.non_numeric_duration_rate),
            ("negative_duration", config.negative_duration_rate),
            ("unknown_cell", config.unknown_cell_rate),
            ("unknown_msisdn", config.unknown_msisdn_rate),
            ("duplicate", config.duplicate_cdr_rate),
            ("late", config.late_cdr_rate),
        ):
            cumulative += rate
            thresholds.append((cumulative, kind))
        day_tag = day.strftime("%Y%m%d")
        offsets = sorted(rng.randint(0, 86_399) for _ in range(config.calls_per_day))
        for sequence, offset in enumerate(offsets, start=1):
            started_at = start + timedelta(seconds=offset)
            subscription = rng.choice(callers)
            draw = rng.random()
            defect = next((kind for limit, kind in thresholds if draw < limit), "valid")
            call_type = rng.choices(("voice", "sms", "data"), weights=(50, 30, 20))[0]
            duration_s, bytes_up, bytes_down = 0, 0, 0
            if call_type == "voice":
                duration_s = min(int(rng.expovariate(1 / 150)) + 1, 7200)
            elif call_type == "data":
                duration_s = rng.randint(10, 3600)
                bytes_up, bytes_down = rng.randint(1_000, 5_000_000), rng.randint(10_000, 50_000_000)
            is_roaming = rng.random() < 0.05
            cell_id = rng.choice(self._cells)[0]
            msisdn, customer_id = subscription.msisdn, subscription.customer_id
            if defect == "unknown_cell":
                cell_id = f"Z{rng.randint(1000, 9999)}"
            elif defect == "unknown_msisdn":
                msisdn, customer_id = f"49170{rng.randint(10_000_000, 99_999_999)}", UNKNOWN_CUSTOMER_ID
            charge = None
            if customer_id != UNKNOWN_CUSTOMER_ID:
                tariff = plans[subscription.plan_at(started_at)].tariff_at(started_at)
                charge = rate_call(tariff, call_type, duration_s, bytes_up + bytes_down, is_roaming)
            started_text: str = ts(started_at)
            duration_text: str | int = duration_s
            if defect == "unparseable_started_at":
                started_text = rng.choice((f"{day.isoformat()}T{offset // 3600:02d}:{offset % 3600 // 60:02d}", "yesterday", f"{day.isoformat()} 25:61:00"))
            elif defect == "non_numeric_duration":
                duration_text = rng.choice(("12s", "abc", "n/a"))
            elif defect == "negative_duration":
                duration_text = -rng.randint(1, 300)
            switch = rng.choice(self._switches)
            delivery_day = day_number + (rng.randint(1, 2) if defect == "late" else 0)
            record = CdrRecord(
                cdr_id=f"{switch}-{day_tag}-{sequence:06d}",
                switch_id=switch,
                fields=(msisdn, call_type, started_text, duration_text, bytes_up, bytes_down, cell_id,
                        rng.choices(CAUSE_CODES, weights=CAUSE_WEIGHTS)[0], "true" if is_roaming else "false"),
                kind=defect if defect not in ("duplicate", "late") else "valid",
                is_late=defect == "late",
                customer_id=customer_id,
                call_date=day,
                call_type=call_type,
                duration_s=duration_s,
                total_bytes=bytes_up + bytes_down,
                charge_eur=charge,
            )  # fmt: skip
            self._pending[delivery_day][switch].append(record)
            if defect == "duplicate":
                other = rng.choice([s for s in self._switches if s != switch])
                self._pending[delivery_day][other].append(record)

    def deliver(self, record: CdrRecord) -> None:
        """Count a record written to a file into the ground truth."""
        truth = self._truth
        truth.cdr_records += 1
        if record.kind in REJECT_KINDS:
            truth.rejected[record.kind] += 1
            return
        truth.valid_cdr_records += 1
        if record.cdr_id in truth.delivered_calls:
            return
        truth.delivered_calls.add(record.cdr_id)
        truth.late_calls += record.is_late
        truth.unknown_cell_calls += record.kind == "unknown_cell"
        truth.unknown_msisdn_calls += record.kind == "unknown_msisdn"
        truth.add_call(
            record.customer_id, record.call_date, record.call_type, record.duration_s, record.total_bytes,
            record.charge_eur,
        )  # fmt: skip
