"""CLI of the Kafka extractor: `python -m extract.kafka --help`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import threading
from pathlib import Path

from extract.kafka.config import ExtractorConfig, parse_settings
from extract.kafka.consumer import describe
from extract.kafka.runner import land
from extract.kafka.topics import known_topics

log = logging.getLogger("extract.kafka")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m extract.kafka",
        description="Land Debezium change events and CDR events from Kafka into the "
        "warehouse's raw schema in micro-batches, exactly once (offsets are stored in the "
        "warehouse, in the same transaction as the rows).",
    )
    parser.add_argument(
        "--bootstrap-servers",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS"),
        help="Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS)",
    )
    parser.add_argument(
        "--topics",
        default=",".join(known_topics()),
        help="comma-separated topics to land (default: every known topic: %(default)s)",
    )
    parser.add_argument(
        "--group",
        default=os.environ.get("KAFKA_GROUP_ID", "telestream-extract"),
        help="consumer group; offsets in the warehouse are kept per group "
        "(default: $KAFKA_GROUP_ID or %(default)s)",
    )
    parser.add_argument(
        "--target",
        choices=["duckdb", "postgres"],
        default="duckdb",
        help="warehouse to land into (default: %(default)s)",
    )
    parser.add_argument(
        "--duckdb-path",
        type=Path,
        default=Path(os.environ.get("TELESTREAM_DUCKDB_PATH", "warehouse.duckdb")),
        help="DuckDB file (default: $TELESTREAM_DUCKDB_PATH or warehouse.duckdb)",
    )
    parser.add_argument(
        "--duckdb-release-lock",
        action="store_true",
        help="open the DuckDB file per batch, so several extractor processes (one group) can "
        "share it; slower, DuckDB allows one writer at a time",
    )
    add_postgres_arguments(parser)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--until-caught-up",
        action="store_true",
        help="drain every assigned partition to its high watermark, then exit (the default; "
        "how `meltano run` uses it)",
    )
    mode.add_argument(
        "--follow",
        action="store_true",
        help="keep landing until SIGTERM/SIGINT, which finishes the current batch",
    )
    parser.add_argument(
        "--batch-size", type=int, default=100_000, help="messages per batch at most (%(default)s)"
    )
    parser.add_argument(
        "--batch-age-s",
        type=float,
        default=1.0,
        help="land a batch once its first message is this old (%(default)s s)",
    )
    parser.add_argument(
        "--progress-interval-s",
        type=float,
        default=5.0,
        help="seconds between progress lines (msg/s, lag per partition) (%(default)s)",
    )
    parser.add_argument(
        "--kafka-config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="librdkafka setting passed through (repeatable), e.g. security.protocol=SASL_SSL; "
        "$KAFKA_CONFIG may hold more as comma-separated KEY=VALUE pairs (the flags win)",
    )
    return parser


def add_postgres_arguments(parser: argparse.ArgumentParser) -> None:
    """Connection flags of --target postgres; their defaults are the TELESTREAM_PG_*
    variables that profiles.yml and meltano.yml read too."""
    env = os.environ.get
    postgres = parser.add_argument_group(
        "PostgreSQL target",
        "Connection of --target postgres. Give the password in $TELESTREAM_PG_PASSWORD "
        "(or libpq's $PGPASSWORD or ~/.pgpass), not with --pg-password: a command line is "
        "visible to every user of the machine (ps, /proc).",
    )
    postgres.add_argument(
        "--pg-host",
        default=env("TELESTREAM_PG_HOST", "127.0.0.1"),
        help="server host (default: $TELESTREAM_PG_HOST or 127.0.0.1)",
    )
    postgres.add_argument(
        "--pg-port",
        type=int,
        default=env("TELESTREAM_PG_PORT", "5432"),
        help="server port (default: $TELESTREAM_PG_PORT or 5432)",
    )
    postgres.add_argument(
        "--pg-user",
        default=env("TELESTREAM_PG_USER", "telestream"),
        help="login role; it creates schema raw and its tables if missing, so it needs "
        "CREATE on the database (default: $TELESTREAM_PG_USER or telestream)",
    )
    postgres.add_argument(
        "--pg-password",
        default=env("TELESTREAM_PG_PASSWORD"),
        help="password (default: $TELESTREAM_PG_PASSWORD, the recommended way to pass it)",
    )
    postgres.add_argument(
        "--pg-database",
        default=env("TELESTREAM_PG_DATABASE", "warehouse"),
        help="database holding schema raw (default: $TELESTREAM_PG_DATABASE or warehouse)",
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not args.bootstrap_servers:
        raise SystemExit("--bootstrap-servers or $KAFKA_BOOTSTRAP_SERVERS is required")
    config = ExtractorConfig(
        bootstrap_servers=args.bootstrap_servers,
        topics=tuple(topic.strip() for topic in args.topics.split(",") if topic.strip()),
        group_id=args.group,
        target=args.target,
        duckdb_path=args.duckdb_path,
        release_between_batches=args.duckdb_release_lock,
        pg_host=args.pg_host,
        pg_port=args.pg_port,
        pg_user=args.pg_user,
        pg_password=args.pg_password,
        pg_database=args.pg_database,
        follow=args.follow,
        batch_size=args.batch_size,
        batch_age_s=args.batch_age_s,
        progress_interval_s=args.progress_interval_s,
        kafka_settings=parse_settings(
            [pair for pair in os.environ.get("KAFKA_CONFIG", "").split(",") if pair.strip()]
            + args.kafka_config
        ),
    )
    stop = threading.Event()
    # SIGTERM only sets the flag: the loop lands the batch in hand, then leaves the group.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stats = land(config, stop)
    log.info("done: %s", json.dumps(describe(stats)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
