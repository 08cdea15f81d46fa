"""Decode Debezium PostgreSQL-connector change events into raw rows (text fields).

Handles both value shapes (with and without the `{"schema", "payload"}` wrapper), the
connector's default encodings (NUMERIC as `decimal.handling.mode=precise`: base64 of the
big-endian two's-complement unscaled integer; TIMESTAMP as `io.debezium.time.MicroTimestamp`:
epoch microseconds) and tombstones (null value). Anything else raises `PoisonMessageError`
with a reason that the dead-letter table keeps.

Two paths give the same rows. `DebeziumDecoder.decode` is the reference: one message,
`json.loads`, every rule spelled out. `decode_many` is the hot path: msgspec parses and
type-checks each value into typed structs in C, then whole columns are turned into text at
once (decimals once per distinct value, timestamps through a per-day cache). Whatever the
hot path does not accept as it stands (a tombstone, a type error, a scale that the
message's schema changes, a timestamp out of range) goes through `decode`, so a poison
message gets the reference's reason and an unusual valid one the reference's row.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Any, Literal, cast

import msgspec

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


# ---------- the batch path's building blocks, shared with the CDR decoder


@dataclass
class DecodedBatch:
    """The decoded part of a list of message values, column by column.

    `columns[j][i]` is decoded column j of message i. A message listed in `poison` (index
    to reason) holds placeholders and must not land.
    """

    columns: list[list[Any]]
    poison: dict[int, str]


# What msgspec raises for a value its struct refuses: malformed JSON, a type or constraint
# mismatch (ValidationError is a DecodeError), invalid UTF-8 inside a string, or a
# tombstone (None is not bytes).
_MISMATCH = (msgspec.DecodeError, UnicodeDecodeError, TypeError)


def decode_each(
    decoder: msgspec.json.Decoder[Any], values: Sequence[bytes | None]
) -> tuple[list[Any], list[int]]:
    """msgspec-decode every value; a refused one becomes None and its index is listed.

    Each value is decoded on its own (never as one joined array), so bytes of one message
    can never complete or swallow another's.
    """
    # A None (a tombstone's value) raises TypeError, one of the refusals handled below.
    decode = cast("Callable[[bytes | None], Any]", decoder.decode)
    try:
        return list(map(decode, values)), []
    except _MISMATCH:
        pass  # at least one refusal: go message by message to find which
    decoded: list[Any] = []
    refused: list[int] = []
    for index, value in enumerate(values):
        try:
            decoded.append(decode(value))
        except _MISMATCH:
            decoded.append(None)
            refused.append(index)
    return decoded, refused


def redecode(
    columns: list[list[Any]],
    indexes: Sequence[int],
    values: Sequence[bytes | None],
    decode: Callable[[bytes | None], tuple[Any, ...]],
) -> dict[int, str]:
    """Decode the listed messages with the reference `decode` into `columns`; poison out."""
    poison: dict[int, str] = {}
    for index in sorted(set(indexes)):
        try:
            row = decode(values[index])
        except PoisonMessageError as error:
            poison[index] = error.reason
            continue
        for column, value in zip(columns, row, strict=True):
            column[index] = value
    return poison


# ---------- column converters of the batch path


def _int_texts(values: list[int | None]) -> list[str | None]:
    """str(value) per value, through a table of the batch's distinct values when they
    repeat (a parent's id, a quantity): a lookup costs a third of formatting an int."""
    distinct = set(values)
    if len(distinct) * 2 > len(values):
        if None in distinct:
            return [None if value is None else str(value) for value in values]
        return list(map(str, values))
    texts = {value: None if value is None else str(value) for value in distinct}
    return list(map(texts.__getitem__, values))


def _decimal_texts(values: list[str | None], scale: int, refused: list[int]) -> list[str | None]:
    """Converted once per distinct value (prices repeat); undecodable ones are refused."""
    texts: dict[str | None, str | None] = {None: None}
    bad = set()
    for value in set(values):
        if value is None:
            continue
        try:
            texts[value] = decimal_text(value, scale)
        except PoisonMessageError:
            texts[value] = None
            bad.add(value)
    if bad:
        refused.extend(index for index, value in enumerate(values) if value in bad)
    return list(map(texts.__getitem__, values))


_EPOCH_DATE = date(1970, 1, 1)
# datetime's range, which `micro_timestamp_text` enforces.
_MIN_MICROS = (datetime.min - _EPOCH) // _MICROSECOND
_MAX_MICROS = (datetime.max - _EPOCH) // _MICROSECOND
_TIMES_OF_DAY = tuple(f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60)
                      for s in range(60))  # fmt: skip


