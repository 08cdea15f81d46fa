"""A throwaway PostgreSQL warehouse for the tests, and the pipeline pointed at it.

The cluster is started from the machine's own binaries (tools/postgres_cluster.py).
Without them the PostgreSQL tests skip with the reason, except under CI (`CI=true`),
where `make test` installs them and a missing server is a failure, never a silent skip.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from tests.pipeline import BIN, PROJECT_ROOT, Sandbox, run_command
from tools.postgres_cluster import (
    PostgresCluster,
    PostgresUnavailableError,
    WarehouseRoles,
    find_bindir,
    prepare_warehouse,
    throwaway_cluster,
    warehouse_env,
)

log = logging.getLogger(__name__)

WAREHOUSE_DB = "warehouse"
# The owner of everything Meltano and dbt write: a login role with no superuser
# powers, as in production, so that grants are tested as they would behave there.
LOADER_ROLE = "telestream"
LOADER_PASSWORD = "telestream-test"
ANALYST_ROLE = "analyst"
ANALYST_PASSWORD = "analyst-test"


def is_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@dataclass(frozen=True)
class PostgresWarehouse:
    """A running cluster with an empty warehouse database and its roles."""

    cluster: PostgresCluster

    def connect(
        self, user: str = LOADER_ROLE, password: str = LOADER_PASSWORD
    ) -> psycopg.Connection:
        return psycopg.connect(
            host=self.cluster.host,
            port=self.cluster.port,
            dbname=WAREHOUSE_DB,
            user=user,
            password=password,
            autocommit=True,
        )

    def env(self) -> dict[str, str]:
        """The TELESTREAM_PG_* variables target-postgres and the dbt profile read."""
        return warehouse_env(self.cluster, ROLES)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with self.connect() as connection:
            return connection.execute(sql).fetchall()


ROLES = WarehouseRoles(
    database=WAREHOUSE_DB,
    loader=LOADER_ROLE,
    loader_password=LOADER_PASSWORD,
    analyst=ANALYST_ROLE,
    analyst_password=ANALYST_PASSWORD,
)


def _prepare(cluster: PostgresCluster) -> PostgresWarehouse:
    prepare_warehouse(cluster, ROLES)
    return PostgresWarehouse(cluster)


def require_postgres() -> None:
    """Skip the calling test without PostgreSQL server binaries; under CI, fail it."""
    try:
        find_bindir()
    except PostgresUnavailableError as error:
        if is_ci():
            pytest.fail(f"CI=true and no PostgreSQL to test against: {error}")
        pytest.skip(f"PostgreSQL tests skipped: {error}")


@pytest.fixture(scope="session")
def postgres_warehouse() -> Iterator[PostgresWarehouse]:
    require_postgres()
    with throwaway_cluster() as cluster:
        yield _prepare(cluster)


@dataclass(frozen=True)
class PostgresSandbox(Sandbox):
    """A pipeline sandbox whose warehouse is the PostgreSQL database."""

    warehouse_env: tuple[tuple[str, str], ...] = ()

    def env(self) -> dict[str, str]:
        env = super().env()
        env.update(dict(self.warehouse_env))
        return env


def meltano_prod(sandbox: PostgresSandbox, *args: str) -> None:
    run_command([str(BIN / "meltano"), "--environment", "prod", *args], sandbox)


def dbt_postgres(sandbox: PostgresSandbox, *args: str) -> None:
    run_command(
        [str(BIN / "dbt"), *args, "--profiles-dir", str(PROJECT_ROOT), "--target", "postgres"],
        sandbox,
    )
