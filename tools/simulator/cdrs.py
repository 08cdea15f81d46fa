"""The mediation system: a day's calls become CDR files, one per switch, with defects.

This is the hot path (it must scale to tens of millions of rows), so `_write_calls` is
one flat loop: integer moments, precomputed texts, a list per record handed straight to
`csv.writer`, plain counters, and no per-call objects. Files are streamed; only late
records wait in memory for the day they are delivered on.

The random stream of a day is consumed the same way whatever the number of simulated
days; a record whose delivery day lies beyond it is drawn and then dropped, never
written and never counted.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

from tools.simulator.clock import DAY_SECONDS, Clock, time_of_day_texts
from tools.simulator.config import SimulatorConfig
from tools.simulator.manifest import UNKNOWN_CUSTOMER_ID, Manifest, UsageTotals
from tools.simulator.reference import TERMINATION_CAUSES, TerminationCause
from tools.simulator.telecom import UNKNOWN_MSISDN_PREFIX, Telecom
from tools.simulator.writer import export_path, open_export

TABLE = "telecom_cdrs"
VOICE_SHARE = 0.55
SMS_SHARE = 0.25
ROAMING_SHARE = 0.05
MEAN_VOICE_SECONDS = 110
MAX_VOICE_SECONDS = 7_200
MEAN_DATA_SECONDS = 600
MEAN_BYTES_UP = 200_000
MEAN_BYTES_DOWN = 5_000_000
BYTES_PER_MB = 1_000_000


def _cause_table(causes: Iterable[TerminationCause]) -> tuple[tuple[str, bool], ...]:
    """One entry per unit of weight, so drawing a cause is a single index."""
    return tuple((cause.code, cause.connected) for cause in causes for _ in range(cause.weight))


VOICE_CAUSES = _cause_table(TERMINATION_CAUSES)
# A data session or an sms that never connected leaves no record.
DATA_CAUSES = _cause_table(cause for cause in TERMINATION_CAUSES if cause.connected)
SMS_CAUSE = next(
    cause.code for cause in TERMINATION_CAUSES if cause.connected and not cause.is_dropped
)


class Mediation:
    """Collects the switches' records and delivers one file per switch per day."""

    def __init__(self, config: SimulatorConfig, clock: Clock) -> None:
        self._config = config
        self._clock = clock
        self.switch_ids = tuple(f"sw{number}" for number in range(1, config.switches + 1))
        # delivery day -> (switch index, record without its record_no yet)
        self._late: dict[int, list[tuple[int, list[object]]]] = {}
        self._time_texts = time_of_day_texts()

    def deliver_day(
        self, day: int, telecom: Telecom, rng: random.Random, landing_dir: Path, manifest: Manifest
    ) -> int:
        """Write the day's CDR files (late arrivals first, then the day's calls); return rows."""
        day_date = self._clock.date_of(day)
        paths = [export_path(landing_dir, TABLE, day_date, switch) for switch in self.switch_ids]
        files = [open_export(path, TABLE) for path in paths]
        writers = [writer.writerow for _, writer in files]
        counts = [0] * len(files)
        try:
            for switch, record in self._late.pop(day, ()):
                counts[switch] += 1
                record[0] = counts[switch]
                writers[switch](record)
            usage = self._write_calls(day, telecom, rng, writers, counts, manifest)
        finally:
            for handle, _ in files:
                handle.close()
        for path, count in zip(paths, counts, strict=True):
            manifest.add_file(TABLE, path.name, count)
        manifest.calls.records += sum(counts)
        manifest.add_usage(day_date, usage)
        return sum(counts)

    def _write_calls(
        self,
        day: int,
        telecom: Telecom,
        rng: random.Random,
        writers: list[Callable[[list[object]], object]],
        counts: list[int],
        manifest: Manifest,
    ) -> dict[int, UsageTotals]:
        """Generate the day's calls in start order and write or schedule each record.

        Usage is summed in lists indexed like `telecom.subscriptions` (one subscription
        per customer), which is cheaper per call than a dict of objects.
        """
        config = self._config
        last_day = config.days
        day_start = self._clock.day_start(day)
        date_text = self._clock.date_of(day).isoformat()
        compact_date = date_text.replace("-", "")
        time_texts = self._time_texts
        switch_ids = self.switch_ids
        switches = len(switch_ids)
        id_prefixes = [f"{switch}-{compact_date}-" for switch in switch_ids]
        sequences = [0] * switches
        late = self._late

        subscriptions = telecom.subscriptions
        activated_at = telecom.activated_at
        plans = {plan.plan_id: plan for plan in telecom.plans}
        cell_ids = [cell.cell_id for cell in telecom.cells]
        cell_count = len(cell_ids)
        voice_causes, voice_cause_count = VOICE_CAUSES, len(VOICE_CAUSES)
        data_causes, data_cause_count = DATA_CAUSES, len(DATA_CAUSES)

        # One uniform draw picks at most one defect; the bands follow the contract's
        # reject order so the first reason that applies is the one drawn.
        malformed_below = config.malformed_timestamp_rate
        non_numeric_below = malformed_below + config.non_numeric_duration_rate
        rejected_below = non_numeric_below + config.negative_duration_rate
        unknown_cell_below = rejected_below + config.unknown_cell_rate
        unknown_msisdn_below = unknown_cell_below + config.unknown_msisdn_rate
        late_rate = config.late_rate
        duplicate_rate = config.duplicate_rate if switches > 1 else 0.0
        voice_below = VOICE_SHARE
        sms_below = VOICE_SHARE + SMS_SHARE

        rejected = manifest.calls.rejected
        zero = Decimal(0)
        known = len(subscriptions)
        call_counts = [0] * known
        voice_seconds = [0] * known
        sms_counts = [0] * known
        data_bytes = [0] * known
        charges = [zero] * known
        stranger = UsageTotals()
        distinct_valid = duplicates = late_calls = unknown_cells = 0
        random_ = rng.random
        log = math.log
        bisect_right = bisect.bisect_right

        for second in sorted([int(random_() * DAY_SECONDS) for _ in range(config.calls_per_day)]):
            moment = day_start + second
            switch = int(random_() * switches)
            sequences[switch] += 1
            defect = random_()
            active = bisect_right(activated_at, moment)
            # Before any subscription is active, a call can only come from a stranger.
            if active and not unknown_cell_below <= defect < unknown_msisdn_below:
                caller = int(random_() * active)
                msisdn = subscriptions[caller].msisdn
            else:
                caller = -1
                msisdn = f"{UNKNOWN_MSISDN_PREFIX}{int(random_() * 100_000_000):08d}"

            # Exponential durations and volumes: -log(1 - u) * mean, inlined for speed.
            kind = random_()
            bytes_up = bytes_down = 0
            if kind < voice_below:
                call_type = "voice"
                cause, connected = voice_causes[int(random_() * voice_cause_count)]
                duration = 0
                if connected:
                    duration = int(-log(1.0 - random_()) * MEAN_VOICE_SECONDS) + 1
                    duration = min(duration, MAX_VOICE_SECONDS)
            elif kind < sms_below:
                call_type, cause, duration = "sms", SMS_CAUSE, 0
            else:
                call_type = "data"
                cause = data_causes[int(random_() * data_cause_count)][0]
                duration = int(-log(1.0 - random_()) * MEAN_DATA_SECONDS) + 1
                bytes_up = int(-log(1.0 - random_()) * MEAN_BYTES_UP)
                bytes_down = int(-log(1.0 - random_()) * MEAN_BYTES_DOWN)
            is_roaming = random_() < ROAMING_SHARE
            record: list[object] = [
                0, f"{id_prefixes[switch]}{sequences[switch]:06d}", switch_ids[switch], msisdn,
                call_type, f"{date_text} {time_texts[second]}", duration, bytes_up, bytes_down,
                cell_ids[int(random_() * cell_count)], cause, "true" if is_roaming else "false",
            ]  # fmt: skip

            if defect < rejected_below:
                # Rejected records are always on time and never duplicated.
                if defect < malformed_below:
                    record[5] = _malformed_timestamp(date_text, second, random_)
                    rejected["unparseable_started_at"] += 1
                elif defect < non_numeric_below:
                    record[6] = ("abc", f"{duration}s", "n/a")[int(random_() * 3)]
                    rejected["non_numeric_duration"] += 1
                else:
                    record[6] = -1 - int(random_() * 600)
                    rejected["negative_duration"] += 1
                counts[switch] += 1
                record[0] = counts[switch]
                writers[switch](record)
                continue
            if defect < unknown_cell_below:
                record[9] = f"CX{int(random_() * 1000):03d}"

            delivery_day = day + 1 + int(random_() * 2) if random_() < late_rate else day
            twin = -1
            if random_() < duplicate_rate:
                twin = (switch + 1 + int(random_() * (switches - 1))) % switches
            if delivery_day > last_day:
                continue

            distinct_valid += 1
            if twin >= 0:
                duplicates += 1
            if delivery_day > day:
                late_calls += 1
            if defect < unknown_cell_below:
                unknown_cells += 1
            if caller < 0:
                stranger.call_count += 1
                if call_type == "voice":
                    stranger.voice_seconds += duration
                elif call_type == "sms":
                    stranger.sms_count += 1
                else:
                    stranger.data_bytes += bytes_up + bytes_down
            else:
                # Rating with the versions valid at the call's start; most subscriptions
                # and plans did not change today, so their newest version is checked first.
                subscription = subscriptions[caller]
                valid_from, plan_id = subscription.plans[-1]
                if valid_from > moment:
                    plan_id = subscription.plan_at(moment)
                plan = plans[plan_id]
                valid_from, tariff = plan.versions[-1]
                if valid_from > moment:
                    tariff = plan.tariff_at(moment)
                call_counts[caller] += 1
                if call_type == "voice":
                    voice_seconds[caller] += duration
                    charge = (duration + 59) // 60 * tariff.price_per_minute_eur
                elif call_type == "sms":
                    sms_counts[caller] += 1
                    charge = tariff.price_per_sms_eur
                else:
                    volume = bytes_up + bytes_down
                    data_bytes[caller] += volume
                    charge = (volume + BYTES_PER_MB - 1) // BYTES_PER_MB * tariff.price_per_mb_eur
                charges[caller] += charge + charge if is_roaming else charge

            if delivery_day == day:
                counts[switch] += 1
                record[0] = counts[switch]
                writers[switch](record)
                if twin >= 0:
                    counts[twin] += 1
                    record[0] = counts[twin]
                    writers[twin](record)
            else:
                scheduled = late.setdefault(delivery_day, [])
                scheduled.append((switch, record))
                if twin >= 0:
                    scheduled.append((twin, record))

        calls = manifest.calls
        calls.distinct_valid += distinct_valid
        calls.duplicates += duplicates
        calls.late += late_calls
        calls.unknown_cell += unknown_cells
        calls.unknown_msisdn += stranger.call_count
        usage = {
            subscriptions[index].customer_id: UsageTotals(
                count, voice_seconds[index], sms_counts[index], data_bytes[index], charges[index]
            )
            for index, count in enumerate(call_counts)
            if count
        }
        if stranger.call_count:
            usage[UNKNOWN_CUSTOMER_ID] = stranger
        return usage


def _malformed_timestamp(date_text: str, second: int, random_: Callable[[], float]) -> str:
    """A started_at no `YYYY-MM-DD HH:MM:SS` parser accepts, in the shapes switches botch."""
    hour, minute = divmod(second // 60, 60)
    year, month, day = date_text.split("-")
    shapes = (
        f"{date_text}T{hour + 24}:{minute + 60}",
        "yesterday",
        f"{day}.{month}.{year} {hour:02d}:{minute:02d}",
        f"{date_text} {hour:02d}:{minute:02d}",
    )
    return shapes[int(random_() * len(shapes))]
