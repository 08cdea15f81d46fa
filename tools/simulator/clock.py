"""The simulated calendar.

Moments are whole seconds since `start_date 00:00:00` (negative before day 1): integer
comparisons are cheap in the CDR loop, exact, and turn into the contract's text format
only when a row is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAY_SECONDS = 86_400
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Clock:
    """Converts day numbers (1..N) and second offsets into dates and timestamps."""

    start_date: date

    def date_of(self, day: int) -> date:
        return self.start_date + timedelta(days=day - 1)

    @staticmethod
    def day_start(day: int) -> int:
        return (day - 1) * DAY_SECONDS

    def timestamp(self, moment: int) -> str:
        """`YYYY-MM-DD HH:MM:SS`, UTC without zone, as the contract writes every timestamp."""
        midnight = datetime.combine(self.start_date, time.min)
        return (midnight + timedelta(seconds=moment)).strftime(TIMESTAMP_FORMAT)

    def exported_at(self, day: int) -> str:
        """Full exports are stamped with the midnight that ends their day."""
        return self.timestamp(day * DAY_SECONDS)


def time_of_day_texts() -> list[str]:
    """`HH:MM:SS` for every second of a day, so the CDR loop indexes instead of formatting."""
    return [
        f"{hour:02d}:{minute:02d}:{second:02d}"
        for hour in range(24)
        for minute in range(60)
        for second in range(60)
    ]
