"""The web shop: customers, products, orders and items, evolved one day at a time.

`Shop.simulate_day` applies a day's events in a fixed order (deletions at midnight,
price and customer changes, sign-ups, new products, then trading) and returns that
day's export rows. Entities change only from day 2 on and only if they existed when the
day began, so the version before a change was always in an earlier export.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from decimal import Decimal

from tools.simulator.clock import DAY_SECONDS, Clock
from tools.simulator.config import SimulatorConfig
from tools.simulator.reference import (
    CITIES,
    FIRST_NAMES,
    LAST_NAMES,
    PRODUCT_CATEGORIES,
    SEGMENT_WEIGHTS,
    SEGMENTS,
)

CENT = Decimal("0.01")
ORDER_STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled", "returned")
REVENUE_STATUSES = frozenset({"paid", "shipped", "delivered"})
# status -> (chance that a next move happens, next statuses, their weights). Several
# moves can happen in one day; only the end-of-day state is exported.
ORDER_MOVES: dict[str, tuple[float, tuple[str, ...], tuple[int, ...]]] = {
    "placed": (0.85, ("paid", "cancelled"), (92, 8)),
    "paid": (0.6, ("shipped", "cancelled"), (97, 3)),
    "shipped": (0.5, ("delivered",), (1,)),
    "delivered": (0.005, ("returned",), (1,)),
}
# After this many days a delivered order can no longer be returned, so it stops being
# revisited every day.
RETURN_WINDOW_DAYS = 14
ITEMS_PER_ORDER = ((1, 2, 3, 4), (50, 30, 15, 5))
QUANTITIES = ((1, 2, 3), (70, 20, 10))
CATALOGUE_AGE_DAYS = 300


def expected_count(rng: random.Random, mean: float) -> int:
    """A whole number of events whose average is `mean` (e.g. 0.5 new products a day)."""
    whole = int(mean)
    return whole + (rng.random() < mean - whole)


@dataclass(slots=True)
class Customer:
    customer_id: int
    first_name: str
    last_name: str
    segment: str
    city: str
    country_code: str
    created_at: int
    updated_at: int

    def row(self, clock: Clock) -> tuple[object, ...]:
        email = f"{self.first_name}.{self.last_name}{self.customer_id}@example.com".lower()
        return (
            self.customer_id, self.first_name, self.last_name, email, self.segment, self.city,
            self.country_code, clock.timestamp(self.created_at), clock.timestamp(self.updated_at),
        )  # fmt: skip


@dataclass(slots=True)
class Product:
    product_id: int
    product_name: str
    category: str
    created_at: int
    prices: list[tuple[int, Decimal]]  # (valid from, price), oldest first
    deleted_day: int = 0  # 0 while the product is live

    def price_at(self, moment: int) -> Decimal:
        for valid_from, price in reversed(self.prices):
            if valid_from <= moment:
                return price
        raise ValueError(f"product {self.product_id} did not exist at {moment}")

    def row(self, clock: Clock, exported_at: str) -> tuple[object, ...]:
        updated_at, price = self.prices[-1]
        return (
            self.product_id, f"SKU-{self.product_id:05d}", self.product_name, self.category,
            str(price), clock.timestamp(self.created_at), clock.timestamp(updated_at), exported_at,
        )  # fmt: skip


@dataclass(slots=True)
class Order:
    order_id: int
    customer_id: int | None
    channel: str
    ordered_at: int
    updated_at: int
    status: str = "placed"
    delivered_day: int = 0
    total_eur: Decimal = field(default_factory=Decimal)

    def row(self, clock: Clock) -> tuple[object, ...]:
        return (
            self.order_id, self.customer_id, self.status, self.channel,
            clock.timestamp(self.ordered_at), clock.timestamp(self.updated_at),
        )  # fmt: skip

    def is_open(self, day: int) -> bool:
        if self.status == "delivered":
            return day - self.delivered_day < RETURN_WINDOW_DAYS
        return self.status in ORDER_MOVES


@dataclass
class ShopDay:
    """One day's export rows, and the customers who signed up (the telecom's prospects)."""

    customers: list[tuple[object, ...]]
    products: list[tuple[object, ...]]
    orders: list[tuple[object, ...]]
    order_items: list[tuple[object, ...]]
    new_customers: list[Customer]


class Shop:
    """The shop's operational state."""

    def __init__(self, config: SimulatorConfig, clock: Clock, rng: random.Random) -> None:
        """Open the shop with its catalogue, which predates day 1 (a full export shows it)."""
        self._config = config
        self._clock = clock
        self.customers: list[Customer] = []
        self._customers_created: list[int] = []  # ascending: who existed at t is a prefix
        self._products: list[Product] = []  # live products, ascending created_at
        self.deleted_products: list[Product] = []
        self.orders: list[Order] = []
        self._open_orders: list[Order] = []
        self._next_product_id = 1
        self._next_item_id = 1
        self.items_of_deleted_products = 0
        first = -CATALOGUE_AGE_DAYS * DAY_SECONDS
        for moment in sorted(rng.randrange(first, -DAY_SECONDS) for _ in range(config.products)):
            self._add_product(rng, moment)

    def simulate_day(self, day: int, rng: random.Random) -> ShopDay:
        start = self._clock.day_start(day)
        changed: dict[int, Customer] = {}
        if day > 1:
            self._delete_products(day, rng)
            self._change_prices(start, rng)
            self._change_customers(start, rng, changed)
        new_customers = self._sign_up(day, start, rng)
        changed.update((c.customer_id, c) for c in new_customers)
        for moment in self._moments(
            start, expected_count(rng, self._config.new_products_per_day), rng
        ):
            self._add_product(rng, moment)
        orders, items = self._trade(day, start, rng)

        clock = self._clock
        exported_at = clock.exported_at(day)
        return ShopDay(
            customers=[changed[key].row(clock) for key in sorted(changed)],
            products=[product.row(clock, exported_at) for product in self._products],
            orders=[order.row(clock) for order in sorted(orders, key=lambda o: o.order_id)],
            order_items=items,
            new_customers=new_customers,
        )

    @staticmethod
    def _moments(start: int, count: int, rng: random.Random) -> list[int]:
        return sorted(rng.randrange(start, start + DAY_SECONDS) for _ in range(count))

    # ---------- catalogue

    def _add_product(self, rng: random.Random, moment: int) -> None:
        category, names, (lowest, highest) = rng.choice(PRODUCT_CATEGORIES)
        price = Decimal(rng.randint(lowest, highest)) * CENT
        self._products.append(
            Product(
                product_id=self._next_product_id,
                product_name=f"{rng.choice(names)} {self._next_product_id}",
                category=category,
                created_at=moment,
                prices=[(moment, price)],
            )
        )
        self._next_product_id += 1

    def _delete_products(self, day: int, rng: random.Random) -> None:
        """Deletions happen at the day's midnight, before anything else that day."""
        live: list[Product] = []
        for product in self._products:
            if rng.random() < self._config.product_deletion_rate:
                product.deleted_day = day
                self.deleted_products.append(product)
            else:
                live.append(product)
        self._products = live

    def _change_prices(self, start: int, rng: random.Random) -> None:
        for product in self._products:
            if rng.random() < self._config.product_price_change_rate:
                old = product.prices[-1][1]
                new = max(CENT, (old * Decimal(rng.randint(80, 120)) / 100).quantize(CENT))
                if new == old:
                    new += CENT
                product.prices.append((rng.randrange(start, start + DAY_SECONDS), new))

    # ---------- customers

    def _sign_up(self, day: int, start: int, rng: random.Random) -> list[Customer]:
        """Day 1 opens with the go-live base at 00:00:00; sign-ups follow every day."""
        moments = [start] * self._config.customers if day == 1 else []
        count = expected_count(rng, self._config.new_customers_per_day)
        moments += self._moments(start, count, rng)
        return [self._add_customer(rng, moment) for moment in moments]

    def _add_customer(self, rng: random.Random, moment: int) -> Customer:
        city, country_code = rng.choice(CITIES)
        customer = Customer(
            customer_id=len(self.customers) + 1,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            segment=rng.choices(SEGMENTS, SEGMENT_WEIGHTS)[0],
            city=city,
            country_code=country_code,
            created_at=moment,
            updated_at=moment,
        )
        self.customers.append(customer)
        self._customers_created.append(moment)
        return customer

    def _change_customers(
        self, start: int, rng: random.Random, changed: dict[int, Customer]
    ) -> None:
        for customer in self.customers:
            if rng.random() >= self._config.customer_change_rate:
                continue
            if rng.random() < 0.5:
                customer.city, customer.country_code = rng.choice(
                    [city for city in CITIES if city[0] != customer.city]
                )
            else:
                customer.segment = rng.choice([s for s in SEGMENTS if s != customer.segment])
            customer.updated_at = rng.randrange(start, start + DAY_SECONDS)
            changed[customer.customer_id] = customer

    # ---------- orders

    def _trade(
        self, day: int, start: int, rng: random.Random
    ) -> tuple[list[Order], list[tuple[object, ...]]]:
        """Advance open orders, place the day's orders; return touched orders and new items."""
        touched = [order for order in self._open_orders if self._advance(order, day, start, rng)]
        items: list[tuple[object, ...]] = []
        # Live products are kept in creation order, so those existing at a moment are a prefix.
        catalogue = [product.created_at for product in self._products]
        deleted_earlier = [p for p in self.deleted_products if p.deleted_day < day]
        for ordered_at in self._moments(start, self._config.orders_per_day, rng):
            order = self._place(ordered_at, catalogue, deleted_earlier, rng, items)
            self._advance(order, day, start, rng)
            touched.append(order)
            self.orders.append(order)
            self._open_orders.append(order)
        self._open_orders = [order for order in self._open_orders if order.is_open(day)]
        return touched, items

    def _place(
        self,
        ordered_at: int,
        catalogue: list[int],
        deleted_earlier: list[Product],
        rng: random.Random,
        items: list[tuple[object, ...]],
    ) -> Order:
        config = self._config
        existing = bisect.bisect_right(self._customers_created, ordered_at)
        customer_id = None
        if rng.random() >= config.null_customer_rate and existing:
            customer_id = self.customers[rng.randrange(existing)].customer_id
        order = Order(
            order_id=len(self.orders) + 1,
            customer_id=customer_id,
            channel=rng.choice(("web", "app")),
            ordered_at=ordered_at,
            updated_at=ordered_at,
        )
        orderable = bisect.bisect_right(catalogue, ordered_at)
        wanted = rng.choices(*ITEMS_PER_ORDER)[0]
        created_at = self._clock.timestamp(ordered_at)
        for index in rng.sample(range(orderable), min(orderable, wanted)):
            product = self._products[index]
            if deleted_earlier and rng.random() < config.deleted_product_item_rate:
                product = rng.choice(deleted_earlier)
                self.items_of_deleted_products += 1
            quantity = rng.choices(*QUANTITIES)[0]
            price = product.price_at(ordered_at)
            items.append(
                (
                    self._next_item_id,
                    order.order_id,
                    product.product_id,
                    quantity,
                    str(price),
                    created_at,
                )
            )
            self._next_item_id += 1
            order.total_eur += quantity * price
        return order

    @staticmethod
    def _advance(order: Order, day: int, start: int, rng: random.Random) -> bool:
        """Move an order through its lifecycle within the day; True if it moved or is new."""
        last_second = start + DAY_SECONDS - 1
        moment = max(order.updated_at, start)
        moved = order.ordered_at >= start
        while order.status in ORDER_MOVES and moment < last_second:
            chance, statuses, weights = ORDER_MOVES[order.status]
            if rng.random() >= chance:
                break
            moment = rng.randint(moment + 1, last_second)
            order.status = rng.choices(statuses, weights)[0]
            order.updated_at = moment
            if order.status == "delivered":
                order.delivered_day = day
            moved = True
        return moved
