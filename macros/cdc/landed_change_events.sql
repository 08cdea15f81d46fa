{#-
    The change events of a Debezium topic's raw table, once each, with their metadata
    named and typed: `change_event_id`, `change_operation` (r, c, u, d), `is_deleted`,
    `source_lsn`, `source_tx_id`, `changed_at` (commit time in the source), `is_snapshot`,
    `kafka_partition`, `kafka_offset`, `loaded_at`; the row image's columns as landed.

    The extractor lands each offset once per consumer group; a second group (a replay
    from the start, a new deployment) lands it again, so only the first landing of a
    (topic, partition, offset) is kept. Tombstones (null values, landed with a null
    `op`) are dropped: they only tell log compaction to forget the key, and the delete
    event just before each carries the change.
-#}
{% macro landed_change_events(relation) -%}
    with

    landed as (

        select
            *,
            row_number() over (
                partition by kafka_topic, kafka_partition, kafka_offset
                order by _landed_at
            ) as landing_rank
        from {{ relation }}
        where op is not null

    )

    select
        landed.*,
        {{ telestream.generate_surrogate_key(['kafka_topic', 'kafka_partition', 'kafka_offset']) }}
            as change_event_id,
        op as change_operation,
        op = 'd' as is_deleted,
        lsn as source_lsn,
        tx_id as source_tx_id,
        {{ telestream.epoch_ms_to_timestamp('source_ts_ms') }} as changed_at,
        coalesce(snapshot, 'false') <> 'false' as is_snapshot,
        _landed_at as loaded_at
    from landed
    where landing_rank = 1
{%- endmacro %}

{#-
    The change metadata and Kafka lineage columns `landed_change_events` adds, as the
    tail of a CDC staging model's select list: the same names and order in every one.
-#}
{% macro change_event_columns() -%}
        ---------- change
        change_operation,
        is_deleted,
        is_snapshot,
        source_lsn,
        source_tx_id,
        changed_at,

        ---------- lineage
        kafka_partition,
        kafka_offset,
        loaded_at
{%- endmacro %}
