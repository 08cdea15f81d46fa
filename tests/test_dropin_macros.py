"""The macros and generic tests named after dbt_utils and dbt_expectations are drop-in.

A tiny dbt project in a temporary folder uses this project's `macros/` and
`tests/generic/` on a few seeds, on DuckDB and on a throwaway PostgreSQL cluster: each
macro returns the columns and rows the package's macro of the same name returns, and
each generic test fails exactly the rows the package's test fails (its `failures`).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from tests.pipeline import BIN, PROJECT_ROOT
from tests.postgres_fixtures import require_postgres
from tools.postgres_cluster import throwaway_cluster

SCHEMA = "dropin"

SEEDS = {
    "versions": "id,version,note\n1,1,first\n1,2,\n2,1,\n3,1,only\n",
    # Per group: a contiguous, gapped, overlapping, zero-length and open-ended history.
    "ranges": textwrap.dedent("""\
        group_id,lower_value,upper_value
        contiguous,1,3
        contiguous,3,5
        gapped,1,3
        gapped,4,6
        overlapping,1,4
        overlapping,3,6
        zero_length,2,2
        open_ended,1,
        """),
    "amounts": "id,amount,kind\n1,0,x\n2,5,x\n3,10,y\n4,,x\n5,-1,y\n",
    "codes": "id,code\n1,AB12\n2,ab12\n3,XY\n4,\n",
    "pairs": "a,b\n1,1\n1,1\n1,2\n2,1\n",
}

MODELS = {
    "deduplicated_cte": """
        with versions as (select * from {{ ref('versions') }}),
        latest as ({{ deduplicate('versions', 'id', 'version desc') }})
        select * from latest
    """,
    "deduplicated_relation": "{{ deduplicate(ref('versions'), 'id', 'version desc') }}",
    "surrogate_keys": """
        select id, {{ generate_surrogate_key(['id', 'note']) }} as key
        from {{ ref('versions') }}
    """,
    "series": "{{ generate_series(5) }}",
    "spine_days": """{{ date_spine('day', "cast('2026-01-30' as date)",
        "cast('2026-02-02' as date)") }}""",
    "spine_months": """{{ date_spine('month', "cast('2026-01-01' as date)",
        "cast('2026-04-01' as date)") }}""",
}


def _test(name: str, test: str, **arguments: Any) -> dict[str, Any]:
    # Failing rows are stored so that their columns can be compared with the package's.
    config = {"severity": "warn", "store_failures": True}
    return {test: {"name": name, "arguments": arguments, "config": config}}


def _ranges(name: str, **arguments: Any) -> dict[str, Any]:
    return _test(
        name,
        "mutually_exclusive_ranges",
        lower_bound_column="lower_value",
        upper_bound_column="upper_value",
        partition_by="group_id",
        **arguments,
    )


def _column(name: str, tests: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "data_tests": tests}


SEED_TESTS = {
    "ranges": [
        _ranges("ranges_gaps_allowed"),
        _ranges("ranges_gaps_not_allowed", gaps="not_allowed"),
        _ranges("ranges_gaps_required", gaps="required"),
        _ranges("ranges_zero_length_allowed", zero_length_range_allowed=True),
    ],
    "pairs": [
        _test(
            "pairs_unique_a_b", "unique_combination_of_columns", combination_of_columns=["a", "b"]
        ),
        _test("pairs_unique_a", "unique_combination_of_columns", combination_of_columns=["a"]),
        _test(
            "pairs_unique_quoted",
            "unique_combination_of_columns",
            combination_of_columns=["a", "b"],
            quote_columns=True,
        ),
    ],
}
COLUMN_TESTS = {
    "amounts": _column(
        "amount",
        [
            _test(
                "amount_between", "expect_column_values_to_be_between", min_value=0, max_value=10
            ),
            _test(
                "amount_strictly_between",
                "expect_column_values_to_be_between",
                min_value=0,
                max_value=10,
                strictly=True,
            ),
            _test("amount_at_most", "expect_column_values_to_be_between", max_value=4),
            _test(
                "amount_between_where_x",
                "expect_column_values_to_be_between",
                min_value=1,
                row_condition="kind = 'x'",
            ),
        ],
    ),
    "codes": _column(
        "code",
        [
            _test(
                "code_full_match", "expect_column_values_to_match_regex", regex="^[A-Z]{2}[0-9]{2}$"
            ),
            _test(
                "code_case_insensitive",
                "expect_column_values_to_match_regex",
                regex="^[A-Z]{2}[0-9]{2}$",
                flags="i",
            ),
            _test("code_search", "expect_column_values_to_match_regex", regex="[0-9]"),
            _test(
                "code_raw_where",
                "expect_column_values_to_match_regex",
                regex="^[A-Z]",
                is_raw=True,
                row_condition="id <> 2",
            ),
        ],
    ),
}

# What dbt_utils and dbt_expectations report for the same seeds (worked out by hand
# from their definitions, see the comments).
EXPECTED_FAILURES = {
    # overlapping, zero_length and open_ended (a null upper bound fails in dbt_utils).
    "ranges_gaps_allowed": 3,
    # ... and the gap.
    "ranges_gaps_not_allowed": 4,
    # ... the contiguous pair instead of the gap.
    "ranges_gaps_required": 4,
    "ranges_zero_length_allowed": 2,
    "pairs_unique_a_b": 1,
    "pairs_unique_a": 1,
    "pairs_unique_quoted": 1,
    # -1 (a null passes).
    "amount_between": 1,
    # 0, 10 and -1.
    "amount_strictly_between": 3,
    # 5 and 10.
    "amount_at_most": 2,
    # kind x: 0 fails, 5 passes, null passes.
    "amount_between_where_x": 1,
    # ab12 and XY (a null passes).
    "code_full_match": 2,
    # XY only.
    "code_case_insensitive": 1,
    # a search, not a full match: XY has no digit.
    "code_search": 1,
    # AB12 and XY start upper case; ab12 is excluded by the condition.
    "code_raw_where": 0,
}


@dataclass(frozen=True)
class Fixture:
    """The built fixture project: the test results and a way to query its schema."""

    failures: dict[str, int]
    query: Callable[[str], list[tuple[Any, ...]]]
    columns: Callable[..., list[str]]


def _write_project(root: Path, profile: dict[str, Any]) -> None:
    (root / "macros").symlink_to(PROJECT_ROOT / "macros")
    (root / "generic_tests").symlink_to(PROJECT_ROOT / "tests" / "generic")
    (root / "dbt_project.yml").write_text(
        json.dumps(
            {
                "name": "telestream",
                "version": "0.1.0",
                "config-version": 2,
                "profile": "dropin",
                "model-paths": ["models"],
                "seed-paths": ["seeds"],
                "macro-paths": ["macros", "generic_tests"],
                "models": {"telestream": {"+materialized": "table"}},
            }
        )
    )
    (root / "profiles.yml").write_text(
        json.dumps({"dropin": {"target": "fixture", "outputs": {"fixture": profile}}})
    )
    (root / "seeds").mkdir()
    for name, csv in SEEDS.items():
        (root / "seeds" / f"{name}.csv").write_text(csv)
    seeds = [{"name": name, "data_tests": tests} for name, tests in SEED_TESTS.items()]
    seeds += [{"name": name, "columns": [column]} for name, column in COLUMN_TESTS.items()]
    (root / "seeds" / "_seeds.yml").write_text(json.dumps({"version": 2, "seeds": seeds}))
    (root / "models").mkdir()
    for name, sql in MODELS.items():
        (root / "models" / f"{name}.sql").write_text(textwrap.dedent(sql))


def _build(root: Path) -> dict[str, int]:
    result = subprocess.run(
        [str(BIN / "dbt"), "build", "--project-dir", str(root), "--profiles-dir", str(root)],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    run_results = json.loads((root / "target" / "run_results.json").read_text())["results"]
    return {
        result["unique_id"].split(".")[2]: result["failures"]
        for result in run_results
        if result["unique_id"].startswith("test.")
    }


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def fixture(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fixture]:
    root = tmp_path_factory.mktemp(f"dropin_{request.param}")
    if request.param == "duckdb":
        path = root / "fixture.duckdb"
        _write_project(root, {"type": "duckdb", "path": str(path), "schema": SCHEMA, "threads": 2})
        failures = _build(root)

        def query(sql: str) -> list[tuple[Any, ...]]:
            with duckdb.connect(str(path), read_only=True) as connection:
                return connection.execute(sql).fetchall()

        yield Fixture(failures, query, lambda *names: _columns(query, *names))
        return
    require_postgres()
    with throwaway_cluster() as cluster:
        profile = {
            "type": "postgres",
            "host": cluster.host,
            "port": cluster.port,
            "user": cluster.superuser,
            "password": "",
            "dbname": "postgres",
            "schema": SCHEMA,
            "threads": 2,
        }
        _write_project(root, profile)
        failures = _build(root)

        def pg_query(sql: str) -> list[tuple[Any, ...]]:
            with psycopg.connect(cluster.dsn()) as connection:
                return connection.execute(sql).fetchall()

        yield Fixture(failures, pg_query, lambda *names: _columns(pg_query, *names))


def _columns(
    query: Callable[[str], list[tuple[Any, ...]]], table: str, schema: str = SCHEMA
) -> list[str]:
    rows = query(
        "select column_name from information_schema.columns"
        f" where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position"
    )
    return [name for (name,) in rows]


@pytest.mark.parametrize("model", ["deduplicated_cte", "deduplicated_relation"])
def test_deduplicate_keeps_the_first_row_and_only_the_relations_columns(
    fixture: Fixture, model: str
) -> None:
    assert fixture.columns(model) == ["id", "version", "note"]
    rows = fixture.query(f"select id, version, note from {SCHEMA}.{model} order by id")
    # Rows with a null are kept (dbt_utils' natural-join default would lose them).
    assert rows == [(1, 2, None), (2, 1, None), (3, 1, "only")]


def test_generate_surrogate_key_is_dbt_utils_md5(fixture: Fixture) -> None:
    assert fixture.columns("surrogate_keys") == ["id", "key"]
    keys = dict(fixture.query(f"select id, key from {SCHEMA}.surrogate_keys where id = 3"))
    assert keys[3] == hashlib.md5(b"3-only").hexdigest()
    null_key = fixture.query(f"select key from {SCHEMA}.surrogate_keys where id = 2")[0][0]
    assert null_key == hashlib.md5(b"2-_dbt_utils_surrogate_key_null_").hexdigest()


def test_generate_series_counts_from_one(fixture: Fixture) -> None:
    assert fixture.columns("series") == ["generated_number"]
    rows = fixture.query(f"select generated_number from {SCHEMA}.series order by 1")
    assert [n for (n,) in rows] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("model", "column", "expected"),
    [
        ("spine_days", "date_day", [date(2026, 1, 30), date(2026, 1, 31), date(2026, 2, 1)]),
        ("spine_months", "date_month", [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]),
    ],
)
def test_date_spine_excludes_the_end_date(
    fixture: Fixture, model: str, column: str, expected: list[date]
) -> None:
    assert fixture.columns(model) == [column]
    rows = fixture.query(f"select cast({column} as date) from {SCHEMA}.{model} order by 1")
    assert [day for (day,) in rows] == expected


def test_generic_tests_fail_the_rows_the_packages_fail(fixture: Fixture) -> None:
    assert fixture.failures == EXPECTED_FAILURES


@pytest.mark.parametrize(
    ("test", "columns"),
    [
        ("pairs_unique_a_b", ["a", "b"]),
        (
            "ranges_gaps_not_allowed",
            [
                "partition_by_col",
                "lower_bound",
                "upper_bound",
                "next_lower_bound",
                "is_last_record",
                "lower_bound_less_than_upper_bound",
                "upper_bound_equal_to_next_lower_bound",
            ],
        ),
        ("amount_between", ["expression"]),
        ("code_full_match", ["expression"]),
    ],
)
def test_generic_tests_store_the_packages_failing_columns(
    fixture: Fixture, test: str, columns: list[str]
) -> None:
    assert fixture.columns(test, "dbt_test__audit") == columns
