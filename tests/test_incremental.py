"""The incremental CDR models equal a full refresh, row by row, after real nights.

The session scenario (tests/conftest.py) builds its warehouse night after night with
late, duplicated, streamed (Kafka), redelivered and replayed data, every build
incremental. A copy of that warehouse is rebuilt with `--full-refresh`: every
incremental model must hold the same rows, audit columns aside. A second sandbox holds
back a night's subscriptions export: the calls it covers wait on the unknown customer,
and are re-rated the night it lands. PostgreSQL runs the same comparison in
tests/test_postgres_equality.py.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import E2E_CONFIG, Scenario, _dates
from tests.pipeline import Sandbox, dbt, deliver_days, meltano, query
from tools.simulator import generate

# The incremental models and the key of a row; the audit columns say when a run wrote
# the row and what it had seen, which a full refresh changes by design.
INCREMENTAL_MODELS = {
    "staging.stg_telecom__cdrs": ("source_row_id",),
    "staging.stg_telecom_stream__cdrs": ("source_row_id",),
    "intermediate.int_cdrs__deduplicated": ("cdr_id",),
    "intermediate.int_cdrs__rated": ("cdr_id",),
    "marts.fct_calls": ("cdr_id",),
    "marts.fct_daily_customer_usage": ("customer_id", "usage_date"),
}
AUDIT_COLUMNS = frozenset(
    {
        "dbt_updated_at",
        "file_versions_loaded_at",
        "stream_versions_loaded_at",
        "database_versions_loaded_at",
    }
)
# Everything the incremental models read, and the models themselves.
FULL_REFRESH_SELECTION = "+fct_daily_customer_usage"
UNKNOWN_CUSTOMER_ID = -1


@dataclass(frozen=True)
class Difference:
    """Rows of one model only one of two warehouses holds (as a multiset)."""

    relation: str
    rows: int
    only_incremental: list[tuple]
    only_full_refresh: list[tuple]


def compared_columns(warehouse: Path, relation: str) -> list[str]:
    schema, table = relation.split(".")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = connection.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    return [name for (name,) in names if name not in AUDIT_COLUMNS]


def differences(incremental: Path, full_refresh: Path, relation: str) -> Difference:
    """Both directions of `except all` over every column but the audit columns."""
    columns = ", ".join(compared_columns(incremental, relation))
    with duckdb.connect() as connection:
        connection.execute(f"attach '{incremental}' as incremental (read_only)")
        connection.execute(f"attach '{full_refresh}' as full_refresh (read_only)")

        def only_in(left: str, right: str) -> list[tuple]:
            return connection.execute(
                f"select {columns} from {left}.{relation} "
                f"except all select {columns} from {right}.{relation} limit 5"
            ).fetchall()

        (rows,) = connection.execute(f"select count(*) from incremental.{relation}").fetchone()
        return Difference(
            relation=relation,
            rows=rows,
            only_incremental=only_in("incremental", "full_refresh"),
            only_full_refresh=only_in("full_refresh", "incremental"),
        )


def full_refresh_copy(sandbox: Sandbox, root: Path) -> Sandbox:
    """A copy of the sandbox's warehouse with the CDR chain rebuilt from all history."""
    copy = Sandbox(root)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(sandbox.warehouse, copy.warehouse)
    dbt(copy, "run", "--full-refresh", "--select", FULL_REFRESH_SELECTION)
    return copy


def assert_model_equal(incremental: Sandbox, full_refresh: Sandbox, relation: str) -> None:
    difference = differences(incremental.warehouse, full_refresh.warehouse, relation)
    assert difference.rows, f"{relation} is empty: the comparison would prove nothing"
    assert not difference.only_incremental and not difference.only_full_refresh, difference


# ---------------------------------------------------------------- the session scenario


