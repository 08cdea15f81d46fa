"""The web shop: customers, products, orders and their items, changing day by day.

Each `simulate_day` call applies the day's changes in time order and returns the rows
of that day's nightly exports. The shop also answers the telecom's questions about its
customers (who exists, since when), because customers are shared.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from extract.simulator.config import SimulatorConfig
from extract.simulator.formats import CENT, day_start, money, ts
from extract.simulator.ground_truth import GroundTruth
from extract.simulator.reference import CITIES, FIRST_NAMES, LAST_NAMES, PRODUCT_CATEGORIES, SEGMENTS

DAY = timedelta(days=1)
REVENUE_STATUSES = frozenset({"paid", "shipped", "delivered"})


@dataclass
class Customer:
    customer_id: int
    first_name: str
    last_name: str
    segment: str
    city: str
    country_code: str
    created_at: datetime
    updated_at: datetime

    def row(self) -> tuple[object, ...]:
        email = f"{self.first_name}.{self.last_name}{self.customer_id}@example.com".lower()
        return (
            self.customer_id, self.first_name, self.last_name, email, self.segment, self.city,
            self.country_code, ts(self.created_at), ts(self.updated_at),
        )  # fmt: skip


@dataclass
class Product:
    product_id: int
    category: str
    price_eur: Decimal
    created_at: datetime
    updated_at: datetime
    deleted_on: date | None = None

    def row(self, exported_at: datetime) -> tuple[object, ...]:
        return (
            self.product_id, f"SKU-{self.product_id:05d}",
            f"{self.category.title()} {self.product_id}", self.category,
            money(self.price_eur), ts(self.created_at), ts(self.updated_at), ts(exported_at),
        )  # fmt: skip


@dataclass
class Order:
    order_id: int
    customer_id: int | None
    channel: str
    ordered_at: datetime
    status: str = "placed"
    updated_at: datetime | None = None
    pending: list[tuple[datetime, str]] = field(default_factory=list)
    total_eur: Decimal = Decimal(0)

    def row(self) -> tuple[object, ...]:
        return (
            self.order_id, self.customer_id, self.status, self.channel, ts(self.ordered_at),
            ts(self.updated_at or self.ordered_at),
        )  # fmt: skip


@dataclass
class ShopExports:
    customers: list[tuple[object, ...]]
    products: list[tuple[object, ...]]
    orders: list[tuple[object, ...]]
    order_items: list[tuple[object, ...]]


class Shop:
    """The shop's operational state and its day-by-day evolution."""

    def __init__(self, config: SimulatorConfig, rng: random.Random, truth: GroundTruth) -> None:
        self._config = config
        self._rng = rng
        self._truth = truth
        self.customers: dict[int, Customer] = {}
        self._products: dict[int, Product] = {}
        self._open_orders: list[Order] = []
        self._orders: dict[int, Order] = {}
        self._next_order_item_id = 1
        before_start = day_start(config.start_date)
        for _ in range(config.customers):
            self._new_customer(before_start - timedelta(seconds=rng.randint(86_400, 365 * 86_400)))
        for _ in range(config.products):
            self._new_product(before_start - timedelta(seconds=rng.randint(86_400, 365 * 86_400)))

    # ---------- entities

    def _new_customer(self, created_at: datetime) -> Customer:
        rng = self._rng
        city, _ = rng.choice(CITIES)
        customer = Customer(
            customer_id=len(self.customers) + 1,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            segment=rng.choices(SEGMENTS, weights=(80, 15, 5))[0],
            city=city,
            country_code="DE",
            created_at=created_at,
            updated_at=created_at,
        )
        self.customers[customer.customer_id] = customer
        return customer

    def _new_product(self, created_at: datetime) -> Product:
        rng = self._rng
        product = Product(
            product_id=len(self._products) + 1,
            category=rng.choice(PRODUCT_CATEGORIES),
            price_eur=Decimal(rng.randint(499, 99_999)) * CENT,
            created_at=created_at,
            updated_at=created_at,
        )
        self._products[product.product_id] = product
        return product

    def customers_existing_at(self, moment: datetime) -> list[int]:
        return [c.customer_id for c in self.customers.values() if c.created_at < moment]

    # ---------- one day

    def simulate_day(self, day_number: int, day: date) -> ShopExports:
        rng, config = self._rng, self._config
        start = day_start(day)
        end = start + DAY
        changed_customers: dict[int, Customer] = {}
        if day_number == 1:
            changed_customers.update(self.customers)

        self._delete_products(day_number, day)
        self._change_prices(day_number, start)
        self._change_customers(day_number, start, changed_customers)
        for _ in range(config.new_customers_per_day):
            customer = self._new_customer(start + timedelta(seconds=rng.randint(0, 86_399)))
            changed_customers[customer.customer_id] = customer
        if rng.random() < config.new_product_rate:
            self._new_product(start + timedelta(seconds=rng.randint(0, 86_399)))

        items = self._place_orders(day, start)
        changed_orders = self._advance_orders(start, end)

        for customer in changed_customers.values():
            self._truth.add_version("customers", customer.customer_id, customer.updated_at)
        live_products = [p for p in self._products.values() if p.deleted_on is None]
        for product in live_products:
            self._truth.add_version("products", product.product_id, product.updated_at)
        return ShopExports(
            customers=[c.row() for c in sorted(changed_customers.values(), key=lambda c: c.customer_id)],
            products=[p.row(end) for p in live_products],
            orders=[o.row() for o in sorted(changed_orders, key=lambda o: o.order_id)],
            order_items=items,
        )

    def _delete_products(self, day_number: int, day: date) -> None:
        live = [p for p in self._products.values() if p.deleted_on is None and p.created_at < day_start(day)]
        if day_number > 1 and len(live) > 1 and self._rng.random() < self._config.product_deletion_rate:
            product = self._rng.choice(live)
            product.deleted_on = day
            self._truth.deleted_products.add(product.product_id)

    def _change_prices(self, day_number: int, start: datetime) -> None:
        # Entities change from day 2 on and only if they existed at the day's start: the
        # export of their previous version must reach the warehouse.
        if day_number == 1:
            return
        for product in self._products.values():
            if product.deleted_on is None and product.created_at < start:
                if self._rng.random() < self._config.product_price_change_rate:
                    factor = Decimal(self._rng.randint(80, 120)) / 100
                    product.price_eur = max(CENT, (product.price_eur * factor).quantize(CENT))
                    product.updated_at = start + timedelta(seconds=self._rng.randint(1, 86_399))

    def _change_customers(self, day_number: int, start: datetime, changed: dict[int, Customer]) -> None:
        if day_number == 1:
            return
        for customer in list(self.customers.values()):
            if customer.created_at < start and self._rng.random() < self._config.customer_change_rate:
                if self._rng.random() < 0.5:
                    customer.city, _ = self._rng.choice(CITIES)
                else:
                    customer.segment = self._rng.choice(SEGMENTS)
                customer.updated_at = start + timedelta(seconds=self._rng.randint(1, 86_399))
                changed[customer.customer_id] = customer

    def _orderable_products(self, moment: datetime, day: date) -> list[Product]:
        return [
            p for p in self._products.values()
            if p.deleted_on is None and p.created_at < moment and p.updated_at <= moment
        ]  # fmt: skip

    def _place_orders(self, day: date, start: datetime) -> list[tuple[object, ...]]:
        rng, config = self._rng, self._config
        items: list[tuple[object, ...]] = []
        deleted_before_today = sorted(
            p.product_id for p in self._products.values() if p.deleted_on is not None and p.deleted_on < day
        )
        times = sorted(start + timedelta(seconds=rng.randint(0, 86_399)) for _ in range(config.orders_per_day))
        for ordered_at in times:
            candidates = self.customers_existing_at(ordered_at)
            null_customer = rng.random() < config.null_customer_order_rate
            order = Order(
                order_id=len(self._orders) + 1,
                customer_id=None if null_customer else rng.choice(candidates),
                channel=rng.choice(("web", "app")),
                ordered_at=ordered_at,
                updated_at=ordered_at,
            )
            if null_customer:
                self._truth.orders_unknown_customer += 1
            products = self._orderable_products(ordered_at, day)
            for product in rng.sample(products, k=min(len(products), rng.randint(1, 4))):
                quantity = rng.randint(1, 3)
                product_id, unit_price = product.product_id, product.price_eur
                if deleted_before_today and rng.random() < config.deleted_product_item_rate:
                    # A stale basket: the shop still sold a product it had deleted.
                    product_id = rng.choice(deleted_before_today)
                    unit_price = self._products[product_id].price_eur
                    self._truth.order_items_unknown_product += 1
                items.append(
                    (self._next_order_item_id, order.order_id, product_id, quantity, money(unit_price), ts(ordered_at))
                )
                self._next_order_item_id += 1
                order.total_eur += quantity * unit_price
            order.pending = self._lifecycle(ordered_at)
            self._orders[order.order_id] = order
            self._open_orders.append(order)
        return items

    def _lifecycle(self, placed: datetime) -> list[tuple[datetime, str]]:
        """The order's future status changes, decided when it is placed."""
        rng = self._rng
        hours = lambda low, high: timedelta(seconds=rng.randint(low * 3600, high * 3600))  # noqa: E731
        paid = placed + hours(0, 20)
        if rng.random() < 0.06:
            return [(placed + hours(1, 30), "cancelled")]
        if rng.random() < 0.04:
            return [(paid, "paid"), (paid + hours(1, 10), "cancelled")]
        shipped = paid + hours(6, 48)
        delivered = shipped + hours(12, 72)
        events = [(paid, "paid"), (shipped, "shipped"), (delivered, "delivered")]
        if rng.random() < 0.05:
            events.append((delivered + hours(24, 120), "returned"))
        return events

    def _advance_orders(self, start: datetime, end: datetime) -> list[Order]:
        changed: list[Order] = []
        still_open: list[Order] = []
        for order in self._open_orders:
            moved = order.ordered_at >= start
            while order.pending and order.pending[0][0] < end:
                moment, status = order.pending.pop(0)
                order.status, order.updated_at = status, max(moment, order.ordered_at)
                moved = True
            if moved:
                changed.append(order)
            if order.pending:
                still_open.append(order)
        self._open_orders = still_open
        return changed

    def record_order_truth(self) -> None:
        """Final statuses and revenue, as the last export left them."""
        for order in self._orders.values():
            self._truth.orders_per_status[order.status] += 1
            if order.status in REVENUE_STATUSES:
                self._truth.add_revenue(order.ordered_at.date(), order.total_eur)
