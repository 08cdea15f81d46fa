"""Decode Debezium PostgreSQL-connector change events into raw rows (text fields).

Handles both value shapes (with and without the `{"schema", "payload"}` wrapper), the
connector's default encodings (NUMERIC as `decimal.handling.mode=precise`: base64 of the
big-endian two's-complement unscaled integer; TIMESTAMP as `io.debezium.time.MicroTimestamp`:
epoch microseconds) and tombstones (null value). Anything else raises `PoisonMessageError`
with a reason that the dead-letter table keeps.

This is the hot path of the extractor: converters are chosen once per table, not per
message, and values become text without going through `Decimal` or `datetime` parsing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from extract.kafka.topics import Column, Kind, TopicSpec

OPS = frozenset({"r", "c", "u", "d"})
DECIMAL_SCHEMA = "org.apache.kafka.connect.data.Decimal"
_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)

# Metadata of one change event, in the raw table's column order after the Kafka
# coordinates: op, lsn, tx_id, source_ts_ms, snapshot, event_ts_ms.
META_COLUMNS = ("op", "lsn", "tx_id", "source_ts_ms", "snapshot", "event_ts_ms")
TOMBSTONE_META: tuple[Any, ...] = (None,) * len(META_COLUMNS)


class PoisonMessageError(ValueError):
    """A message that cannot be decoded; `reason` goes to the dead-letter table."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decimal_text(encoded: Any, scale: int) -> str:
    """`precise` decimal (base64 two's-complement unscaled integer) as fixed-scale text."""
    if type(encoded) is not str:
        raise PoisonMessageError(f"undecodable_decimal: expected base64 text, got {encoded!r}")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise PoisonMessageError(f"undecodable_decimal: {encoded!r} ({error})") from None
    if not raw:
        raise PoisonMessageError(f"undecodable_decimal: {encoded!r} is empty")
    unscaled = int.from_bytes(raw, "big", signed=True)
    if scale == 0:
        return str(unscaled)
    digits = str(abs(unscaled)).rjust(scale + 1, "0")
    sign = "-" if unscaled < 0 else ""
    return f"{sign}{digits[:-scale]}.{digits[-scale:]}"


def micro_timestamp_text(micros: Any) -> str:
    """Epoch microseconds (negative before 1970) as `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC."""
    if type(micros) is not int:
        raise PoisonMessageError(f"wrong_type: expected epoch microseconds, got {micros!r}")
    try:
        return (_EPOCH + micros * _MICROSECOND).isoformat(" ")
    except OverflowError:
        raise PoisonMessageError(f"wrong_type: timestamp {micros} out of range") from None


def _int_text(value: Any) -> str:
    if type(value) is not int:  # bool is an int subclass: refused too
        raise PoisonMessageError(f"wrong_type: expected integer, got {value!r}")
    return str(value)


def _text(value: Any) -> str:
    if type(value) is not str:
        raise PoisonMessageError(f"wrong_type: expected text, got {value!r}")
    return value


def _converter(column: Column, scale: int | None = None) -> Callable[[Any], str]:
    if column.kind is Kind.INT:
        return _int_text
    if column.kind is Kind.TEXT:
        return _text
    if column.kind is Kind.MICRO_TIMESTAMP:
        return micro_timestamp_text
    effective = column.scale if scale is None else scale
    return lambda value: decimal_text(value, effective)


def _schema_scales(schema: Any) -> dict[str, int]:
    """Decimal scales declared by a wrapped message's schema for its `after` struct."""
    scales: dict[str, int] = {}
    if not isinstance(schema, dict):
        return scales
    for envelope_field in schema.get("fields") or ():
        if not isinstance(envelope_field, dict) or envelope_field.get("field") != "after":
            continue
        for column in envelope_field.get("fields") or ():
            if isinstance(column, dict) and column.get("name") == DECIMAL_SCHEMA:
                try:
                    scales[column["field"]] = int(column["parameters"]["scale"])
                except (KeyError, TypeError, ValueError):
                    raise PoisonMessageError(
                        f"undecodable_decimal: no scale for {column.get('field')!r} in schema"
                    ) from None
    return scales


def _optional_int(source: dict[str, Any], name: str) -> int | None:
    value = source.get(name)
    if value is not None and type(value) is not int:
        raise PoisonMessageError(f"wrong_type: source.{name} expects integer, got {value!r}")
    return value


class DebeziumDecoder:
    """Decodes one table's change events into (meta..., values...) tuples of the raw row."""

    def __init__(self, spec: TopicSpec) -> None:
        self.spec = spec
        self._names = tuple(column.name for column in spec.columns)
        self._converters = tuple(_converter(column) for column in spec.columns)
        self._decimals = {c.name: c for c in spec.columns if c.kind is Kind.DECIMAL}

    def decode(self, value: bytes | None) -> tuple[Any, ...]:
        """The raw row's decoded part; a tombstone (null value) gives all nulls."""
        if value is None:
            return TOMBSTONE_META + (None,) * len(self._names)
        try:
            message = json.loads(value)
        except (UnicodeDecodeError, ValueError) as error:
            raise PoisonMessageError(f"not_json: {error}") from None
        if not isinstance(message, dict):
            raise PoisonMessageError(f"not_an_envelope: a JSON {type(message).__name__}")
        converters = self._converters
        if "payload" in message and "schema" in message:
            scales = _schema_scales(message["schema"])
            message = message["payload"]
            if not isinstance(message, dict):
                raise PoisonMessageError("not_an_envelope: payload is not an object")
            if scales:
                converters = self._converters_for(scales)
        op = message.get("op")
        if op not in OPS:
            raise PoisonMessageError(f"unknown_op: {op!r}")
        row = message.get("before") if op == "d" else message.get("after")
        if row is None:
            if op != "d":
                raise PoisonMessageError(f"missing_after: op {op!r} without after")
            row = {}
        if not isinstance(row, dict):
            raise PoisonMessageError(f"wrong_type: row image is a {type(row).__name__}")
        source = message.get("source") or {}
        if not isinstance(source, dict):
            raise PoisonMessageError("wrong_type: source is not an object")
        snapshot = source.get("snapshot")
        event_ts_ms = message.get("ts_ms")
        if event_ts_ms is not None and type(event_ts_ms) is not int:
            raise PoisonMessageError(f"wrong_type: ts_ms expects integer, got {event_ts_ms!r}")
        meta = (
            op,
            _optional_int(source, "lsn"),
            _optional_int(source, "txId"),
            _optional_int(source, "ts_ms"),
            None if snapshot is None else str(snapshot).lower(),
            event_ts_ms,
        )
        values = []
        get = row.get
        for name, convert in zip(self._names, converters, strict=True):
            field = get(name)
            if field is None:
                values.append(None)
                continue
            try:
                values.append(convert(field))
            except PoisonMessageError as error:
                raise PoisonMessageError(f"{error.reason} (column {name})") from None
        return (*meta, *values)

    def _converters_for(self, scales: dict[str, int]) -> tuple[Callable[[Any], str], ...]:
        """Converters honouring the scales a wrapped message declares (they win)."""
        return tuple(
            _converter(column, scales.get(column.name)) if column.kind is Kind.DECIMAL else conv
            for column, conv in zip(self.spec.columns, self._converters, strict=True)
        )
