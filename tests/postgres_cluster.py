"""A throwaway PostgreSQL cluster, started from the machine's own binaries.

`initdb` refuses to run as root (CI runs as root), so when the tests are root the
cluster is owned by, and run as, the `postgres` system user. The cluster listens on a
free port on 127.0.0.1 only and is deleted when stopped.
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from extract.ports import free_port

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
def throwaway_cluster(settings: dict[str, str] | None = None) -> Iterator[PostgresCluster]:
    """Start a fresh cluster; stop and delete it on exit."""
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
    try:
        yield PostgresCluster("127.0.0.1", port, superuser, data_dir)
    finally:
        _run_as_owner(
            [str(bindir / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop"], owner
        )
        shutil.rmtree(base, ignore_errors=True)
