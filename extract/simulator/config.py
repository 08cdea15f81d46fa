"""The knobs of the source simulator: scale, calendar and defect rates."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything that decides what the simulator writes; the same config and seed give
    the same files, byte for byte."""

    seed: int = 42
    days: int = 14
    start_date: date = date(2026, 1, 1)

    # Scale
    customers: int = 500
    new_customers_per_day: int = 4
    products: int = 120
    plans: int = 5
    cells: int = 40
    switches: int = 2
    calls_per_day: int = 4000
    orders_per_day: int = 120
    subscriber_share: float = 0.7

    # Daily probabilities of changes (per entity unless stated)
    customer_change_rate: float = 0.03
    subscription_change_rate: float = 0.02
    product_price_change_rate: float = 0.03
    plan_price_change_rate: float = 0.15  # per day, one plan
    product_deletion_rate: float = 0.4  # per day, one product
    new_product_rate: float = 0.3  # per day, one product
    new_subscription_rate: float = 0.5  # per day, one subscription

    # Defects (per CDR, per order, per order item)
    duplicate_cdr_rate: float = 0.02
    late_cdr_rate: float = 0.02
    malformed_timestamp_rate: float = 0.005
    non_numeric_duration_rate: float = 0.005
    negative_duration_rate: float = 0.005
    unknown_cell_rate: float = 0.005
    unknown_msisdn_rate: float = 0.005
    null_customer_order_rate: float = 0.01
    deleted_product_item_rate: float = 0.01

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"days must be >= 1, got {self.days}")
        if self.switches < 2:
            raise ValueError("switches must be >= 2: duplicates go to another switch's file")
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name.endswith("_rate") or field.name.endswith("_share"):
                if not 0.0 <= value <= 1.0:
                    raise ValueError(f"{field.name} must be within [0, 1], got {value}")

    def as_json(self) -> dict[str, object]:
        """The config as JSON-ready values, for the manifest."""
        return {
            field.name: (
                getattr(self, field.name).isoformat()
                if isinstance(getattr(self, field.name), date)
                else getattr(self, field.name)
            )
            for field in fields(self)
        }
