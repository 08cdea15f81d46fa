"""Decoding of hand-written Debezium envelopes and CDR events, one by one and in batches,
and the DuckDB sink's bulk path (no broker needed)."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from extract.kafka.cdr_events import CdrDecoder
from extract.kafka.debezium import (
    DebeziumDecoder,
    PoisonMessageError,
    decimal_text,
    micro_timestamp_text,
)
from extract.kafka.publish import change_event, encode_decimal, encode_micro_timestamp
from extract.kafka.sink import Batch, raw_columns
from extract.kafka.sink_duckdb import DuckDBSink
from extract.kafka.topics import known_topics, shop_topic

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
