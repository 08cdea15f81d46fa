"""The file landing path through its real parts: intake, then `meltano run land`
(tap-landing's BATCH messages, target-bulk's DuckDB `read_csv`), then staging.

One sandbox lives through the nights a deployment does: an empty first night, a night
with real drops and bad files, a redelivery, a rerun. A second sandbox is killed with
SIGKILL again and again while it lands, and must end with raw equal to its files once.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import json
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from extract.contract import HEADERS
from tests.conftest import E2E_CONFIG, _dates
from tests.pipeline import PROJECT_ROOT, Sandbox, dbt, deliver_days, meltano, query
from tools.simulator import generate

log = logging.getLogger(__name__)

CUSTOMERS = "shop_customers"
CDRS = "telecom_cdrs"
LATIN1_FILE = "shop_customers_2026-01-01_latin1.csv"
BOM_FILE = "shop_customers_2026-01-01_bom.csv"
MALFORMED_FILE = "telecom_cdrs_2026-01-01_malformed.csv"
REDELIVERED_FILE = "telecom_cells_2026-01-02.csv"


def file_rows(path: Path) -> list[tuple[str, ...]]:
    """A file's data rows as the contract defines them (independent of the loader)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [tuple(row) for row in list(csv.reader(handle))[1:]]


def raw_file_rows(sandbox: Sandbox, table: str) -> dict[str, list[tuple[str, ...]]]:
    """The clean rows raw holds per file name, blanks and nulls alike as ''."""
    columns = ", ".join(f"coalesce({column}, '')" for column in HEADERS[table])
    rows = query(
        sandbox,
        f"select regexp_extract(_sdc_filename, '[^/]+$'), {columns} from raw.{table} "
        "where _sdc_parse_error is null",
    )
    per_file: dict[str, list[tuple[str, ...]]] = {}
    for name, *values in rows:
        per_file.setdefault(name, []).append(tuple(values))
    return per_file


def checksum(rows: list[tuple[str, ...]]) -> str:
    digest = hashlib.sha256()
    for row in sorted(rows):
        digest.update("\x1f".join(row).encode() + b"\x1e")
    return digest.hexdigest()


def _cdr_line(generated: Path) -> list[str]:
    source = next(iter(sorted((generated / CDRS).glob("*.csv"))))
    return list(file_rows(source)[0])


@dataclass(frozen=True)
class Nights:
    sandbox: Sandbox
    generated: Path
    empty_night_tables: dict[str, list[str]]
    raw_after: dict[str, dict[str, int]]
    ledger_after: dict[str, int]


def _raw_counts(sandbox: Sandbox) -> dict[str, int]:
    return {table: query(sandbox, f"select count(*) from raw.{table}")[0][0] for table in HEADERS}


