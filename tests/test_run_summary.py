"""The run summary prints aligned tables with values as a person writes them."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from extract.kafka.topics import known_topics
from tools.run_summary import format_cell, format_table, main, render

TODAY = "2026-01-03"


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A tiny warehouse, run_results.json and Kafka ground truth like `make run` leaves."""
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema marts; create schema raw")
        connection.execute(
            "create table marts.fct_orders as select * from (values"
            " (date '2026-01-01', 121307.14::decimal(18, 2)),"
            " (date '2026-01-01', 0.86::decimal(18, 2)),"
            " (date '2026-01-03', 15.5::decimal(18, 2))) as t(order_date, revenue_eur)"
        )
        connection.execute(
            "create table marts.fct_calls as select * from (values"
            " ('file', date '2026-01-02'), ('stream', date '2026-01-02'),"
            " ('stream', date '2026-01-03')) as t(delivered_via, call_date)"
        )
        connection.execute("create table marts.dim_dates as select * from range(1096)")
        for spec in known_topics().values():
            connection.execute(f"create table raw.{spec.raw_table} as select 1 as kafka_offset")
        connection.execute("create table raw.kafka_dead_letters as select 'telecom.cdr' as topic")
    run_results = tmp_path / "run_results.json"
    results = [{"unique_id": "model.telestream.a", "status": "success"}]
    results += [{"unique_id": f"test.telestream.t{i}", "status": "pass"} for i in range(1234)]
    run_results.write_text(json.dumps({"results": results}))
    truth = tmp_path / "kafka_truth.json"
    messages = dict.fromkeys(known_topics(), 1)
    truth.write_text(
        json.dumps(
            {
                "manifest": {"revenue_per_day": {"2026-01-01": "121307.14", TODAY: "15.50"}},
                "published": {"messages": messages},
            }
        )
    )
    return warehouse, run_results, truth


def _table_after(text: str, title: str) -> list[str]:
    """The lines of the table printed under `title` (up to the next blank line)."""
    lines = text.splitlines()
    start = lines.index(title) + 1
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


def test_cells_are_written_as_a_person_writes_them() -> None:
    assert format_cell(Decimal("121307.14")) == "121,307.14"
    assert format_cell(1234567) == "1,234,567"
    assert format_cell(date(2026, 1, 1)) == "2026-01-01"
    assert format_cell(None) == ""
    assert format_cell(True) == "yes"


def test_table_columns_line_up_and_numbers_align_right() -> None:
    lines = format_table(["name", "rows"], [("a", 5), ("longer name", 12345)]).splitlines()
    assert lines == [
        "  name           rows",
        "  -----------  ------",
        "  a                 5",
        "  longer name  12,345",
    ]


def test_summary_prints_aligned_tables_and_no_python_repr(
    built: tuple[Path, Path, Path],
) -> None:
    text = render(*built)
    assert not re.search(r"Decimal\(|datetime\.|\(\d|\[\(|\{'", text), text
    marts = _table_after(text, "Rows per mart")
    assert marts[0].split() == ["mart", "rows"]
    assert [line.split()[0] for line in marts[2:]] == [
        "marts.dim_dates",
        "marts.fct_calls",
        "marts.fct_orders",
    ]
    # Right-aligned counts: every line of the table ends in the same column.
    assert len({len(line) for line in marts}) == 1
    assert "1,096" in marts[2]
    tests = _table_after(text, "dbt build results")
    assert tests[-1].split() == ["test", "pass", "1,234"]
    example = text.split("Example query")[1]
    assert re.search(r"\n  2026-01-01\s+2\s+121,308\.00\n", example), example
    kafka = _table_after(text, f"Kafka speed path (today, {TODAY}, arrived only on Kafka)")
    assert kafka[0].split() == ["topic", "published", "landed", "dead", "letters"]
    assert any(line.split()[0] == "telecom.cdr" and line.split()[-1] == "1" for line in kafka)
    assert re.search(r"revenue of today's orders \(EUR\)\s+15\.50", text)


def test_main_fails_without_a_warehouse(tmp_path: Path) -> None:
    assert main(["--warehouse", str(tmp_path / "missing.duckdb")]) == 1


def test_summary_shows_each_sources_freshness(
    built: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    criteria = {
        "warn_after": {"count": 26, "period": "hour"},
        "error_after": {"count": 50, "period": "hour"},
    }
    sources = tmp_path / "sources.json"
    sources.write_text(
        json.dumps(
            {
                "results": [
                    {
                        "unique_id": "source.telestream.telecom.cdrs",
                        "status": "warn",
                        "max_loaded_at": "2026-01-02T03:04:05.678+00:00",
                        "max_loaded_at_time_ago_in_s": 108000.0,
                        "criteria": criteria,
                    },
                    {
                        "unique_id": "source.telestream.shop.orders",
                        "status": "error",
                        "max_loaded_at": "0001-01-01T00:00:00+00:00",
                        "max_loaded_at_time_ago_in_s": 63900000000.0,
                        "criteria": criteria,
                    },
                ]
            }
        )
    )
    warehouse, run_results, truth = built
    text = render(warehouse, run_results, truth, sources)
    assert not re.search(r"datetime\.|\{'|None", text), text
    table = _table_after(text, "Source freshness")
    assert table[0].split() == [
        *("source", "status", "last", "landed", "(UTC)"),
        *("age", "(h)", "warn", "after", "error", "after"),
    ]
    assert table[2].split() == ["shop.orders", "error", "never", "26", "hour", "50", "hour"]
    assert table[3].split() == [
        *("telecom.cdrs", "warn", "2026-01-02", "03:04:05+00:00"),
        *("30.00", "26", "hour", "50", "hour"),
    ]
    assert len({len(line) for line in table[:2]}) == 1
