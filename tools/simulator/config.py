"""Every knob of the source simulator, in one immutable place.

The CLI builds its flags from these fields (their `help` metadata), and the manifest
echoes them, so a knob added here is automatically settable and recorded.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

# The call defects are drawn from one uniform number, so their rates must fit into 1.
CALL_DEFECT_RATES = (
    "malformed_timestamp_rate",
    "non_numeric_duration_rate",
    "negative_duration_rate",
    "unknown_cell_rate",
    "unknown_msisdn_rate",
)


@dataclass(frozen=True)
class SimulatorConfig:
    """What the simulator writes is a pure function of this config (and nothing else)."""

    seed: int = field(default=42, metadata={"help": "seed of every random stream"})
    days: int = field(default=14, metadata={"help": "days to simulate (day 1 is --start-date)"})
    start_date: date = field(
        default=date(2026, 1, 1), metadata={"help": "date of day 1 (YYYY-MM-DD)"}
    )

    # Scale
    customers: int = field(default=500, metadata={"help": "customers at go-live (day 1 00:00:00)"})
    new_customers_per_day: float = field(
        default=5.0, metadata={"help": "mean customer sign-ups per day"}
    )
    products: int = field(default=120, metadata={"help": "products in the catalogue before day 1"})
    new_products_per_day: float = field(default=0.5, metadata={"help": "mean new products per day"})
    plans: int = field(default=5, metadata={"help": "service plans (all exist before day 1)"})
    cells: int = field(default=40, metadata={"help": "radio cells"})
    switches: int = field(
        default=2, metadata={"help": "switches, each delivering one CDR file a day"}
    )
    calls_per_day: int = field(default=4000, metadata={"help": "calls started per day"})
    orders_per_day: int = field(default=120, metadata={"help": "orders placed per day"})
    subscriber_share: float = field(
        default=0.7, metadata={"help": "share of customers who subscribe to a plan"}
    )

    # Changes: daily probability per existing entity
    customer_change_rate: float = field(
        default=0.01, metadata={"help": "daily chance that a customer changes city or segment"}
    )
    product_price_change_rate: float = field(
        default=0.03, metadata={"help": "daily chance that a product changes its price"}
    )
    product_deletion_rate: float = field(
        default=0.006, metadata={"help": "daily chance that a product is deleted (from day 2)"}
    )
    plan_price_change_rate: float = field(
        default=0.05, metadata={"help": "daily chance that a plan changes its prices"}
    )
    subscription_change_rate: float = field(
        default=0.01, metadata={"help": "daily chance that a subscription changes plan"}
    )

    # Defects
    duplicate_rate: float = field(
        default=0.02, metadata={"help": "share of valid CDRs also sent by another switch"}
    )
    late_rate: float = field(
        default=0.02, metadata={"help": "share of valid CDRs delivered 1-2 days late"}
    )
    malformed_timestamp_rate: float = field(
        default=0.005, metadata={"help": "share of CDRs with an unparseable started_at"}
    )
    non_numeric_duration_rate: float = field(
        default=0.005, metadata={"help": "share of CDRs with a non-integer duration_s"}
    )
    negative_duration_rate: float = field(
        default=0.005, metadata={"help": "share of CDRs with duration_s < 0"}
    )
    unknown_cell_rate: float = field(
        default=0.005, metadata={"help": "share of CDRs naming a cell no export has"}
    )
    unknown_msisdn_rate: float = field(
        default=0.005, metadata={"help": "share of CDRs from an msisdn no subscription had"}
    )
    null_customer_rate: float = field(
        default=0.01, metadata={"help": "share of orders with an empty customer_id"}
    )
    deleted_product_item_rate: float = field(
        default=0.01, metadata={"help": "share of items naming a product deleted earlier"}
    )

    def __post_init__(self) -> None:
        for name in ("days", "plans", "cells", "switches"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        for knob in fields(self):
            value = getattr(self, knob.name)
            if knob.type in ("int", "float") and value < 0:
                raise ValueError(f"{knob.name} must be >= 0, got {value}")
            if knob.name.endswith(("_rate", "_share")) and not 0.0 <= value <= 1.0:
                raise ValueError(f"{knob.name} must be within [0, 1], got {value}")
        if sum(getattr(self, name) for name in CALL_DEFECT_RATES) > 1.0:
            raise ValueError(f"the sum of {', '.join(CALL_DEFECT_RATES)} must be <= 1")

    def as_json(self) -> dict[str, Any]:
        """The config as JSON values, for the manifest."""
        values = {knob.name: getattr(self, knob.name) for knob in fields(self)}
        return {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in values.items()
        }


_PARSERS: dict[str, Callable[[str], Any]] = {
    "int": int,
    "float": float,
    "date": date.fromisoformat,
}


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per `SimulatorConfig` field (built from the dataclass, so none is forgotten)."""
    for knob in fields(SimulatorConfig):
        parser.add_argument(
            f"--{knob.name.replace('_', '-')}",
            type=_PARSERS[str(knob.type)],
            default=knob.default,
            help=knob.metadata["help"],
        )


def config_from_flags(args: argparse.Namespace) -> SimulatorConfig:
    return SimulatorConfig(
        **{knob.name: getattr(args, knob.name) for knob in fields(SimulatorConfig)}
    )