@pytest.fixture(scope="module")
def scenario_full_refresh(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return full_refresh_copy(scenario.sandbox, tmp_path_factory.mktemp("full_refresh"))


def test_scenario_was_built_incrementally(scenario: Scenario) -> None:
    # Calls kept from earlier nights carry their night's run time: the tables were
    # appended to, not rebuilt (a table materialization would give one time only).
    for relation in ("intermediate.int_cdrs__deduplicated", "marts.fct_calls"):
        (runs,) = query(scenario.sandbox, f"select count(distinct dbt_updated_at) from {relation}")[
            0
        ]
        assert runs > 1, relation


@pytest.mark.parametrize("relation", sorted(INCREMENTAL_MODELS))
def test_incremental_model_equals_full_refresh(
    scenario: Scenario, scenario_full_refresh: Sandbox, relation: str
) -> None:
    assert_model_equal(scenario.sandbox, scenario_full_refresh, relation)


def test_reading_every_landing_again_appends_nothing(
    scenario: Scenario, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The overlap re-reads rows the CDR staging models hold (a landing that committed
    # late); here it spans all history, and every row read again must be recognised.
    copy = Sandbox(tmp_path_factory.mktemp("overlap"))
    shutil.copy2(scenario.sandbox.warehouse, copy.warehouse)
    staging = ("staging.stg_telecom__cdrs", "staging.stg_telecom_stream__cdrs")
    before = {
        relation: query(copy, f"select count(*) from {relation}")[0][0] for relation in staging
    }
    dbt(
        copy, "run", "--select", "stg_telecom__cdrs", "stg_telecom_stream__cdrs",
        "--vars", "{landing_overlap_hours: 1000000}",
    )  # fmt: skip
    for relation in staging:
        assert before[relation] > 0, relation
        assert query(copy, f"select count(*) from {relation}")[0][0] == before[relation], relation
        assert_model_equal(copy, scenario.sandbox, relation)


@pytest.mark.parametrize("relation", sorted(INCREMENTAL_MODELS))
def test_incremental_model_key_is_unique(scenario: Scenario, relation: str) -> None:
    key = ", ".join(INCREMENTAL_MODELS[relation])
    (duplicated,) = query(
        scenario.sandbox,
        f"select count(*) from (select {key} from {relation} group by {key} having count(*) > 1)",
    )[0]
    assert duplicated == 0


# ---------------------------------------------------------------- a late subscription


@dataclass(frozen=True)
class LateSubscription:
    sandbox: Sandbox
    # msisdns whose first subscription version is in the withheld export.
    msisdns: frozenset[str]
    before: dict[str, tuple[int, int]]
    after: dict[str, tuple[int, int]]
    full_refresh: Sandbox


def _msisdns(export: Path) -> set[str]:
    with export.open(newline="") as handle:
        return {row["msisdn"] for row in csv.DictReader(handle)}


def _calls_per_msisdn(sandbox: Sandbox, msisdns: frozenset[str]) -> dict[str, tuple[int, int]]:
    """Per msisdn: calls on the unknown customer, and rated calls."""
    listed = ", ".join(f"'{msisdn}'" for msisdn in sorted(msisdns))
    rows = query(
        sandbox,
        "select msisdn, "
        f"count(*) filter (where customer_id = {UNKNOWN_CUSTOMER_ID}), "
        "count(*) filter (where is_rated) "
        f"from marts.fct_calls where msisdn in ({listed}) group by msisdn",
    )
    return {msisdn: (unknown, rated) for msisdn, unknown, rated in rows}


@pytest.fixture(scope="module")
def late_subscription(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LateSubscription]:
    root = tmp_path_factory.mktemp("late_subscription")
    generated = root / "generated"
    generate(E2E_CONFIG, generated, root / "manifest.json")
    dates = _dates(E2E_CONFIG, E2E_CONFIG.days)
    sandbox = Sandbox(root / "sandbox")

    # Night 1: days 1 and 2, without day 2's subscriptions export.
    withheld = generated / "telecom_subscriptions" / f"telecom_subscriptions_{dates[1]}.csv"
    earlier = generated / "telecom_subscriptions" / f"telecom_subscriptions_{dates[0]}.csv"
    msisdns = frozenset(_msisdns(withheld) - _msisdns(earlier))
    deliver_days(generated, sandbox.inbox_dir, dates[:2])
    (sandbox.inbox_dir / "telecom_subscriptions" / withheld.name).unlink()
    meltano(sandbox, "run", "land")
    dbt(sandbox, "build")
    before = _calls_per_msisdn(sandbox, msisdns)

    # Night 2: day 3, and day 2's subscriptions export a night late.
    deliver_days(generated, sandbox.inbox_dir, dates[2:3])
    shutil.copy2(withheld, sandbox.inbox_dir / "telecom_subscriptions" / withheld.name)
    meltano(sandbox, "run", "land")
    dbt(sandbox, "build")
    after = _calls_per_msisdn(sandbox, msisdns)

    yield LateSubscription(
        sandbox=sandbox,
        msisdns=msisdns,
        before=before,
        after=after,
        full_refresh=full_refresh_copy(sandbox, root / "full_refresh"),
    )


def test_calls_wait_on_the_unknown_customer_until_their_subscription_lands(
    late_subscription: LateSubscription,
) -> None:
    before = late_subscription.before
    assert late_subscription.msisdns and before, "the withheld export must cover some calls"
    assert all(unknown > 0 and rated == 0 for unknown, rated in before.values()), before


def test_calls_are_rerated_the_night_their_subscription_lands(
    late_subscription: LateSubscription,
) -> None:
    after = late_subscription.after
    waiting = set(late_subscription.before)
    assert waiting <= set(after)
    assert all(after[msisdn] == (0, after[msisdn][1]) for msisdn in waiting), after
    assert all(after[msisdn][1] > 0 for msisdn in waiting), after


# The nights of this scenario come in files only: the real-time feed's staging is empty.
@pytest.mark.parametrize(
    "relation", sorted(set(INCREMENTAL_MODELS) - {"staging.stg_telecom_stream__cdrs"})
)
def test_rerated_nights_equal_full_refresh(
    late_subscription: LateSubscription, relation: str
) -> None:
    assert_model_equal(late_subscription.sandbox, late_subscription.full_refresh, relation)