def _write_special_files(generated: Path, inbox: Path) -> None:
    customers = ",".join(HEADERS[CUSTOMERS])
    (inbox / CUSTOMERS).mkdir(parents=True, exist_ok=True)
    # One latin-1 byte on line 3: the whole file is quarantined, nothing of it lands.
    (inbox / CUSTOMERS / LATIN1_FILE).write_bytes(
        (customers + "\n9101,Ana,Ruiz,a@x.es,consumer,Madrid,ES,2026-01-01 08:00:00,"
         "2026-01-01 08:00:00\n").encode()
        + "9102,J\xfcrgen,Weiss,j@x.de,consumer,K\xf6ln,DE,2026-01-01 08:00:00,"
        "2026-01-01 08:00:00\n".encode("latin-1")
    )  # fmt: skip
    # A spreadsheet export: byte-order mark, an apostrophe in a name, a quoted comma.
    (inbox / CUSTOMERS / BOM_FILE).write_bytes(
        b"\xef\xbb\xbf"
        + (
            customers + "\n9201,Sean,O'Brien,sean@x.ie,consumer,Cork,IE,2026-01-01 09:00:00,"
            "2026-01-01 09:00:00\n"
            '9202,Mary,"Smith, Jr.",mary@x.ie,vip,Dublin,IE,2026-01-01 09:00:00,'
            "2026-01-01 09:00:00\n"
        ).encode()
    )
    # A CDR drop with a row holding one unquoted comma too many and a row one field short,
    # around a good row: neither is shifted or padded, both are rejected with their line.
    good = _cdr_line(generated)
    extra = [*good[:3], good[3] + ",x", *good[4:]]
    extra[1] = good[1] + "-extra"
    short = good[:-1]
    short[1] = good[1] + "-short"
    clean = list(good)
    clean[1] = good[1] + "-clean"
    (inbox / CDRS).mkdir(parents=True, exist_ok=True)
    (inbox / CDRS / MALFORMED_FILE).write_text(
        "\n".join([",".join(HEADERS[CDRS]), ",".join(extra), ",".join(short), ",".join(clean)])
        + "\n"
    )


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Nights:
    root = tmp_path_factory.mktemp("bulk_landing")
    sandbox = Sandbox(root)
    config = dataclasses.replace(E2E_CONFIG, days=2)
    generated = root / "generated"
    generate(config, generated, root / "manifest.json")
    dates = _dates(config, config.days)

    # Scheduled before the first drop: nothing to land, yet every table and column exists.
    meltano(sandbox, "run", "land")
    empty_night_tables = {
        table: [
            name
            for (name,) in query(
                sandbox,
                "select column_name from information_schema.columns where table_schema = 'raw' "
                f"and table_name = '{table}' order by ordinal_position",
            )
        ]
        for table in HEADERS
    }

    raw_after: dict[str, dict[str, int]] = {"empty": _raw_counts(sandbox)}
    deliver_days(generated, sandbox.inbox_dir, dates)
    _write_special_files(generated, sandbox.inbox_dir)
    meltano(sandbox, "run", "land")
    raw_after["first"] = _raw_counts(sandbox)

    # The same file again, same name, same preserved mtime: a new delivery.
    redelivered = next(generated.rglob(REDELIVERED_FILE))
    target = sandbox.inbox_dir / redelivered.relative_to(generated)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(redelivered, target)
    meltano(sandbox, "run", "land")
    raw_after["redelivered"] = _raw_counts(sandbox)

    meltano(sandbox, "run", "land")
    raw_after["rerun"] = _raw_counts(sandbox)
    ledger_after = dict(
        query(sandbox, "select file_name, count(*) from raw.landed_files group by 1")
    )

    dbt(
        sandbox, "build", "--select", "+fct_rejected_rows", "reconcile_source_rows",
        "--indirect-selection", "cautious",
    )  # fmt: skip
    return Nights(sandbox, generated, empty_night_tables, raw_after, ledger_after)


def test_an_empty_first_night_creates_every_contract_column(nights: Nights) -> None:
    for table, header in HEADERS.items():
        columns = nights.empty_night_tables[table]
        assert columns[: len(header)] == list(header), table
        assert {"_sdc_filename", "_sdc_batched_at", "_sdc_parse_error"} <= set(columns)
    assert set(nights.raw_after["empty"].values()) == {0}


def test_after_an_empty_night_every_file_lands_whole(nights: Nights) -> None:
    for table in HEADERS:
        landed = raw_file_rows(nights.sandbox, table)
        for path in sorted((nights.generated / table).glob("*.csv")):
            copies = 2 if path.name == REDELIVERED_FILE else 1
            expected = file_rows(path) * copies
            assert Counter(landed.get(path.name, [])) == Counter(expected), path.name


def test_a_latin1_file_is_quarantined_whole_with_offset_and_line(nights: Nights) -> None:
    quarantined = nights.sandbox.root / "quarantine" / CUSTOMERS / LATIN1_FILE
    data = quarantined.read_bytes()
    reason = Path(f"{quarantined}.reason").read_text()
    assert f"byte offset {data.index(b'J') + 1}, line 3" in reason
    assert LATIN1_FILE not in raw_file_rows(nights.sandbox, CUSTOMERS)


