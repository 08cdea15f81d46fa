"""A throwaway PostgreSQL cluster, started from the machine's own binaries.

The tests build in one; `make run TARGET=postgres` without `TELESTREAM_PG_HOST` runs the
production job in one, so production can be tried on a laptop. CLI:
`python -m tools.postgres_cluster [--keep] -- COMMAND...` starts a cluster with the
warehouse database and its roles, runs COMMAND with the `TELESTREAM_PG_*` variables
pointing at it, prints how to connect with psql, and stops the cluster when COMMAND
ends (unless `--keep`).

`initdb` refuses to run as root (CI runs as root), so when the caller is root the
cluster is owned by, and run as, the `postgres` system user. The cluster listens on a
free port on 127.0.0.1 only and is deleted when stopped.
"""

from __future__ import annotations

import argparse
import logging
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tools.ports import free_port

log = logging.getLogger(__name__)

SEARCH_DIRS = ("/usr/lib/postgresql",)


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bindir() -> Path:
    """The folder holding initdb, pg_ctl and postgres (newest major version first)."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    for root in SEARCH_DIRS:
        if Path(root).is_dir():
            versions = sorted(Path(root).iterdir(), key=lambda p: p.name, reverse=True)
            candidates += [version / "bin" for version in versions]
    for bindir in candidates:
        if all((bindir / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    raise PostgresUnavailableError(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; "
        "install Debian's postgresql package (make test does this under CI)"
    )


@dataclass(frozen=True)
class PostgresCluster:
    """Connection facts of a running throwaway cluster."""

    host: str
    port: int
    superuser: str
    data_dir: Path

    def dsn(self, dbname: str = "postgres", user: str | None = None, password: str = "") -> str:
        auth = f"{user or self.superuser}:{password}@" if password else f"{user or self.superuser}@"
        return f"postgresql://{auth}{self.host}:{self.port}/{dbname}"


def _run_as_owner(args: list[str], owner: str | None) -> None:
    command = ["runuser", "-u", owner, "--", *args] if owner else args
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {result.stdout}\n{result.stderr}")


@contextmanager
def throwaway_cluster(
    settings: dict[str, str] | None = None, keep: bool = False
) -> Iterator[PostgresCluster]:
    """Start a fresh cluster; stop and delete it on exit, unless `keep`."""
    bindir = find_bindir()
    owner = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="telestream-pg-"))
    data_dir, socket_dir = base / "data", base / "sockets"
    socket_dir.mkdir()
    if owner:
        account = pwd.getpwnam(owner)
        for path in (base, socket_dir):
            os.chown(path, account.pw_uid, account.pw_gid)
    superuser = owner or pwd.getpwuid(os.geteuid()).pw_name
    port = free_port()
    options = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": str(socket_dir),
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        **(settings or {}),
    }
    option_args = " ".join(f"-c {key}={value}" for key, value in options.items())
    _run_as_owner(
        [
            str(bindir / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            superuser,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
        ],
        owner,
    )
    _run_as_owner(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data_dir),
            "-o",
            option_args,
            "-l",
            str(base / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        owner,
    )
    log.info("PostgreSQL %s started on 127.0.0.1:%d (%s)", bindir.parent.name, port, data_dir)
    stop = [str(bindir / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop"]
    try:
        yield PostgresCluster("127.0.0.1", port, superuser, data_dir)
    finally:
        if keep:
            owner_prefix = f"runuser -u {owner} -- " if owner else ""
            log.info(
                "PostgreSQL kept running; stop and delete it with: %s%s && rm -rf %s",
                owner_prefix,
                " ".join(stop),
                base,
            )
        else:
            _run_as_owner(stop, owner)
            shutil.rmtree(base, ignore_errors=True)


@dataclass(frozen=True)
class WarehouseRoles:
    """The warehouse database and the roles production has (README, "Production on
    PostgreSQL"): a loader owning what Meltano and dbt write, a read-only analyst."""

    database: str = "warehouse"
    loader: str = "telestream"
    loader_password: str = "telestream"
    analyst: str = "analyst"
    analyst_password: str = "analyst"


def prepare_warehouse(cluster: PostgresCluster, roles: WarehouseRoles) -> None:
    """Create the roles and the database as a DBA does once in production."""
    with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
        admin.execute(f"create role {roles.loader} login password '{roles.loader_password}'")
        # The analyst role exists before dbt runs: dbt grants to it, never creates it.
        admin.execute(f"create role {roles.analyst} login password '{roles.analyst_password}'")
        admin.execute(f"create database {roles.database} owner {roles.loader}")
    with psycopg.connect(cluster.dsn(roles.database), autocommit=True) as admin:
        # PostgreSQL 15 no longer lets every role create in public; nobody but the
        # loader should, and the analyst only gets what dbt grants.
        admin.execute("revoke all on schema public from public")
        admin.execute(f"grant all on schema public to {roles.loader}")


def warehouse_env(cluster: PostgresCluster, roles: WarehouseRoles) -> dict[str, str]:
    """The TELESTREAM_PG_* variables target-postgres, kafka-extract and dbt read."""
    return {
        "TELESTREAM_PG_HOST": cluster.host,
        "TELESTREAM_PG_PORT": str(cluster.port),
        "TELESTREAM_PG_USER": roles.loader,
        "TELESTREAM_PG_PASSWORD": roles.loader_password,
        "TELESTREAM_PG_DATABASE": roles.database,
        "TELESTREAM_PG_SSLMODE": "disable",
        "TELESTREAM_ANALYST_ROLE": roles.analyst,
    }


def connection_help(cluster: PostgresCluster, roles: WarehouseRoles) -> str:
    """How a person connects to the cluster with psql, as the loader and as the analyst."""
    where = f"-h {cluster.host} -p {cluster.port} -d {roles.database}"
    return "\n".join(
        [
            "",
            f"PostgreSQL warehouse on {cluster.host}:{cluster.port}, database {roles.database}:",
            f"  PGPASSWORD={roles.loader_password} psql {where} -U {roles.loader}"
            "     # the loader: owns raw, staging, intermediate, marts",
            f"  PGPASSWORD={roles.analyst_password} psql {where} -U {roles.analyst}"
            "        # the analyst: reads marts only",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.postgres_cluster",
        description="Run COMMAND against a throwaway PostgreSQL warehouse started from this "
        "machine's binaries (TELESTREAM_PG_* set), then stop the cluster.",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the cluster running when COMMAND ends (prints how to stop it)",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command and its arguments")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a COMMAND to run is required")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    roles = WarehouseRoles()
    with throwaway_cluster(keep=args.keep) as cluster:
        prepare_warehouse(cluster, roles)
        env = dict(os.environ, **warehouse_env(cluster, roles))
        # Meltano's incremental state belongs to this warehouse: with the developer's
        # state the tap would skip every file an earlier cluster loaded.
        env["MELTANO_DATABASE_URI"] = f"sqlite:///{cluster.data_dir.parent / 'meltano.db'}"
        sys.stdout.write(connection_help(cluster, roles))
        if not args.keep:
            sys.stdout.write("  (stopped and deleted when the command ends; --keep keeps it)\n\n")
        sys.stdout.flush()
        returncode = subprocess.run(command, env=env, check=False).returncode
        sys.stdout.write(connection_help(cluster, roles) if args.keep else "")
        return returncode


if __name__ == "__main__":
    raise SystemExit(main())
