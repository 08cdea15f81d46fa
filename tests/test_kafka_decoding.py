"""Decoding of hand-written Debezium envelopes and CDR events (no broker needed)."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest

from extract.kafka.cdr_events import CdrDecoder
from extract.kafka.debezium import (
    DebeziumDecoder,
    PoisonMessageError,
    decimal_text,
    micro_timestamp_text,
)
from extract.kafka.publish import change_event, encode_decimal, encode_micro_timestamp
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


@pytest.mark.parametrize(
    ("value", "reason"),
    [
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
    ],
)  # fmt: skip
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
