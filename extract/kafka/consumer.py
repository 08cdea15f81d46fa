"""The micro-batch loop: consume, decode, land rows and offsets in one transaction.

Exactly-once landing without Kafka transactions: the warehouse owns the offsets. On
partition assignment the consumer seeks to the offsets stored in the warehouse, never to
Kafka's committed ones (those are committed after the warehouse, for lag dashboards only).
Each write also checks that the stored offsets are still where this batch started, so a
zombie consumer whose partitions moved on cannot land a batch twice.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import dataclass, field
from itertools import compress, islice, repeat
from operator import is_not, itemgetter, lt, ne
from typing import Any, cast

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Message, TopicPartition

from extract.kafka.cdr_events import CdrDecoder
from extract.kafka.config import ExtractorConfig
from extract.kafka.debezium import DebeziumDecoder
from extract.kafka.sink import Batch, DeadLetter, Sink, StaleBatchError, TopicPartitionKey
from extract.kafka.topics import TopicSpec, resolve

log = logging.getLogger(__name__)

CONSUME_CHUNK = 10_000
_SECOND = itemgetter(1)  # of Message.timestamp(): (type, milliseconds)


@dataclass
class RunStats:
    messages: int = 0
    dead_letters: int = 0
    skipped: int = 0  # logical decoding messages (op m): not row changes, not landed
    batches: int = 0
    fetch_s: float = 0.0
    # Part of fetch_s after the first message spent in polls that returned nothing.
    idle_s: float = 0.0
    decode_s: float = 0.0
    write_s: float = 0.0
    started: float = field(default_factory=time.perf_counter)
    # When the first message arrived: before it the run waits for the group join.
    first_message_at: float | None = None


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", errors="backslashreplace")


def _changes(values: list[Any]) -> set[int]:
    """Indexes where a value differs from the one before it."""
    return set(compress(range(1, len(values)), map(ne, values, islice(values, 1, None))))


def _key_texts(raw_keys: list[bytes | None]) -> list[str | None]:
    try:
        # strict UTF-8: the text is the same; a None raises the TypeError caught below
        return list(map(bytes.decode, cast("list[bytes]", raw_keys)))
    except (TypeError, UnicodeDecodeError):  # a null key, or bytes that are not UTF-8
        return list(map(_text, raw_keys))


def _without_errors(messages: list[Message], errors: list[KafkaError | None]) -> list[Message]:
    for error in errors:
        if error is not None and error.code() != KafkaError._PARTITION_EOF:
            log.warning("consumer error: %s", error)
    return [message for message, error in zip(messages, errors, strict=True) if error is None]


@dataclass
class FreshMessages:
    """Messages of one topic to land, with their partitions and offsets (parallel lists)."""

    messages: list[Message]
    partitions: list[int]
    offsets: list[int]

    def append(self, message: Message, partition: int, offset: int) -> None:
        self.messages.append(message)
        self.partitions.append(partition)
        self.offsets.append(offset)

    def extend(self, other: FreshMessages) -> None:
        self.messages.extend(other.messages)
        self.partitions.extend(other.partitions)
        self.offsets.extend(other.offsets)


def fresh_by_topic(
    messages: list[Message],
    positions: dict[TopicPartitionKey, int],
    starts: dict[TopicPartitionKey, int],
    ends: dict[TopicPartitionKey, int],
) -> dict[str, FreshMessages]:
    """Per topic, the messages to land: those of partitions in `positions` whose offset is
    at or past the partition's position, as if taken one at a time in order.

    Advances `positions`. Notes in `starts` the position a partition had when it first gave
    a message (where the pending batch starts) and in `ends` the offset after its last one.
    A run of one partition's messages with rising offsets from its position is taken whole;
    any other run (a replay after a seek) is filtered message by message.
    """
    if not messages:
        return {}
    # Consumed messages without an error always have a topic, a partition and an offset.
    topics = cast("list[str]", list(map(Message.topic, messages)))
    partitions = cast("list[int]", list(map(Message.partition, messages)))
    offsets = cast("list[int]", list(map(Message.offset, messages)))
    changes = sorted(_changes(partitions) | _changes(topics))
    fresh: dict[str, FreshMessages] = {}
    for start, end in zip([0, *changes], [*changes, len(messages)], strict=True):
        key = (topics[start], partitions[start])
        position = positions.get(key)
        if position is None:
            continue  # not (or no longer) assigned here
        run = offsets[start:end]
        if run[0] >= position and all(map(lt, run, islice(run, 1, None))):
            taken = FreshMessages(messages[start:end], partitions[start:end], run)
        else:
            taken = FreshMessages([], [], [])
            for index in range(start, end):
                if offsets[index] >= position:
                    taken.append(messages[index], key[1], offsets[index])
                    position = offsets[index] + 1
            if not taken.offsets:
                continue
        starts.setdefault(key, positions[key])
        positions[key] = ends[key] = taken.offsets[-1] + 1
        if key[0] in fresh:
            fresh[key[0]].extend(taken)
        else:
            fresh[key[0]] = taken
    return fresh


class Extractor:
    """One consumer-group member landing its partitions into a `Sink`."""

    def __init__(self, config: ExtractorConfig, sink: Sink) -> None:
        self._config = config
        self._sink = sink
        self._specs: list[TopicSpec] = resolve(list(config.topics))
        self._decoders: dict[str, DebeziumDecoder | CdrDecoder] = {
            spec.topic: DebeziumDecoder(spec) if spec.format == "debezium" else CdrDecoder(spec)
            for spec in self._specs
        }
        self._consumer = Consumer(config.consumer_settings())
        # Next offset to land per owned partition; messages below it are replays.
        self._positions: dict[TopicPartitionKey, int] = {}
        # Offsets the pending batch started from (what the warehouse must still hold).
        self._batch_starts: dict[TopicPartitionKey, int] = {}
        self._batch = Batch()
        self._batch_began = 0.0
        self._assigned_once = False
        self.stats = RunStats()

    # ---------- rebalance callbacks (called from inside consume())

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        keys = [(tp.topic, tp.partition) for tp in partitions]
        stored = self._sink.stored_offsets(self._config.group_id, keys)
        for tp in partitions:
            key = (tp.topic, tp.partition)
            tp.offset = stored.get(key, OFFSET_BEGINNING)
            self._positions[key] = stored.get(key, 0)
        consumer.assign(partitions)
        self._assigned_once = True
        log.info(
            "assigned %s", ", ".join(f"{t}[{p}]@{stored.get((t, p), 'start')}" for t, p in keys)
        )

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # Land what we hold before another member may start from the warehouse offsets.
        self._flush()
        for tp in partitions:
            self._positions.pop((tp.topic, tp.partition), None)
        consumer.unassign()
        log.info("revoked %d partitions", len(partitions))

    def _on_lost(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # Partitions lost (session expired) may already be consumed elsewhere: drop the
        # pending batch instead of landing it; the new owner lands those messages.
        self._batch, self._batch_starts = Batch(), {}
        for tp in partitions:
            self._positions.pop((tp.topic, tp.partition), None)
        consumer.unassign()
        log.warning("lost %d partitions; pending batch dropped", len(partitions))

    # ---------- the loop

    def run(self, stop: threading.Event) -> RunStats:
        """Land until caught up (or, with `follow`, until `stop` is set)."""
        config = self._config
        self._sink.prepare(self._specs)
        self._consumer.subscribe(
            list(config.topics),
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
            on_lost=self._on_lost,
        )
        idle = 0
        next_progress = time.perf_counter() + config.progress_interval_s
        last_progress = (time.perf_counter(), 0)
        try:
            while not stop.is_set():
                began = time.perf_counter()
                messages = self._consumer.consume(CONSUME_CHUNK, config.poll_timeout_s)
                decoded = time.perf_counter()
                self.stats.fetch_s += decoded - began
                if messages:
                    idle = 0
                    if self.stats.first_message_at is None:
                        self.stats.first_message_at = began
                    self._take(messages)
                    self.stats.decode_s += time.perf_counter() - decoded
                else:
                    idle += 1
                    if self.stats.first_message_at is not None:
                        self.stats.idle_s += decoded - began
                if self._batch_is_due():
                    self._flush()
                now = time.perf_counter()
                if now >= next_progress:
                    last_progress = self._log_progress(now, last_progress)
                    next_progress = now + config.progress_interval_s
                if not config.follow and idle >= config.idle_polls and self._caught_up():
                    break
            self._flush()
        finally:
            # close() leaves the group; its revoke callback flushes whatever is pending.
            self._consumer.close()
        self._log_progress(time.perf_counter(), last_progress)
        return self.stats

    def _take(self, messages: list[Message]) -> None:
        """Decode messages into the pending batch (replays and foreign partitions skipped).

        Work is done per column over the whole chunk (C-level `map` over the messages'
        accessors) rather than per message: at hundreds of thousands of messages a second,
        Python's per-message overhead is the cost.
        """
        if self._batch.is_empty():
            self._batch_began = time.perf_counter()
        errors = list(map(Message.error, messages))
        # By identity: comparing a KafkaError with None raises.
        if any(map(is_not, errors, repeat(None))):
            messages = _without_errors(messages, errors)
        # Nothing here builds reference cycles, yet the row tuples it allocates set off
        # collector passes that cost about 15% of decoding: pause the collector meanwhile.
        collecting = gc.isenabled()
        gc.disable()
        try:
            fresh = fresh_by_topic(
                messages, self._positions, self._batch_starts, self._batch.next_offsets
            )
            for topic, chosen in fresh.items():
                self._decode_into_batch(topic, chosen)
        finally:
            if collecting:
                gc.enable()

    def _decode_into_batch(self, topic: str, chosen: FreshMessages) -> None:
        """Rows of the decoded messages, dead letters of the poison ones, into the batch."""
        messages, partitions, offsets = chosen.messages, chosen.partitions, chosen.offsets
        values = list(map(Message.value, messages))
        keys = _key_texts(list(map(Message.key, messages)))
        timestamps = list(map(_SECOND, map(Message.timestamp, messages)))
        decoded = self._decoders[topic].decode_many(values)
        rows = list(zip(repeat(topic), partitions, offsets, keys, timestamps, *decoded.columns))
        batch = self._batch
        if decoded.poison or decoded.skipped:
            poison = decoded.poison
            batch.dead_letters.extend(
                DeadLetter(topic, partitions[i], offsets[i], keys[i], _text(values[i]), reason)
                for i, reason in poison.items()
            )
            # Logical decoding messages are not row changes: counted, their offsets
            # advance with the batch, nothing lands.
            batch.skipped += len(decoded.skipped)
            dropped = poison.keys() | decoded.skipped
            rows = [row for index, row in enumerate(rows) if index not in dropped]
        if topic in batch.rows:
            batch.rows[topic].extend(rows)
        else:
            batch.rows[topic] = rows

    def _batch_is_due(self) -> bool:
        batch = self._batch
        if batch.is_empty():
            return False
        return (
            batch.messages >= self._config.batch_size
            or time.perf_counter() - self._batch_began >= self._config.batch_age_s
        )

    def _flush(self) -> None:
        batch, starts = self._batch, self._batch_starts
        if batch.is_empty():
            return
        self._batch, self._batch_starts = Batch(), {}
        began = time.perf_counter()
        try:
            self._sink.write(self._config.group_id, batch, starts)
        except StaleBatchError as error:
            log.warning("batch dropped: %s; seeking to the warehouse offsets", error)
            self._reseek(list(starts))
            return
        self.stats.write_s += time.perf_counter() - began
        self.stats.batches += 1
        self.stats.messages += batch.messages
        self.stats.dead_letters += len(batch.dead_letters)
        self.stats.skipped += batch.skipped
        # For lag dashboards only; the warehouse is the source of truth, so a failed
        # commit is harmless.
        try:
            self._consumer.commit(
                offsets=[TopicPartition(t, p, o) for (t, p), o in batch.next_offsets.items()],
                asynchronous=True,
            )
        except Exception as error:  # KafkaException, e.g. during a rebalance
            log.debug("kafka commit skipped: %s", error)
        log.debug("batch of %d landed in %.3fs", batch.messages, time.perf_counter() - began)

    def _reseek(self, keys: list[TopicPartitionKey]) -> None:
        stored = self._sink.stored_offsets(self._config.group_id, keys)
        for key in keys:
            if key in self._positions:
                offset = stored.get(key, 0)
                self._positions[key] = offset
                try:
                    self._consumer.seek(TopicPartition(key[0], key[1], offset))
                except Exception as error:  # KafkaException: partition no longer fetched
                    log.warning("seek %s[%d] to %d failed: %s", key[0], key[1], offset, error)

    # ---------- progress and completion

    def _high_watermarks(self) -> dict[TopicPartitionKey, int]:
        """High watermarks from the last fetch responses (cached: ListOffsets is not
        trusted, it reports too low a value on some brokers)."""
        highs: dict[TopicPartitionKey, int] = {}
        for topic, partition in self._positions:
            _, high = self._consumer.get_watermark_offsets(
                TopicPartition(topic, partition), cached=True
            )
            highs[(topic, partition)] = high
        return highs

    def _caught_up(self) -> bool:
        if not self._assigned_once:
            return False
        if not self._positions:
            return True  # a group member without partitions has nothing to drain
        highs = self._high_watermarks()
        return (
            all(high >= 0 and self._positions[key] >= high for key, high in highs.items())
            and self._batch.is_empty()
        )

    def _log_progress(self, now: float, last: tuple[float, int]) -> tuple[float, int]:
        landed = self.stats.messages
        rate = (landed - last[1]) / max(now - last[0], 1e-9)
        highs = self._high_watermarks()
        lag = ", ".join(
            f"{t}[{p}]={max(high - self._positions[(t, p)], 0) if high >= 0 else '?'}"
            for (t, p), high in sorted(highs.items())
        )
        log.info(
            "landed %d messages (%d dead letters, %d skipped) in %d batches, %.0f msg/s; lag %s",
            landed, self.stats.dead_letters, self.stats.skipped, self.stats.batches, rate,
            lag or "-",
        )  # fmt: skip
        return now, landed


def describe(stats: RunStats) -> dict[str, Any]:
    elapsed = time.perf_counter() - stats.started
    return {
        "messages": stats.messages,
        "dead_letters": stats.dead_letters,
        "skipped": stats.skipped,
        "batches": stats.batches,
        "elapsed_s": round(elapsed, 3),
        "fetch_s": round(stats.fetch_s, 3),
        "idle_s": round(stats.idle_s, 3),
        "decode_s": round(stats.decode_s, 3),
        "write_s": round(stats.write_s, 3),
    }
