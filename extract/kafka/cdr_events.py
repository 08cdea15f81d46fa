"""Decode real-time CDR events (JSON objects with the fields of the CDR files).

Fields are kept as text, exactly as the files carry them, so that staging applies the
same validation and quarantine to both deliveries; only a message that is not a JSON
object with a `cdr_id` (or carries nested values) is poison here.
"""

from __future__ import annotations

import json
from typing import Any

from extract.kafka.debezium import PoisonMessageError
from extract.kafka.topics import TopicSpec


def _text(name: str, value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    if type(value) is bool:  # before int: bool is an int subclass
        return "true" if value else "false"
    if type(value) in (int, float):
        return str(value)
    raise PoisonMessageError(f"wrong_type: {name} is a {type(value).__name__} (column {name})")


class CdrDecoder:
    """Decodes CDR events into the raw row's values, in the spec's column order."""

    def __init__(self, spec: TopicSpec) -> None:
        self.spec = spec
        self._names = tuple(column.name for column in spec.columns)

    def decode(self, value: bytes | None) -> tuple[Any, ...]:
        if value is None:
            raise PoisonMessageError("not_json: null value (CDR topics have no tombstones)")
        try:
            event = json.loads(value)
        except (UnicodeDecodeError, ValueError) as error:
            raise PoisonMessageError(f"not_json: {error}") from None
        if not isinstance(event, dict):
            raise PoisonMessageError(f"not_an_event: a JSON {type(event).__name__}")
        cdr_id = event.get("cdr_id")
        if type(cdr_id) is not str or not cdr_id:
            raise PoisonMessageError(f"wrong_type: cdr_id must be non-empty text, got {cdr_id!r}")
        get = event.get
        return tuple(_text(name, get(name)) for name in self._names)
