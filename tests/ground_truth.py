"""Expectations derived from the simulator's ground truth that more than one suite uses."""

from __future__ import annotations

from typing import Any


def nonzero(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Per-table counts without the zero entries (the marts have no rows for them)."""
    return {
        table: {reason: n for reason, n in reasons.items() if n}
        for table, reasons in counts.items()
        if any(reasons.values())
    }


def expected_rejected_rows(
    manifest: dict[str, Any], kafka_truth: dict[str, Any] | None, file_days: int | None
) -> dict[str, dict[str, int]]:
    """Rejects per source table and reason. Files only: the manifest's. With the Kafka
    path, the CDR drops of the first `file_days` days came as files and the feed has its
    own rejects: a bad record both filed and streamed is quarantined once per delivery."""
    if kafka_truth is None or file_days is None:
        return nonzero(manifest["rejected_rows"])
    deliveries = manifest["cdr_deliveries"]
    filed = sorted(deliveries)[:file_days]
    reasons = manifest["rejected_rows"]["telecom_cdrs"]
    return nonzero(
        {
            "telecom_cdrs": {
                reason: sum(deliveries[day]["rejected"][reason] for day in filed)
                for reason in reasons
            },
            "telecom_stream_cdrs": kafka_truth["stream_cdrs"]["rejected"],
        }
    )