def test_a_bom_file_lands_with_its_apostrophes_and_quoted_commas(nights: Nights) -> None:
    rows = query(
        nights.sandbox,
        "select customer_id, last_name, reject_reason from staging.stg_shop__customers "
        f"where source_file = '{BOM_FILE}' order by customer_id",
    )
    assert rows == [(9201, "O'Brien", None), (9202, "Smith, Jr.", None)]


def test_rows_with_too_many_or_too_few_fields_are_rejected_never_shifted(
    nights: Nights,
) -> None:
    source = (nights.sandbox.root / "landing").rglob(MALFORMED_FILE)
    lines = next(source).read_text().splitlines()
    raw = query(
        nights.sandbox,
        f"select _sdc_line_number, _sdc_raw_line, _sdc_parse_error, cdr_id from raw.{CDRS} "
        f"where _sdc_filename like '%{MALFORMED_FILE}' order by _sdc_line_number nulls last",
    )
    assert raw[0] == (2, lines[1], "too many columns", None)
    assert raw[1] == (3, lines[2], "missing columns", None)
    assert raw[2][:3] == (None, None, None) and raw[2][3].endswith("-clean")
    rejected = query(
        nights.sandbox,
        "select reject_reason, raw_record from marts.fct_rejected_rows "
        f"where source_file = '{MALFORMED_FILE}' order by raw_record",
    )
    assert [reason for reason, _ in rejected] == ["malformed_row", "malformed_row"]
    assert all(any(line in record for line in lines[1:3]) for _, record in rejected)
    staged = query(
        nights.sandbox,
        f"select cdr_id, reject_reason from staging.stg_telecom__cdrs "
        f"where source_file = '{MALFORMED_FILE}' and reject_reason is null",
    )
    assert len(staged) == 1 and staged[0][0].endswith("-clean")


def test_a_redelivered_file_is_a_second_delivery_and_a_rerun_adds_nothing(
    nights: Nights,
) -> None:
    first, again, rerun = (nights.raw_after[k] for k in ("first", "redelivered", "rerun"))
    cells = len(file_rows(next(nights.generated.rglob(REDELIVERED_FILE))))
    assert again["telecom_cells"] == first["telecom_cells"] + cells
    assert {t: n for t, n in again.items() if t != "telecom_cells"} == {
        t: n for t, n in first.items() if t != "telecom_cells"
    }
    assert rerun == again
    assert nights.ledger_after[REDELIVERED_FILE] == 2
    deliveries = query(
        nights.sandbox,
        "select count(distinct _sdc_delivery_id) from raw.telecom_cells "
        f"where _sdc_filename like '%/{REDELIVERED_FILE}'",
    )
    assert deliveries == [(2,)]


