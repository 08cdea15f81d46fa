"""Decode Debezium PostgreSQL-connector change events into raw rows (text fields).

Every column is decoded by its declared type, never by guess. A message with the
`{"schema", "payload"}` wrapper declares each column's logical type (and a decimal's
scale) and that schema wins; a bare message is decoded by the encodings declared for its
topic (extract/kafka/shop_topics.toml, derived from the connector's settings). The
logical types: Decimal (base64 of the big-endian two's-complement unscaled integer,
scale in the schema), VariableScaleDecimal (`{"scale", "value"}`), Date (epoch days),
Time / MicroTime / NanoTime (since midnight), Timestamp / MicroTimestamp / NanoTimestamp
(since the epoch, UTC), ZonedTimestamp (ISO-8601 text with an offset, landed in UTC),
Json, Uuid, Enum. A value that does not fit raises `PoisonMessageError` with a reason
naming the column, which the dead-letter table keeps.

Operations: `r`, `c`, `u`, `d` carry a row image (`before` for a delete, which may hold
only the key); `t` (truncate) lands with no image and ends every current row of its table
downstream; `m` (a logical decoding message, not a row change) is skipped and counted
(`SkippedMessage`). Tombstones (null values) land as all nulls. The connector's
placeholder for an unchanged TOASTed value lands as the placeholder text, whatever the
column's type, so staging can keep the column's previous value.

Two paths give the same rows. `DebeziumDecoder.decode` is the reference: one message,
`json.loads`, every rule spelled out. `decode_many` is the hot path: msgspec parses and
type-checks each value into typed structs in C, then whole columns are turned into text at
once, each by a converter chosen per column up front (decimals and other logical types
once per distinct value, timestamps through a per-day cache). Whatever the hot path does
not accept as it stands (a tombstone, a type error, a schema that declares other
encodings than the topic's, a value out of range) goes through `decode`, so a poison
message gets the reference's reason and an unusual valid one the reference's row.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from operator import attrgetter
from typing import Any, Literal, cast

import msgspec

from extract.kafka.topics import LOGICAL_TYPES, PLAIN_TYPES, Column, Kind, TopicSpec

OPS = frozenset({"r", "c", "u", "d", "t"})
LOGICAL_MESSAGE_OP = "m"
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


class SkippedMessage(Exception):  # noqa: N818 (an outcome, not an error)
    """A message that is not a row change (a logical decoding message): counted, not landed."""


def _unscaled(encoded: Any, what: str) -> int:
    if type(encoded) is not str:
        raise PoisonMessageError(f"undecodable_decimal: expected base64 text, got {encoded!r}")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise PoisonMessageError(f"undecodable_decimal: {encoded!r} ({error})") from None
    if not raw:
        raise PoisonMessageError(f"undecodable_{what}: {encoded!r} is empty")
    return int.from_bytes(raw, "big", signed=True)


def _scaled_text(unscaled: int, scale: int) -> str:
    if scale == 0:
        return str(unscaled)
    digits = str(abs(unscaled)).rjust(scale + 1, "0")
    sign = "-" if unscaled < 0 else ""
    return f"{sign}{digits[:-scale]}.{digits[-scale:]}"


def decimal_text(encoded: Any, scale: int) -> str:
    """`precise` decimal (base64 two's-complement unscaled integer) as fixed-scale text."""
    return _scaled_text(_unscaled(encoded, "decimal"), scale)


def variable_decimal_text(value: Any) -> str:
    """io.debezium.data.VariableScaleDecimal (`{"scale": s, "value": base64}`) as text."""
    if isinstance(value, VariableDecimal):
        scale, encoded = value.scale, value.value
    elif isinstance(value, dict) and set(value) == {"scale", "value"}:
        scale, encoded = value["scale"], value["value"]
    else:
        raise PoisonMessageError(f"undecodable_decimal: expected {{scale, value}}, got {value!r}")
    if type(scale) is not int or scale < 0:
        raise PoisonMessageError(f"undecodable_decimal: scale {scale!r} is not a count of digits")
    return _scaled_text(_unscaled(encoded, "decimal"), scale)


_DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def decimal_string_text(value: Any) -> str:
    """`decimal.handling.mode=string`: the decimal's text, checked, never rescaled."""
    if type(value) is not str or not _DECIMAL_TEXT.fullmatch(value):
        raise PoisonMessageError(f"undecodable_decimal: expected decimal text, got {value!r}")
    return value


def _epoch_text(value: Any, per_second: int, what: str) -> str:
    if type(value) is not int:
        raise PoisonMessageError(f"wrong_type: expected {what}, got {value!r}")
    seconds, fraction = divmod(value, per_second)
    try:
        moment = _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        raise PoisonMessageError(f"wrong_type: timestamp {value} out of range") from None
    text = moment.isoformat(" ")
    if per_second == 1_000_000_000 and fraction % 1000:
        return f"{text}.{fraction:09d}"
    micros = fraction * (1_000_000 // per_second) if per_second <= 1_000_000 else fraction // 1000
    return f"{text}.{micros:06d}" if micros else text


def micro_timestamp_text(micros: Any) -> str:
    """Epoch microseconds (negative before 1970) as `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC."""
    return _epoch_text(micros, 1_000_000, "epoch microseconds")


def milli_timestamp_text(millis: Any) -> str:
    """io.debezium.time.Timestamp: epoch milliseconds, as `micro_timestamp_text` writes."""
    return _epoch_text(millis, 1_000, "epoch milliseconds")


def nano_timestamp_text(nanos: Any) -> str:
    """io.debezium.time.NanoTimestamp: epoch nanoseconds; nine digits only when needed."""
    return _epoch_text(nanos, 1_000_000_000, "epoch nanoseconds")


def date_text(days: Any) -> str:
    """io.debezium.time.Date: days since the epoch, as `YYYY-MM-DD`."""
    if type(days) is not int:
        raise PoisonMessageError(f"wrong_type: expected epoch days, got {days!r}")
    try:
        return (_EPOCH_DATE + timedelta(days=days)).isoformat()
    except OverflowError:
        raise PoisonMessageError(f"wrong_type: date {days} out of range") from None


def _time_text(value: Any, per_second: int, what: str) -> str:
    if type(value) is not int:
        raise PoisonMessageError(f"wrong_type: expected {what}, got {value!r}")
    seconds, fraction = divmod(value, per_second)
    if not 0 <= seconds < 86_400:
        raise PoisonMessageError(f"wrong_type: time of day {value} out of range")
    digits = len(str(per_second)) - 1
    return f"{_TIMES_OF_DAY[seconds]}.{fraction:0{digits}d}"


def time_text(millis: Any) -> str:
    """io.debezium.time.Time: milliseconds past midnight, as `HH:MM:SS.fff`."""
    return _time_text(millis, 1_000, "milliseconds past midnight")


def micro_time_text(micros: Any) -> str:
    """io.debezium.time.MicroTime: microseconds past midnight, as `HH:MM:SS.ffffff`."""
    return _time_text(micros, 1_000_000, "microseconds past midnight")


def nano_time_text(nanos: Any) -> str:
    """io.debezium.time.NanoTime: nanoseconds past midnight, as `HH:MM:SS.fffffffff`."""
    return _time_text(nanos, 1_000_000_000, "nanoseconds past midnight")


_ZONED = re.compile(
    r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)"
)


def zoned_timestamp_text(value: Any) -> str:
    """io.debezium.time.ZonedTimestamp (ISO-8601 with an offset) as UTC text.

    The connector writes the instant with its offset (`Z` for UTC) and up to nine
    fraction digits; the warehouse's timestamps are UTC, so the offset is applied.
    """
    matched = _ZONED.fullmatch(value) if type(value) is str else None
    if matched is None:
        raise PoisonMessageError(f"wrong_type: expected ISO-8601 zoned timestamp, got {value!r}")
    day, hour, minute, second, fraction, offset = matched.groups()
    try:
        local = datetime.fromisoformat(f"{day}T{hour}:{minute}:{second}")
        if offset == "Z":
            shift = timedelta(0)
        else:
            sign = -1 if offset[0] == "-" else 1
            parts = [int(part) for part in offset[1:].split(":")]
            shift = sign * timedelta(hours=parts[0], minutes=parts[1],
                                     seconds=parts[2] if len(parts) > 2 else 0)  # fmt: skip
        utc = local.replace(tzinfo=timezone(shift)).astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise PoisonMessageError(f"wrong_type: zoned timestamp {value!r} ({error})") from None
    text = utc.replace(tzinfo=None).isoformat(" ")
    fraction = (fraction or "").rstrip("0")
    if not fraction:
        return text
    return f"{text}.{fraction.ljust(6, '0') if len(fraction) <= 6 else fraction.ljust(9, '0')}"


def json_text(value: Any) -> str:
    """io.debezium.data.Json: a JSON document as text, checked to parse."""
    if type(value) is not str:
        raise PoisonMessageError(f"wrong_type: expected JSON text, got {value!r}")
    try:
        msgspec.json.decode(value)
    except msgspec.DecodeError as error:
        raise PoisonMessageError(f"wrong_type: not a JSON document ({error})") from None
    return value


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def uuid_text(value: Any) -> str:
    """io.debezium.data.Uuid: canonical text, lower case."""
    if type(value) is not str or not _UUID.fullmatch(value):
        raise PoisonMessageError(f"wrong_type: expected a UUID, got {value!r}")
    return value.lower()


def _int_text(value: Any) -> str:
    if type(value) is not int:  # bool is an int subclass: refused too
        raise PoisonMessageError(f"wrong_type: expected integer, got {value!r}")
    return str(value)


def _text(value: Any) -> str:
    if type(value) is not str:
        raise PoisonMessageError(f"wrong_type: expected text, got {value!r}")
    return value


def _enum_text(allowed: tuple[str, ...]) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = _text(value)
        if allowed and text not in allowed:
            raise PoisonMessageError(f"wrong_type: {text!r} is not one of {list(allowed)}")
        return text

    return convert


_PER_VALUE: dict[Kind, Callable[[Any], str]] = {
    Kind.INT: _int_text,
    Kind.TEXT: _text,
    Kind.DECIMAL_STRING: decimal_string_text,
    Kind.VARIABLE_DECIMAL: variable_decimal_text,
    Kind.DATE: date_text,
    Kind.TIME_MS: time_text,
    Kind.MICRO_TIME: micro_time_text,
    Kind.NANO_TIME: nano_time_text,
    Kind.TIMESTAMP_MS: milli_timestamp_text,
    Kind.MICRO_TIMESTAMP: micro_timestamp_text,
    Kind.NANO_TIMESTAMP: nano_timestamp_text,
    Kind.ZONED_TIMESTAMP: zoned_timestamp_text,
    Kind.JSON: json_text,
    Kind.UUID: uuid_text,
}


def value_converter(column: Column, placeholder: str) -> Callable[[Any], str]:
    """The reference converter of one column's values, by its declared kind.

    The connector's placeholder for an unchanged TOASTed value passes as itself: as text
    in a text-like column, as the base64 of its bytes in a `precise` decimal one.
    """
    if column.kind is Kind.DECIMAL:
        scale = column.scale
        encoded_placeholder = base64.b64encode(placeholder.encode()).decode()

        def convert(value: Any) -> str:
            if value in (encoded_placeholder, placeholder):
                return placeholder
            return decimal_text(value, scale)

        return convert
    base = _enum_text(column.allowed) if column.kind is Kind.ENUM else _PER_VALUE[column.kind]
    if column.kind in (Kind.INT, Kind.TEXT):
        return base

    def convert_or_placeholder(value: Any) -> str:
        return placeholder if value == placeholder else base(value)

    return convert_or_placeholder


def schema_columns(schema: Any, columns: Sequence[Column]) -> tuple[Column, ...]:
    """The topic's columns with the kinds a wrapped message's schema declares for them.

    The schema wins over the topic's declaration; a column the schema leaves out keeps
    its declared kind. A logical type this decoder does not know is poison.
    """
    declared: dict[str, Column] = {}
    if isinstance(schema, dict):
        for envelope_field in schema.get("fields") or ():
            if isinstance(envelope_field, dict) and envelope_field.get("field") == "after":
                for spec in envelope_field.get("fields") or ():
                    if isinstance(spec, dict) and isinstance(spec.get("field"), str):
                        declared[spec["field"]] = _schema_column(spec)
    return tuple(
        replace(declared[c.name], name=c.name) if c.name in declared else c for c in columns
    )


def _schema_column(spec: dict[str, Any]) -> Column:
    name, field_name = spec.get("name"), spec["field"]
    parameters = spec.get("parameters") or {}
    if name in LOGICAL_TYPES:
        kind = LOGICAL_TYPES[name]
        if kind is Kind.DECIMAL:
            try:
                return Column(field_name, kind, int(parameters["scale"]))
            except (KeyError, TypeError, ValueError):
                raise PoisonMessageError(
                    f"undecodable_decimal: no scale for {field_name!r} in schema"
                ) from None
        if kind is Kind.ENUM:
            allowed = parameters.get("allowed") if isinstance(parameters, dict) else None
            values = tuple(allowed.split(",")) if isinstance(allowed, str) else ()
            return Column(field_name, kind, allowed=values)
        return Column(field_name, kind)
    if name is None and spec.get("type") in PLAIN_TYPES:
        return Column(field_name, PLAIN_TYPES[spec["type"]])
    raise PoisonMessageError(
        f"unsupported_type: {name or spec.get('type')!r} (column {field_name})"
    )


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
    to reason) or in `skipped` (not a row change) holds placeholders and must not land.
    """

    columns: list[list[Any]]
    poison: dict[int, str]
    skipped: set[int] = field(default_factory=set)


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
    skipped: set[int] | None = None,
) -> dict[int, str]:
    """Decode the listed messages with the reference `decode` into `columns`; poison out
    (and, when `skipped` is given, messages that are not row changes into it)."""
    poison: dict[int, str] = {}
    for index in sorted(set(indexes)):
        try:
            row = decode(values[index])
        except PoisonMessageError as error:
            poison[index] = error.reason
            continue
        except SkippedMessage:
            if skipped is None:
                raise
            skipped.add(index)
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


def _distinct_texts(
    values: list[Any], convert: Callable[[Any], str], refused: list[int]
) -> list[str | None]:
    """Converted once per distinct value (prices, dates repeat); a value the converter
    refuses is refused for every message holding it."""
    texts: dict[Any, str | None] = {None: None}
    bad = set()
    for value in set(values):
        if value is None:
            continue
        try:
            texts[value] = convert(value)
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
# ---------- msgspec structs of the envelope

_Op = Literal["r", "c", "u", "d", "t", "m"]


class VariableDecimal(msgspec.Struct, frozen=True, gc=False):
    """io.debezium.data.VariableScaleDecimal; frozen, so that distinct values can be cached."""

    scale: int
    value: str


class _Source(msgspec.Struct, gc=False):
    lsn: int | None = None
    tx_id: int | None = msgspec.field(default=None, name="txId")
    ts_ms: int | None = None
    # The reference keeps any JSON value as str(value).lower(); others take that path.
    snapshot: str | bool | None = None


_NO_SOURCE = _Source()
_INT_KINDS = frozenset({
    Kind.INT, Kind.DATE, Kind.TIME_MS, Kind.MICRO_TIME, Kind.NANO_TIME, Kind.TIMESTAMP_MS,
    Kind.MICRO_TIMESTAMP, Kind.NANO_TIMESTAMP,
})  # fmt: skip


def _field_type(kind: Kind) -> Any:
    """What msgspec accepts for a column's value on the hot path (the rest goes through
    the reference, which names the reason)."""
    if kind in _INT_KINDS:
        return int | None
    if kind is Kind.VARIABLE_DECIMAL:
        return VariableDecimal | None
    return str | None


def _bulk_converter(
    column: Column, placeholder: str
) -> Callable[[list[Any], list[int]], list[str | None]]:
    """The hot path's converter of one whole column, chosen once per topic (and schema)."""
    if column.kind is Kind.INT:
        return lambda values, refused: _int_texts(values)
    if column.kind is Kind.TEXT:
        return lambda values, refused: values
    if column.kind is Kind.MICRO_TIMESTAMP:
        return _timestamp_texts
    if column.kind is Kind.TIMESTAMP_MS:
        return lambda values, refused: _timestamp_texts(
            [None if v is None else v * 1000 for v in values], refused
        )
    convert = value_converter(column, placeholder)
    return lambda values, refused: _distinct_texts(values, convert, refused)


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
        self._placeholder_text = spec.unavailable_value
        self._converters = self._reference_converters(spec.columns)
        self._bulk = tuple(_bulk_converter(c, spec.unavailable_value) for c in spec.columns)
        image = msgspec.defstruct(
            f"{spec.raw_table}_image",
            [(column.name, _field_type(column.kind), None) for column in spec.columns],
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
        # Wrapped schemas seen: the columns they declare, or None where those are the
        # topic's own (the hot path's structs fit), or the poison reason of a bad schema.
        self._known_schemas: list[tuple[bytes, tuple[Column, ...] | str | None]] = []

    def _reference_converters(self, columns: Sequence[Column]) -> tuple[Callable[[Any], str], ...]:
        return tuple(value_converter(column, self._placeholder_text) for column in columns)

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
            declared = self._schema_declares(json.dumps(message["schema"]).encode())
            message = message["payload"]
            if not isinstance(message, dict):
                raise PoisonMessageError("not_an_envelope: payload is not an object")
            if declared is not None:
                converters = self._reference_converters(declared)
        op = message.get("op")
        if op == LOGICAL_MESSAGE_OP:
            raise SkippedMessage("logical decoding message")
        if op not in OPS:
            raise PoisonMessageError(f"unknown_op: {op!r}")
        row = message.get("before") if op == "d" else message.get("after")
        if op == "t":
            row = {}  # a truncate has no row image: it ends every row of the table
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
            field_value = get(name)
            if field_value is None:
                values.append(None)
                continue
            try:
                values.append(convert(field_value))
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
        if None in ops or "m" in ops or "t" in ops:  # no valid op, not a row change, truncate
            refused.extend(index for index, op in enumerate(ops) if op in (None, "m", "t"))
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
        for convert, get in zip(self._bulk, self._image_columns, strict=True):
            columns.append(convert(list(map(get, images)), refused))
        skipped: set[int] = set()
        poison = redecode(columns, refused, values, self.decode, skipped) if refused else {}
        return DecodedBatch(columns, poison, skipped)

    def _events(self, envelopes: list[Any], refused: list[int]) -> list[Any]:
        """The change event of each envelope: itself, or the payload of a wrapped one."""
        payloads = list(map(_PAYLOAD, envelopes))
        if payloads.count(msgspec.UNSET) == len(payloads):
            return envelopes
        events = list(envelopes)
        for index, (envelope, payload) in enumerate(zip(envelopes, payloads, strict=True)):
            if payload is msgspec.UNSET or envelope.schema is msgspec.UNSET:
                continue
            try:
                fits = self._schema_declares(envelope.schema) is None
            except PoisonMessageError:
                fits = False  # the reference path gives the reason
            if fits:
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

    def _schema_declares(self, schema: bytes | msgspec.Raw) -> tuple[Column, ...] | None:
        """The columns a wrapped message's schema declares, or None when they are the
        topic's own (so the hot path's structs and converters fit); poison if unusable.

        Producers send the same schema with every message, so the answer is remembered
        per schema text (compared as bytes); only the last few are kept, so a producer
        that changes its schema over time cannot grow the list.
        """
        text = bytes(schema)
        for known, declared in self._known_schemas:
            if known == text:
                if isinstance(declared, str):
                    raise PoisonMessageError(declared)
                return declared
        try:
            columns = schema_columns(json.loads(text), self.spec.columns)
        except PoisonMessageError as error:
            outcome: tuple[Column, ...] | str | None = error.reason
        except ValueError as error:
            outcome = f"not_json: schema ({error})"
        else:
            outcome = None if columns == self.spec.columns else columns
        self._known_schemas = [*self._known_schemas[-7:], (text, outcome)]
        if isinstance(outcome, str):
            raise PoisonMessageError(outcome)
        return outcome
