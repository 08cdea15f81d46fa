"""Decoding of hand-written Debezium envelopes and CDR events, one by one and in batches,
and the DuckDB sink's bulk path (no broker needed)."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from extract.kafka.cdr_events import CdrDecoder
from extract.kafka.debezium import (
    DebeziumDecoder,
    PoisonMessageError,
    SkippedMessage,
    decimal_text,
    micro_timestamp_text,
)
from extract.kafka.sink import Batch, raw_columns
from extract.kafka.sink_duckdb import DuckDBSink
from extract.kafka.topics import Column, Kind, TopicSpec, column_kind, known_topics, shop_topic
from tools.kafka_publish import (
    change_event,
    connect_schema,
    encode_decimal,
    encode_micro_timestamp,
)

PRODUCTS = DebeziumDecoder(known_topics()[shop_topic("products")])
ORDERS = DebeziumDecoder(known_topics()[shop_topic("orders")])
META = 6  # op, lsn, tx_id, source_ts_ms, snapshot, event_ts_ms


def b64(unscaled: int, length: int) -> str:
    return base64.b64encode(unscaled.to_bytes(length, "big", signed=True)).decode()


@pytest.mark.parametrize(
    ("encoded", "scale", "expected"),
    [
        (b64(1990, 2), 2, "19.90"),
        (b64(-1990, 2), 2, "-19.90"),
        (b64(5, 1), 2, "0.05"),
        (b64(-5, 1), 2, "-0.05"),
        (b64(0, 1), 2, "0.00"),
        (b64(123456, 3), 4, "12.3456"),
        (b64(-1, 1), 4, "-0.0001"),
        (b64(42, 1), 0, "42"),
        (b64(-128, 1), 0, "-128"),
        (b64(128, 2), 0, "128"),
        (b64(10**20, 9), 2, "1000000000000000000.00"),
    ],
)
def test_precise_decimals(encoded: str, scale: int, expected: str) -> None:
    assert decimal_text(encoded, scale) == expected


@pytest.mark.parametrize("value", ["19.90", "-0.01", "0.00", "123456.78", "-128.00", "1.27"])
def test_decimal_round_trip_with_the_publisher(value: str) -> None:
    assert decimal_text(encode_decimal(value, 2), 2) == value
    assert Decimal(decimal_text(encode_decimal(value, 4), 4)) == Decimal(value)


@pytest.mark.parametrize(
    ("micros", "expected"),
    [
        (0, "1970-01-01 00:00:00"),
        (1_767_225_600_000_000, "2026-01-01 00:00:00"),
        (-1_000_000, "1969-12-31 23:59:59"),
        (-1, "1969-12-31 23:59:59.999999"),
        (-2_208_988_800_000_000, "1900-01-01 00:00:00"),
        (1_500_000, "1970-01-01 00:00:01.500000"),
    ],
)
def test_micro_timestamps(micros: int, expected: str) -> None:
    assert micro_timestamp_text(micros) == expected


def test_micro_timestamp_round_trip_before_1970() -> None:
    assert micro_timestamp_text(encode_micro_timestamp("1965-07-04 12:30:05")) == (
        "1965-07-04 12:30:05"
    )


def product(price: str | None = "19.90", **overrides: Any) -> dict[str, Any]:
    image = {
        "product_id": 7,
        "sku": "SKU-00007",
        "product_name": "Phone 7",
        "category": "phones",
        "price_eur": None if price is None else encode_decimal(price, 2),
        "created_at": encode_micro_timestamp("1969-12-31 23:00:00"),
        "updated_at": encode_micro_timestamp("2026-01-02 10:00:00"),
    }
    image.update(overrides)
    return image


@pytest.mark.parametrize("wrapped", [False, True])
@pytest.mark.parametrize("op", ["r", "c", "u"])
def test_envelopes_in_both_shapes(op: str, wrapped: bool) -> None:
    value = change_event("products", op, None, product(), 1_000, 1_767_348_000_000, wrapped)
    row = PRODUCTS.decode(value)
    assert row[:META] == (op, 1_000, 62, 1_767_348_000_000, "true" if op == "r" else "false",
                          1_767_348_000_000)  # fmt: skip
    assert row[META:] == ("7", "SKU-00007", "Phone 7", "phones", "19.90",
                          "1969-12-31 23:00:00", "2026-01-02 10:00:00")  # fmt: skip


def test_wrapped_schema_scale_wins_over_the_declared_one() -> None:
    value = json.loads(change_event("products", "c", None, product(), 1, 0, wrapped=True))
    after = next(f for f in value["schema"]["fields"] if f["field"] == "after")
    next(f for f in after["fields"] if f["field"] == "price_eur")["parameters"]["scale"] = "4"
    row = PRODUCTS.decode(json.dumps(value).encode())
    assert row[META + 4] == "0.1990"


def test_null_columns_stay_null() -> None:
    image = {"order_id": 3, "customer_id": None, "order_status": "placed", "channel": None,
             "ordered_at": None, "updated_at": None}  # fmt: skip
    for wrapped in (False, True):
        row = ORDERS.decode(change_event("orders", "c", None, image, 1, 0, wrapped))
        assert row[META:] == ("3", None, "placed", None, None, None)


def test_delete_takes_the_before_image_and_tombstone_is_all_null() -> None:
    row = PRODUCTS.decode(change_event("products", "d", product(), None, 9, 0, wrapped=False))
    assert row[0] == "d" and row[META] == "7"
    tombstone = PRODUCTS.decode(None)
    assert tombstone == (None,) * (META + 7)


POISON_CASES = [
    (b"not json at all", "not_json"),
    (b"\xff\xfe", "not_json"),
    (b"[1, 2]", "not_an_envelope"),
    (json.dumps({"op": "x", "after": product()}).encode(), "unknown_op"),
    (json.dumps({"after": product()}).encode(), "unknown_op"),
    (json.dumps({"op": "c", "after": None}).encode(), "missing_after"),
    (json.dumps({"op": "u"}).encode(), "missing_after"),
    (json.dumps({"op": "c", "after": product(product_id="7")}).encode(), "wrong_type"),
    (json.dumps({"op": "c", "after": product(product_id=True)}).encode(), "wrong_type"),
    (json.dumps({"op": "c", "after": product(sku=12)}).encode(), "wrong_type"),
    (json.dumps({"op": "c", "after": product(created_at="2026-01-01")}).encode(),
     "wrong_type"),
    (json.dumps({"op": "c", "after": "a string"}).encode(), "wrong_type"),
    (json.dumps({"op": "c", "after": product(), "source": {"lsn": "1"}}).encode(),
     "wrong_type"),
    (json.dumps({"op": "c", "after": product(price_eur="!!notbase64")}).encode(),
     "undecodable_decimal"),
    (json.dumps({"op": "c", "after": product(price_eur="")}).encode(),
     "undecodable_decimal"),
    (json.dumps({"op": "c", "after": product(price_eur=1990)}).encode(),
     "undecodable_decimal"),
]  # fmt: skip


@pytest.mark.parametrize(("value", "reason"), POISON_CASES)
def test_poison_reasons(value: bytes, reason: str) -> None:
    with pytest.raises(PoisonMessageError) as caught:
        PRODUCTS.decode(value)
    assert caught.value.reason.startswith(reason)


def test_cdr_events_keep_fields_as_text() -> None:
    decoder = CdrDecoder(known_topics()["telecom.cdr"])
    event = {"cdr_id": "sw1-20260101-000001", "switch_id": "sw1", "msisdn": "4915100000001",
             "call_type": "voice", "started_at": "2026-01-01 00:00:01", "duration_s": "12s",
             "bytes_up": 0, "bytes_down": None, "cell_id": "C0001", "termination_cause": "16",
             "is_roaming": False}  # fmt: skip
    row = decoder.decode(json.dumps(event).encode())
    assert row == ("sw1-20260101-000001", "sw1", "4915100000001", "voice",
                   "2026-01-01 00:00:01", "12s", "0", None, "C0001", "16", "false")  # fmt: skip
    for poison, reason in [(b"{", "not_json"), (b"3", "not_an_event"),
                           (b'{"cdr_id": 5}', "wrong_type"), (None, "not_json"),
                           (b'{"cdr_id": "x", "msisdn": [1]}', "wrong_type")]:  # fmt: skip
        with pytest.raises(PoisonMessageError) as caught:
            decoder.decode(poison)
        assert caught.value.reason.startswith(reason)


# ---------- the batch path (decode_many) against the reference (decode)


def one_by_one(decoder: DebeziumDecoder | CdrDecoder, values: list[bytes | None]) -> list[Any]:
    """Per message: the decoded tuple, or the poison reason."""
    outcomes: list[Any] = []
    for value in values:
        try:
            outcomes.append(decoder.decode(value))
        except PoisonMessageError as error:
            outcomes.append(error.reason)
    return outcomes


def batched(decoder: DebeziumDecoder | CdrDecoder, values: list[bytes | None]) -> list[Any]:
    decoded = decoder.decode_many(values)
    return [
        decoded.poison.get(index) or tuple(column[index] for column in decoded.columns)
        for index in range(len(values))
    ]


def envelope(after: dict[str, Any] | None, **fields: Any) -> bytes:
    return json.dumps(
        {"op": "c", "after": after, "source": {"lsn": 5}, "ts_ms": 1} | fields
    ).encode()


def rescaled(scale: str) -> bytes:
    """A wrapped products event whose schema gives price_eur another scale."""
    value = json.loads(change_event("products", "u", None, product(), 2, 0, wrapped=True))
    after = next(f for f in value["schema"]["fields"] if f["field"] == "after")
    next(f for f in after["fields"] if f["field"] == "price_eur")["parameters"]["scale"] = scale
    return json.dumps(value).encode()


MIN_MICROS, MAX_MICROS = -62_135_596_800_000_000, 253_402_300_799_999_999
CLEAN_PRODUCT_EVENTS = [
    *(change_event("products", op, None, product(), 100 + n, 5, wrapped)
      for n, (op, wrapped) in enumerate([("r", False), ("c", True), ("u", False), ("u", True)])),
    change_event("products", "d", product(), None, 9, 0, wrapped=False),
    change_event("products", "d", product(), None, 9, 0, wrapped=True),
    envelope(None, op="d"),  # a delete without a before image: all nulls
    envelope(product(price=None, sku=None, created_at=None)),
    envelope(product(created_at=-1, updated_at=1_500_000)),
    envelope(product(created_at=MIN_MICROS, updated_at=MAX_MICROS)),
    envelope(product(product_id=2**70)),  # wider than bigint, still an integer's text
    envelope(product(price="-0.05")),
    envelope(product(), source={"snapshot": True, "txId": 3}),
    envelope(product(), source={"snapshot": "LAST"}),
    envelope(product(), source=None, ts_ms=None),
    b'{"op": "c", "after": {"product_id": 1, "product_id": 2}}',  # the last key wins
]  # fmt: skip
ODD_PRODUCT_EVENTS = [
    None,  # tombstone
    rescaled("4"),
    rescaled("x"),
    json.dumps({"schema": None, "payload": json.loads(envelope(product()))}).encode(),
    json.dumps({"payload": json.loads(envelope(product()))}).encode(),
    json.dumps({"schema": {}, "payload": None}).encode(),
    envelope(product(created_at=MAX_MICROS + 1)),
    envelope(product(updated_at=MIN_MICROS - 1)),
    envelope(product(category=["nested"])),
    envelope(product(), source=0),
    envelope(product(), source={"snapshot": 1}),
    envelope(product(), ts_ms=1.5),
    envelope(product(sku='"quoted", \\ and \u00fc')),
    envelope(product(sku="\ud800")),  # a lone surrogate: json.loads takes it, msgspec not
    b'{"op": "c", "after": {"product_id": NaN}}',
    b"",
]


def test_batch_decoding_gives_the_rows_and_reasons_of_one_by_one_decoding() -> None:
    values = [*CLEAN_PRODUCT_EVENTS, *ODD_PRODUCT_EVENTS, *(v for v, _ in POISON_CASES)]
    values += values[::-1]  # poison next to good messages, in another order
    assert batched(PRODUCTS, values) == one_by_one(PRODUCTS, values)


@pytest.mark.parametrize(("value", "reason"), POISON_CASES)
def test_batch_decoding_poison_among_good_messages(value: bytes, reason: str) -> None:
    good = change_event("products", "c", None, product(), 1, 0, wrapped=False)
    outcomes = batched(PRODUCTS, [good, value, good])
    assert outcomes[1].startswith(reason)
    assert outcomes[0] == outcomes[2] == PRODUCTS.decode(good)


def test_batch_decoding_takes_clean_events_without_the_reference_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decoder = DebeziumDecoder(known_topics()[shop_topic("products")])
    expected = one_by_one(decoder, CLEAN_PRODUCT_EVENTS)

    def refuse(value: bytes | None) -> tuple[Any, ...]:
        raise AssertionError(f"fell back to the reference path for {value!r}")

    monkeypatch.setattr(decoder, "decode", refuse)
    assert batched(decoder, CLEAN_PRODUCT_EVENTS) == expected


def test_batch_decoding_of_cdr_events() -> None:
    decoder = CdrDecoder(known_topics()["telecom.cdr"])
    event = {"cdr_id": "sw1-1", "switch_id": "sw1", "duration_s": 12, "bytes_up": 1.5,
             "bytes_down": None, "is_roaming": True, "cell_id": ""}  # fmt: skip
    values = [
        json.dumps(event).encode(),
        json.dumps(event | {"duration_s": "12s", "is_roaming": False, "bytes_up": -0.0}).encode(),
        json.dumps(event | {"cdr_id": ""}).encode(),
        json.dumps(event | {"cell_id": {"id": 1}}).encode(),
        json.dumps({"cdr_id": "sw1-2"}).encode(),
        b'{"cdr_id": "sw1-3", "duration_s": NaN}',
        b'{"cdr_id": "sw1-4", "bytes_up": 1e400}',
        b"[]",
        b"{",
        None,
    ]
    assert batched(decoder, values) == one_by_one(decoder, values)


def test_duckdb_sink_lands_any_text_as_it_was(tmp_path: Path) -> None:
    spec = known_topics()["telecom.cdr"]
    texts = ["", '"', "\\", "a,b", "line\nbreak", "tab\t", "\x00", "null", "\\N", "ü€😀",
             "],[", " padded ", None]  # fmt: skip
    rows = [(spec.topic, 0, n, text, 1_000 + n) + (text,) * len(spec.columns)
            for n, text in enumerate(texts)]  # fmt: skip
    sink = DuckDBSink(tmp_path / "warehouse.duckdb")
    try:
        sink.prepare([spec])
        sink.write("g", Batch(rows={spec.topic: rows}, next_offsets={(spec.topic, 0): 13}), {})
    finally:
        sink.close()
    names = ", ".join(name for name, _ in raw_columns(spec))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
        landed = connection.execute(
            f"select {names} from raw.{spec.raw_table} order by kafka_offset"
        ).fetchall()
    assert landed == rows


def test_duckdb_sink_keeps_a_lone_surrogate_as_backslash_text(tmp_path: Path) -> None:
    spec = known_topics()["telecom.cdr"]
    row = (spec.topic, 0, 0, "key", 1_000, "a\ud800b") + (None,) * (len(spec.columns) - 1)
    sink = DuckDBSink(tmp_path / "warehouse.duckdb")
    try:
        sink.prepare([spec])
        sink.write("g", Batch(rows={spec.topic: [row]}, next_offsets={(spec.topic, 0): 1}), {})
    finally:
        sink.close()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
        landed = connection.execute(f"select cdr_id from raw.{spec.raw_table}").fetchall()
    assert landed == [("a\\ud800b",)]


# ---------- every logical type, by the schema or by the topic's declared encodings
# Values are written by hand from Debezium's documented encodings: base64 big-endian
# two's-complement unscaled integers (scale in the schema), epoch days, milli-, micro- and
# nanoseconds since the epoch or midnight, ISO-8601 strings with an offset.

LOGICAL_COLUMNS = (
    Column("id", Kind.INT),
    Column("price", Kind.DECIMAL, 2),
    Column("amount", Kind.VARIABLE_DECIMAL),
    Column("day", Kind.DATE),
    Column("at_ms", Kind.TIMESTAMP_MS),
    Column("at_us", Kind.MICRO_TIMESTAMP),
    Column("at_ns", Kind.NANO_TIMESTAMP),
    Column("at_zoned", Kind.ZONED_TIMESTAMP),
    Column("time_ms", Kind.TIME_MS),
    Column("time_us", Kind.MICRO_TIME),
    Column("doc", Kind.JSON),
    Column("ref", Kind.UUID),
    Column("status", Kind.ENUM, allowed=("placed", "paid")),
    Column("note", Kind.TEXT),
)
LOGICAL = DebeziumDecoder(TopicSpec("test.logical", "kafka_test", "debezium", LOGICAL_COLUMNS))
LOGICAL_IMAGE = {
    "id": 1,
    "price": "B9w=",  # 2012 at scale 2
    "amount": {"scale": 0, "value": "Kg=="},  # 42, not 0.42
    "day": 20454,
    "at_ms": 1_767_225_600_123,
    "at_us": 1_767_225_600_123_456,
    "at_ns": 1_767_225_600_123_456_789,
    "at_zoned": "2026-01-01T01:30:00.5+01:00",
    "time_ms": 45_296_789,
    "time_us": 45_296_789_012,
    "doc": '{"gift": true}',
    "ref": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
    "status": "paid",
    "note": "hello",
}
LOGICAL_TEXTS = ("1", "20.12", "42", "2026-01-01", "2026-01-01 00:00:00.123000",
                 "2026-01-01 00:00:00.123456", "2026-01-01 00:00:00.123456789",
                 "2026-01-01 00:30:00.500000", "12:34:56.789", "12:34:56.789012",
                 '{"gift": true}', "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "paid",
                 "hello")  # fmt: skip


def logical_event(image: dict[str, Any] | None, op: str = "c", **fields: Any) -> bytes:
    return json.dumps(
        {"before": None, "after": image, "op": op, "ts_ms": 1,
         "source": {"lsn": 10, "txId": 2, "ts_ms": 1}} | fields
    ).encode()  # fmt: skip


def wrapped(columns: tuple[Column, ...], payload: bytes) -> bytes:
    schema = connect_schema("logical", columns)
    return json.dumps({"schema": schema, "payload": json.loads(payload)}).encode()


def test_bare_values_decode_by_the_declared_encodings() -> None:
    assert LOGICAL.decode(logical_event(LOGICAL_IMAGE))[META:] == LOGICAL_TEXTS


def test_wrapped_values_decode_by_the_schema_even_where_the_topic_declares_otherwise() -> None:
    # The topic declares every column as text; each message's schema says what it is.
    as_text = DebeziumDecoder(
        TopicSpec("test.text", "kafka_test", "debezium",
                  tuple(Column(c.name, Kind.TEXT) for c in LOGICAL_COLUMNS))
    )  # fmt: skip
    value = wrapped(LOGICAL_COLUMNS, logical_event(LOGICAL_IMAGE))
    assert as_text.decode(value)[META:] == LOGICAL_TEXTS
    assert batched(as_text, [value, value]) == [LOGICAL.decode(value)] * 2


def test_a_schema_scale_and_a_variable_scale_are_honoured() -> None:
    columns = tuple(replace(c, scale=4) if c.name == "price" else c for c in LOGICAL_COLUMNS)
    image = LOGICAL_IMAGE | {"price": "B1vNFQ==", "amount": {"scale": 3, "value": "+Do="}}
    row = LOGICAL.decode(wrapped(columns, logical_event(image)))
    assert row[META + 1 : META + 3] == ("12345.6789", "-1.990")


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("price", {"scale": 0, "value": "Kg=="}, "undecodable_decimal"),  # not numeric(p,s)
        ("price", "42.00", "undecodable_decimal"),  # string mode where precise is declared
        ("amount", "Kg==", "undecodable_decimal"),
        ("amount", {"scale": -1, "value": "Kg=="}, "undecodable_decimal"),
        ("day", "2026-01-01", "wrong_type"),
        ("at_ms", 1.5, "wrong_type"),
        ("at_us", 10**20, "wrong_type"),
        ("at_zoned", "2026-01-01T00:00:00", "wrong_type"),  # no offset: not a zoned value
        ("at_zoned", "2026-02-30T00:00:00Z", "wrong_type"),
        ("at_zoned", 1_767_225_600_000, "wrong_type"),
        ("time_ms", 86_400_000, "wrong_type"),
        ("time_us", -1, "wrong_type"),
        ("doc", "{not json", "wrong_type"),
        ("ref", "not-a-uuid", "wrong_type"),
        ("status", "shipped", "wrong_type"),
    ],
)
def test_a_value_that_does_not_fit_its_type_is_poison_naming_the_column(
    column: str, value: Any, reason: str
) -> None:
    message = logical_event(LOGICAL_IMAGE | {column: value})
    for decoded in (LOGICAL.decode, lambda v: LOGICAL.decode(wrapped(LOGICAL_COLUMNS, v))):
        with pytest.raises(PoisonMessageError) as caught:
            decoded(message)
        assert caught.value.reason.startswith(reason)
        assert caught.value.reason.endswith(f"(column {column})")
    assert batched(LOGICAL, [message]) == one_by_one(LOGICAL, [message])


def test_an_unknown_logical_type_in_the_schema_is_poison() -> None:
    value = json.loads(wrapped(LOGICAL_COLUMNS, logical_event(LOGICAL_IMAGE)))
    after = next(f for f in value["schema"]["fields"] if f["field"] == "after")
    after["fields"][1]["name"] = "io.debezium.data.Bits"
    with pytest.raises(PoisonMessageError) as caught:
        LOGICAL.decode(json.dumps(value).encode())
    assert caught.value.reason == "unsupported_type: 'io.debezium.data.Bits' (column price)"


def test_the_unavailable_placeholder_lands_as_itself_in_any_toastable_column() -> None:
    placeholder = "__debezium_unavailable_value"
    image = LOGICAL_IMAGE | {"note": placeholder, "doc": placeholder, "status": placeholder,
                             "price": "X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ=="}  # fmt: skip
    row = LOGICAL.decode(logical_event(image, op="u"))
    assert (row[META + 1], row[META + 10], row[META + 12], row[META + 13]) == (placeholder,) * 4
    assert batched(LOGICAL, [logical_event(image, op="u")]) == [row]


def test_truncate_lands_without_an_image_and_a_logical_message_is_skipped() -> None:
    truncate = logical_event(None, op="t")
    message = json.dumps({"op": "m", "ts_ms": 1, "source": {"lsn": 11},
                          "message": {"prefix": "audit", "content": "aGk="}}).encode()  # fmt: skip
    assert LOGICAL.decode(truncate) == ("t", 10, 2, 1, None, 1) + (None,) * len(LOGICAL_COLUMNS)
    with pytest.raises(SkippedMessage):
        LOGICAL.decode(message)
    good = logical_event(LOGICAL_IMAGE)
    decoded = LOGICAL.decode_many([good, message, truncate, wrapped(LOGICAL_COLUMNS, message)])
    assert decoded.skipped == {1, 3} and not decoded.poison
    assert [column[2] for column in decoded.columns] == list(LOGICAL.decode(truncate))


def test_update_without_before_and_delete_with_only_the_key() -> None:
    update = logical_event(LOGICAL_IMAGE, op="u", before=None)
    delete = logical_event(None, op="d", before={"id": 1})
    assert LOGICAL.decode(update)[META:] == LOGICAL_TEXTS
    assert LOGICAL.decode(delete)[META:] == ("1",) + (None,) * (len(LOGICAL_COLUMNS) - 1)
    assert batched(LOGICAL, [update, delete]) == one_by_one(LOGICAL, [update, delete])


@pytest.mark.parametrize(
    ("pg_type", "settings", "expected"),
    [
        ("numeric(12,2)", {}, (Kind.DECIMAL, 2)),
        ("numeric", {}, (Kind.VARIABLE_DECIMAL, 0)),
        ("numeric(12,2)", {"decimal.handling.mode": "string"}, (Kind.DECIMAL_STRING, 0)),
        ("timestamp", {}, (Kind.MICRO_TIMESTAMP, 0)),
        ("timestamp(3)", {}, (Kind.TIMESTAMP_MS, 0)),
        ("timestamp", {"time.precision.mode": "connect"}, (Kind.TIMESTAMP_MS, 0)),
        ("timestamptz", {}, (Kind.ZONED_TIMESTAMP, 0)),
        ("timestamp with time zone", {}, (Kind.ZONED_TIMESTAMP, 0)),
        ("date", {}, (Kind.DATE, 0)),
        ("time", {}, (Kind.MICRO_TIME, 0)),
        ("time(3)", {}, (Kind.TIME_MS, 0)),
        ("time(3)", {"time.precision.mode": "adaptive_time_microseconds"}, (Kind.MICRO_TIME, 0)),
        ("jsonb", {}, (Kind.JSON, 0)),
        ("uuid", {}, (Kind.UUID, 0)),
        ("bigint", {}, (Kind.INT, 0)),
    ],
)
def test_declared_encodings_follow_the_connector_settings(
    pg_type: str, settings: dict[str, str], expected: tuple[Kind, int]
) -> None:
    assert column_kind(pg_type, settings) == expected


def test_unsupported_connector_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="double"):
        column_kind("numeric(12,2)", {"decimal.handling.mode": "double"})
