"""The telecom's master data: service plans, subscriptions and cells, day by day.

Calls themselves are made by the mediation system (cdrs.py); it reads this state to
pick callers and rate them. Plans predate day 1; subscriptions start for a share of the
shop's customers, some at go-live and some on later days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from tools.simulator.clock import DAY_SECONDS, Clock
from tools.simulator.config import SimulatorConfig
from tools.simulator.reference import PLAN_NAMES, REGIONS
from tools.simulator.shop import Customer

TARIFF_PLACES = Decimal("0.0001")
# Of the go-live customers who will subscribe, this share is active from the first
# second; the rest (and every later sign-up) activates on a later day.
GO_LIVE_ACTIVE_SHARE = 0.85
# Daily chance that a customer waiting to subscribe activates.
ACTIVATION_RATE = 0.3
MSISDN_PREFIX = "49151"
# Prefix of the unknown-msisdn defect: no subscription ever gets it.
UNKNOWN_MSISDN_PREFIX = "49170"
PLANS_SINCE_DAYS = 30
CELLS_SINCE_DAYS = 60


def msisdn_of(subscription_id: int) -> str:
    """A distinct, random-looking number per subscription (the multiplier is coprime
    with 10**8, so the mapping is one-to-one below 10**8 subscriptions)."""
    return f"{MSISDN_PREFIX}{(subscription_id * 7_919_113 + 3_141_593) % 100_000_000:08d}"


@dataclass(frozen=True, slots=True)
class Tariff:
    monthly_fee_eur: Decimal
    price_per_minute_eur: Decimal
    price_per_sms_eur: Decimal
    price_per_mb_eur: Decimal

    def scaled(self, factor: Decimal) -> Tariff:
        """Every price times `factor`. A new version must differ from the old one, so an
        unchanged result is nudged by the smallest step."""
        old = (
            self.monthly_fee_eur,
            self.price_per_minute_eur,
            self.price_per_sms_eur,
            self.price_per_mb_eur,
        )
        prices = [max(TARIFF_PLACES, (price * factor).quantize(TARIFF_PLACES)) for price in old]
        if tuple(prices) == old:
            prices[1] += TARIFF_PLACES
        return Tariff(*prices)


@dataclass(slots=True)
class Plan:
    plan_id: int
    plan_name: str
    versions: list[tuple[int, Tariff]]  # (valid from, tariff), oldest first

    def tariff_at(self, moment: int) -> Tariff:
        """The latest version with updated_at <= moment (the contract's rating version)."""
        for valid_from, tariff in reversed(self.versions):
            if valid_from <= moment:
                return tariff
        raise ValueError(f"plan {self.plan_id} did not exist at {moment}")

    def row(self, clock: Clock, exported_at: str) -> tuple[object, ...]:
        updated_at, tariff = self.versions[-1]
        return (
            self.plan_id, self.plan_name,
            f"{tariff.monthly_fee_eur:.4f}", f"{tariff.price_per_minute_eur:.4f}",
            f"{tariff.price_per_sms_eur:.4f}", f"{tariff.price_per_mb_eur:.4f}",
            clock.timestamp(updated_at), exported_at,
        )  # fmt: skip


@dataclass(slots=True)
class Subscription:
    subscription_id: int
    customer_id: int
    msisdn: str
    activated_at: int
    plans: list[tuple[int, int]]  # (valid from, plan_id), oldest first

    def plan_at(self, moment: int) -> int:
        for valid_from, plan_id in reversed(self.plans):
            if valid_from <= moment:
                return plan_id
        raise ValueError(f"subscription {self.subscription_id} was not active at {moment}")

    def row(self, clock: Clock) -> tuple[object, ...]:
        updated_at, plan_id = self.plans[-1]
        return (
            self.subscription_id, self.customer_id, self.msisdn, plan_id,
            clock.timestamp(self.activated_at), clock.timestamp(updated_at),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Cell:
    cell_id: str
    cell_name: str
    region_code: str
    technology: str
    latitude: str
    longitude: str

    def row(self, updated_at: str, exported_at: str) -> tuple[object, ...]:
        return (
            self.cell_id, self.cell_name, self.region_code, self.technology,
            self.latitude, self.longitude, updated_at, exported_at,
        )  # fmt: skip


@dataclass
class TelecomDay:
    service_plans: list[tuple[object, ...]]
    subscriptions: list[tuple[object, ...]]
    cells: list[tuple[object, ...]]


class Telecom:
    """The telecom's operational state."""

    def __init__(self, config: SimulatorConfig, clock: Clock, rng: random.Random) -> None:
        """Set up what predates day 1: the plans and the radio network."""
        self._config = config
        self._clock = clock
        plans_since = -PLANS_SINCE_DAYS * DAY_SECONDS
        self.plans = [
            Plan(
                plan_id,
                PLAN_NAMES[(plan_id - 1) % len(PLAN_NAMES)],
                [(plans_since + rng.randrange(DAY_SECONDS), self._new_tariff(rng))],
            )
            for plan_id in range(1, config.plans + 1)
        ]
        self.cells = [self._new_cell(number, rng) for number in range(1, config.cells + 1)]
        self._cells_updated_at = -CELLS_SINCE_DAYS * DAY_SECONDS
        self.subscriptions: list[Subscription] = []
        # Ascending, parallel to `subscriptions`: the subscriptions active at a moment are
        # a prefix, found by bisection in the CDR loop.
        self.activated_at: list[int] = []
        self._waiting: list[tuple[int, int]] = []  # (customer_id, day enrolled)

    @staticmethod
    def _new_tariff(rng: random.Random) -> Tariff:
        return Tariff(
            monthly_fee_eur=Decimal(rng.randint(500, 6000)) / 100,
            price_per_minute_eur=Decimal(rng.randint(50, 1500)) * TARIFF_PLACES,
            price_per_sms_eur=Decimal(rng.randint(50, 1900)) * TARIFF_PLACES,
            price_per_mb_eur=Decimal(rng.randint(10, 500)) * TARIFF_PLACES,
        )

    @staticmethod
    def _new_cell(number: int, rng: random.Random) -> Cell:
        region = REGIONS[(number - 1) % len(REGIONS)]
        return Cell(
            cell_id=f"C{number:04d}",
            cell_name=f"{region.name} {number:03d}",
            region_code=region.code,
            technology=rng.choices(("4G", "5G"), (60, 40))[0],
            latitude=f"{region.latitude + rng.uniform(-0.4, 0.4):.6f}",
            longitude=f"{region.longitude + rng.uniform(-0.6, 0.6):.6f}",
        )

    def simulate_day(
        self, day: int, new_customers: list[Customer], rng: random.Random
    ) -> TelecomDay:
        start = self._clock.day_start(day)
        changed: dict[int, Subscription] = {}
        if day > 1:
            self._change_plans(start, rng)
            self._change_subscriptions(start, rng, changed)
        self._enrol(day, new_customers, rng, changed)
        self._activate_waiting(day, start, rng, changed)

        clock = self._clock
        exported_at = clock.exported_at(day)
        cells_updated_at = clock.timestamp(self._cells_updated_at)
        return TelecomDay(
            service_plans=[plan.row(clock, exported_at) for plan in self.plans],
            subscriptions=[changed[key].row(clock) for key in sorted(changed)],
            cells=[cell.row(cells_updated_at, exported_at) for cell in self.cells],
        )

    def _change_plans(self, start: int, rng: random.Random) -> None:
        for plan in self.plans:
            if rng.random() >= self._config.plan_price_change_rate:
                continue
            old = plan.versions[-1][1]
            new = old.scaled(Decimal(rng.randint(85, 115)) / 100)
            plan.versions.append((rng.randrange(start, start + DAY_SECONDS), new))

    def _change_subscriptions(
        self, start: int, rng: random.Random, changed: dict[int, Subscription]
    ) -> None:
        if len(self.plans) < 2:
            return
        for subscription in self.subscriptions:
            if rng.random() >= self._config.subscription_change_rate:
                continue
            current = subscription.plans[-1][1]
            plan_id = rng.choice([plan.plan_id for plan in self.plans if plan.plan_id != current])
            subscription.plans.append((rng.randrange(start, start + DAY_SECONDS), plan_id))
            changed[subscription.subscription_id] = subscription

    def _enrol(
        self,
        day: int,
        customers: list[Customer],
        rng: random.Random,
        changed: dict[int, Subscription],
    ) -> None:
        """Decide who of the day's new customers subscribes, and whether right away."""
        go_live = self._clock.day_start(1)
        for customer in customers:
            if rng.random() >= self._config.subscriber_share:
                continue
            if customer.created_at == go_live and rng.random() < GO_LIVE_ACTIVE_SHARE:
                self._subscribe(customer.customer_id, go_live, rng, changed)
            else:
                self._waiting.append((customer.customer_id, day))

    def _activate_waiting(
        self, day: int, start: int, rng: random.Random, changed: dict[int, Subscription]
    ) -> None:
        still_waiting: list[tuple[int, int]] = []
        activating: list[tuple[int, int]] = []
        for customer_id, enrolled in self._waiting:
            if enrolled < day and rng.random() < ACTIVATION_RATE:
                activating.append((rng.randrange(start, start + DAY_SECONDS), customer_id))
            else:
                still_waiting.append((customer_id, enrolled))
        self._waiting = still_waiting
        for moment, customer_id in sorted(activating):
            self._subscribe(customer_id, moment, rng, changed)

    def _subscribe(
        self, customer_id: int, moment: int, rng: random.Random, changed: dict[int, Subscription]
    ) -> None:
        subscription_id = len(self.subscriptions) + 1
        subscription = Subscription(
            subscription_id=subscription_id,
            customer_id=customer_id,
            msisdn=msisdn_of(subscription_id),
            activated_at=moment,
            plans=[(moment, rng.choice(self.plans).plan_id)],
        )
        self.subscriptions.append(subscription)
        self.activated_at.append(moment)
        changed[subscription_id] = subscription
