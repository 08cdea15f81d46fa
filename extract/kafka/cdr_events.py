"""Decode real-time CDR events (JSON objects with the fields of the CDR files).

Fields are kept as text, exactly as the files carry them, so that staging applies the
same validation and quarantine to both deliveries; only a message that is not a JSON
object with a `cdr_id` (or carries nested values) is poison here.

As for Debezium events, `decode` is the reference and `decode_many` the hot path (msgspec
structs, then whole columns to text); what the hot path refuses goes through `decode`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from operator import attrgetter
from typing import Annotated, Any

import msgspec

from extract.kafka.debezium import DecodedBatch, PoisonMessageError, decode_each, redecode
from extract.kafka.topics import TopicSpec

_NONE_TYPE = type(None)
# Scalars only: a nested value is poison, which the reference path reports.
_Scalar = str | int | float | bool | None


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
        event = msgspec.defstruct(
            f"{spec.raw_table}_event",
            [
                ("cdr_id", Annotated[str, msgspec.Meta(min_length=1)]),
                *((name, _Scalar, None) for name in self._names if name != "cdr_id"),
            ],
            gc=False,
        )
        self._event_decoder = msgspec.json.Decoder(event)
        self._placeholder = event(cdr_id="-")
        self._getters = tuple(attrgetter(name) for name in self._names)

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

    def decode_many(self, values: Sequence[bytes | None]) -> DecodedBatch:
        """Decode a list of message values at once; same rows and reasons as `decode`."""
        events, refused = decode_each(self._event_decoder, values)
        for index in refused:
            events[index] = self._placeholder
        columns = []
        for name, get in zip(self._names, self._getters, strict=True):
            column = list(map(get, events))
            if not set(map(type, column)) <= {str, _NONE_TYPE}:
                column = [_text(name, value) for value in column]
            columns.append(column)
        poison = redecode(columns, refused, values, self.decode) if refused else {}
        return DecodedBatch(columns, poison)
