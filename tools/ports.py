"""Free TCP ports on 127.0.0.1 for the throwaway servers this project starts (PostgreSQL, Kafka)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now; the caller's server binds it right after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