def test_a_catalog_without_a_contract_column_fails_loudly(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / CUSTOMERS / "20260101T000000000000Z").mkdir(parents=True)
    (landing / CUSTOMERS / "20260101T000000000000Z" / "c.csv").write_text(
        ",".join(HEADERS[CUSTOMERS]) + "\n"
    )
    config = tmp_path / "config.json"
    config.write_text(f'{{"landing_dir": "{landing}"}}')
    tap = str(Path(sys.executable).with_name("tap-landing"))
    catalog = subprocess.run(
        [tap, "--config", str(config), "--discover"], capture_output=True, text=True, check=True
    ).stdout
    parsed = json.loads(catalog)
    for stream in parsed["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == ["properties", "email"]:
                entry["metadata"]["selected"] = False
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] == CUSTOMERS
    (tmp_path / "catalog.json").write_text(json.dumps(parsed))
    result = subprocess.run(
        [tap, "--config", str(config), "--catalog", str(tmp_path / "catalog.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "deselects ['email']" in result.stderr
    assert '"type":"BATCH"' not in result.stdout.replace(" ", "")


# ---------------------------------------------------------------- kill -9 during landing


KILLS = 8


def _start_land(sandbox: Sandbox) -> subprocess.Popen[str]:
    """`make run`'s way: the job wrapper (lock, --force) in a session of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "extract.job", "--environment", "dev", "land"],
        cwd=PROJECT_ROOT,
        env=sandbox.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _kill_when(
    process: subprocess.Popen[str], trigger: str | None, count: int, delay: float
) -> bool:
    """SIGKILL the whole run (wrapper, meltano, intake, tap, target) `delay` seconds after
    the `count`-th output line containing `trigger` (or after the start, without one);
    False if the run finished first."""
    assert process.stdout is not None
    fired = threading.Event()

    def kill() -> None:
        if process.poll() is None:
            fired.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

    seen = 0
    if trigger is None:
        threading.Timer(delay, kill).start()
    else:
        for line in process.stdout:
            seen += trigger in line
            if seen == count:
                threading.Timer(delay, kill).start()
                break
    for _ in process.stdout:
        pass
    process.wait()
    return fired.is_set() and process.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def killed_landing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Path]]:
    root = tmp_path_factory.mktemp("bulk_landing_killed")
    sandbox = Sandbox(root)
    config = dataclasses.replace(E2E_CONFIG, days=KILLS, calls_per_day=3000, switches=3)
    generated = root / "generated"
    generate(config, generated, root / "manifest.json")
    yield sandbox, generated


def test_kill_9_at_random_moments_loses_and_duplicates_nothing(
    killed_landing: tuple[Sandbox, Path],
) -> None:
    sandbox, generated = killed_landing
    dates = _dates(E2E_CONFIG, KILLS)
    rng = random.Random(20261202)
    # Each night one more day's ten files arrive, and the run is killed during intake
    # (after its n-th file), during the load (after target-bulk's n-th delivery) or at
    # any moment (seconds after the start), with a random extra delay.
    kills = 0
    for attempt, day in enumerate(dates):
        deliver_days(generated, sandbox.inbox_dir, [day])
        trigger, count, delay = rng.choice(
            [
                ("extract.intake: landed", rng.randint(1, 10), rng.uniform(0, 0.05)),
                ("rows (", rng.randint(1, 10), rng.uniform(0, 0.2)),
                (None, 0, rng.uniform(1, 15)),
            ]
        )
        process = _start_land(sandbox)
        killed = _kill_when(process, trigger, count, delay)
        kills += killed
        log.info("attempt %d: %s #%d + %.2fs: killed=%s", attempt, trigger, count, delay, killed)
    assert kills >= KILLS // 2, "too few runs were killed mid-way to prove anything"

    # The rerun after the last kill starts at once (the stale run record is forced past)
    # and lands what is left; one more rerun lands nothing.
    meltano_run = [sys.executable, "-m", "extract.job", "--environment", "dev", "land"]
    for _ in range(2):
        subprocess.run(meltano_run, cwd=PROJECT_ROOT, env=sandbox.env(), check=True,
                       capture_output=True, timeout=600)  # fmt: skip

    assert not list(sandbox.inbox_dir.rglob("*.csv"))
    assert not list(sandbox.landing_dir.rglob("*.partial"))
    files = sorted(generated.rglob("*.csv"))
    (ledger,) = query(sandbox, "select count(*) from raw.landed_files")[0]
    assert ledger == len(files)
    for table in HEADERS:
        landed = raw_file_rows(sandbox, table)
        expected = {path.name: file_rows(path) for path in files if path.parent.name == table}
        assert {name: len(rows) for name, rows in landed.items()} == {
            name: len(rows) for name, rows in expected.items() if rows
        }, table
        assert {name: checksum(rows) for name, rows in landed.items()} == {
            name: checksum(rows) for name, rows in expected.items() if rows
        }, table
