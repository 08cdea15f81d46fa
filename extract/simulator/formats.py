"""How values are written in the export files (the contract's text formats)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

CENT = Decimal("0.01")
TARIFF_PLACES = Decimal("0.0001")


def ts(moment: datetime) -> str:
    """`YYYY-MM-DD HH:MM:SS`, UTC, no zone."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def money(amount: Decimal, places: Decimal = CENT) -> str:
    return str(amount.quantize(places))


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min)
