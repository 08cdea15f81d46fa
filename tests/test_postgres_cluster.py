"""`python -m tools.postgres_cluster -- COMMAND`: production's job in a throwaway cluster."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.postgres_fixtures import require_postgres
from tools import postgres_cluster

# Run as COMMAND: connects with the TELESTREAM_PG_* variables the job would read, writes
# what it saw to the file given as argument, and exits 3.
PROBE = """
import os, sys, psycopg
env = os.environ
with psycopg.connect(host=env["TELESTREAM_PG_HOST"], port=env["TELESTREAM_PG_PORT"],
        user=env["TELESTREAM_PG_USER"], password=env["TELESTREAM_PG_PASSWORD"],
        dbname=env["TELESTREAM_PG_DATABASE"]) as connection:
    user, database = connection.execute("select current_user, current_database()").fetchone()
    analyst = connection.execute(
        "select rolname from pg_roles where rolname = %s", [env["TELESTREAM_ANALYST_ROLE"]]
    ).fetchone()[0]
with open(sys.argv[1], "w") as out:
    out.write(" ".join([user, database, analyst, env["MELTANO_DATABASE_URI"]]))
sys.exit(3)
"""


def test_command_runs_against_a_fresh_warehouse_which_is_deleted_after(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_postgres()
    seen = tmp_path / "seen.txt"
    assert postgres_cluster.main(["--", sys.executable, "-c", PROBE, str(seen)]) == 3
    user, database, analyst, meltano_db = seen.read_text().split()
    assert (user, database, analyst) == ("telestream", "warehouse", "analyst")
    # Meltano's state lives with the cluster, and went with it.
    state = Path(meltano_db.removeprefix("sqlite:///"))
    assert state.parent.name.startswith("telestream-pg-")
    assert not state.parent.exists()
    printed = capsys.readouterr().out
    assert "psql -h 127.0.0.1 -p " in printed
    assert "-d warehouse -U telestream" in printed