def _timestamp_texts(values: list[int | None], refused: list[int]) -> list[str | None]:
    """The text `micro_timestamp_text` gives, each day's date formatted once per batch."""
    present: list[int] = (
        [value for value in values if value is not None]
        if None in values
        else cast("list[int]", values)
    )
    if present and (min(present) < _MIN_MICROS or max(present) > _MAX_MICROS):
        refused.extend(
            index
            for index, value in enumerate(values)
            if value is not None and not _MIN_MICROS <= value <= _MAX_MICROS
        )
        values = [v if v is None or _MIN_MICROS <= v <= _MAX_MICROS else None for v in values]
        present = [value for value in values if value is not None]
    # Seconds first: dividing by a divisor below 2**30 takes CPython's fast path.
    days = {
        day: f"{_EPOCH_DATE + timedelta(days=day)} "
        for day in {micros // 1_000_000 // 86_400 for micros in present}
    }
    times = _TIMES_OF_DAY
    return [
        m if m is None
        else days[(s := m // 1_000_000) // 86_400] + times[s % 86_400] if not m % 1_000_000
        else f"{days[(s := m // 1_000_000) // 86_400]}{times[s % 86_400]}.{m % 1_000_000:06d}"
        for m in values
    ]  # fmt: skip


def _lower_texts(values: list[Any]) -> list[str | None]:
    """`str(value).lower()` per value (snapshot flags: a handful of distinct values)."""
    texts = {value: None if value is None else str(value).lower() for value in set(values)}
    return list(map(texts.__getitem__, values))


# ---------- msgspec structs of the envelope

_Op = Literal["r", "c", "u", "d"]


class _Source(msgspec.Struct, gc=False):
    lsn: int | None = None
    tx_id: int | None = msgspec.field(default=None, name="txId")
    ts_ms: int | None = None
    # The reference keeps any JSON value as str(value).lower(); others take that path.
    snapshot: str | bool | None = None


_NO_SOURCE = _Source()
_FIELD_TYPES: dict[Kind, Any] = {
    Kind.INT: int | None,
    Kind.TEXT: str | None,
    Kind.DECIMAL: str | None,  # base64 checked by decimal_text, exactly as the reference
    Kind.MICRO_TIMESTAMP: int | None,
}
_OP = attrgetter("op")
_AFTER = attrgetter("after")
_SOURCE = attrgetter("source")
_PAYLOAD = attrgetter("payload")
_LSN = attrgetter("lsn")
_TX_ID = attrgetter("tx_id")
_TS_MS = attrgetter("ts_ms")
_SNAPSHOT = attrgetter("snapshot")


class DebeziumDecoder:
    """Decodes one table's change events into (meta..., values...) tuples of the raw row."""

    def __init__(self, spec: TopicSpec) -> None:
        self.spec = spec
        self._names = tuple(column.name for column in spec.columns)
        self._converters = tuple(_converter(column) for column in spec.columns)
        self._decimals = {c.name: c for c in spec.columns if c.kind is Kind.DECIMAL}
        image = msgspec.defstruct(
            f"{spec.raw_table}_image",
            [(column.name, _FIELD_TYPES[column.kind], None) for column in spec.columns],
            gc=False,
        )
        event_fields: list[tuple[str, Any, Any]] = [
            ("before", image | None, None),
            ("after", image | None, None),
            ("source", _Source | None, None),
            ("ts_ms", int | None, None),
        ]
        payload = msgspec.defstruct(
            f"{spec.raw_table}_payload", [("op", _Op), *event_fields], gc=False
        )
        # One struct for both shapes: a bare event, or `schema` + `payload` (kept UNSET
        # when absent, so that `"schema": null` still counts as present, as in `decode`).
        envelope = msgspec.defstruct(
            f"{spec.raw_table}_envelope",
            [
                ("op", _Op | None, None),
                *event_fields,
                ("schema", msgspec.Raw | msgspec.UnsetType, msgspec.UNSET),
                ("payload", payload | msgspec.UnsetType, msgspec.UNSET),
            ],
            gc=False,
        )
        self._envelope_decoder = msgspec.json.Decoder(envelope)
        self._empty_image = image()
        # Stands in for a message the reference path decodes instead.
        self._placeholder = envelope(op="c", after=self._empty_image)
        self._image_columns = tuple(attrgetter(name) for name in self._names)
        # Wrapped schemas seen, and whether their decimal scales agree with the spec's.
        self._known_schemas: list[tuple[msgspec.Raw, bool]] = []

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
        values: list[Any] = []
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

    def decode_many(self, values: Sequence[bytes | None]) -> DecodedBatch:
        """Decode a list of message values at once; same rows and reasons as `decode`."""
        envelopes, refused = decode_each(self._envelope_decoder, values)
        for index in refused:
            envelopes[index] = self._placeholder
        events = self._events(envelopes, refused)
        ops = list(map(_OP, events))
        if None in ops:  # a bare envelope without a valid op
            refused.extend(index for index, op in enumerate(ops) if op is None)
        images = self._images(events, ops, refused)
        sources = list(map(_SOURCE, events))
        if None in sources:
            sources = [_NO_SOURCE if source is None else source for source in sources]
        columns = [
            ops,
            list(map(_LSN, sources)),
            list(map(_TX_ID, sources)),
            list(map(_TS_MS, sources)),
            _lower_texts(list(map(_SNAPSHOT, sources))),
            list(map(_TS_MS, events)),
        ]
        for column, get in zip(self.spec.columns, self._image_columns, strict=True):
            raw = list(map(get, images))
            if column.kind is Kind.INT:
                columns.append(_int_texts(raw))
            elif column.kind is Kind.TEXT:
                columns.append(raw)
            elif column.kind is Kind.DECIMAL:
                columns.append(_decimal_texts(raw, column.scale, refused))
            else:
                columns.append(_timestamp_texts(raw, refused))
        poison = redecode(columns, refused, values, self.decode) if refused else {}
        return DecodedBatch(columns, poison)

    def _events(self, envelopes: list[Any], refused: list[int]) -> list[Any]:
        """The change event of each envelope: itself, or the payload of a wrapped one."""
        payloads = list(map(_PAYLOAD, envelopes))
        if payloads.count(msgspec.UNSET) == len(payloads):
            return envelopes
        events = list(envelopes)
        for index, (envelope, payload) in enumerate(zip(envelopes, payloads, strict=True)):
            if payload is msgspec.UNSET or envelope.schema is msgspec.UNSET:
                continue
            if self._scales_agree(envelope.schema):
                events[index] = payload
            else:
                events[index] = self._placeholder
                refused.append(index)
        return events

    def _images(self, events: list[Any], ops: list[str | None], refused: list[int]) -> list[Any]:
        """The row image of each event: `before` for a delete, else `after`."""
        if "d" in ops:
            images = [e.before if op == "d" else e.after for e, op in zip(events, ops, strict=True)]
        else:
            images = list(map(_AFTER, events))
        if None in images:
            for index, image in enumerate(images):
                if image is None:
                    if ops[index] != "d":  # missing after: the reference names the reason
                        refused.append(index)
                    images[index] = self._empty_image
        return images

    def _scales_agree(self, schema: msgspec.Raw) -> bool:
        """Whether a wrapped message's schema leaves every decimal at the spec's scale.

        Producers send the same schema with every message, so the answer is remembered
        per schema text (compared as bytes); only the last few are kept, so a producer
        that changes its schema over time cannot grow the list.
        """
        for known, agrees in self._known_schemas:
            if known == schema:
                return agrees
        try:
            scales = _schema_scales(json.loads(bytes(schema)))
        except PoisonMessageError:
            agrees = False
        else:
            agrees = all(scales.get(name, c.scale) == c.scale for name, c in self._decimals.items())
        self._known_schemas = [*self._known_schemas[-7:], (schema.copy(), agrees)]
        return agrees

    def _converters_for(self, scales: dict[str, int]) -> tuple[Callable[[Any], str], ...]:
        """Converters honouring the scales a wrapped message declares (they win)."""
        return tuple(
            _converter(column, scales.get(column.name)) if column.kind is Kind.DECIMAL else conv
            for column, conv in zip(self.spec.columns, self._converters, strict=True)
        )
