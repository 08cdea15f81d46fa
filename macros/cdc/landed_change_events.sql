{#-
    The change events of a Debezium topic's raw table, once each, with their metadata
    named and typed: `change_event_id` (also `source_row_id`, for the quarantine),
    `change_operation` (r, c, u, d, or t for a truncate), `is_deleted`, `is_truncate`,
    `source_lsn`, `source_tx_id`, `changed_at` (commit time in the source),
    `is_snapshot`, `source_file` (topic/partition), `kafka_partition`, `kafka_offset`,
    `loaded_at`, `raw_record` (the row image's `columns` as landed, as JSON text); the
    row image's columns as landed.

    The extractor lands each offset once per consumer group; a second group (a replay
    from the start, a new deployment) lands it again, so only the first landing of a
    (topic, partition, offset) is kept. Tombstones (null values, landed with a null
    `op`) are dropped: they only tell log compaction to forget the key, and the delete
    event just before each carries the change. A truncate has no row image: its key
    columns are null.
-#}
{% macro landed_change_events(relation, columns) -%}
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
        {{ telestream.generate_surrogate_key(['kafka_topic', 'kafka_partition', 'kafka_offset']) }}
            as source_row_id,
        {{ dbt.concat(['kafka_topic', "'/'", dbt.cast('kafka_partition', dbt.type_string())]) }}
            as source_file,
        {{ telestream.json_object_text(['op', 'lsn', 'source_ts_ms'] + columns) }} as raw_record,
        op as change_operation,
        op = 'd' as is_deleted,
        op = 't' as is_truncate,
        lsn as source_lsn,
        tx_id as source_tx_id,
        {{ telestream.epoch_ms_to_timestamp('source_ts_ms') }} as changed_at,
        coalesce(snapshot, 'false') <> 'false' as is_snapshot,
        _landed_at as loaded_at
    from landed
    where landing_rank = 1
{%- endmacro %}

{#-
    The change metadata and Kafka lineage columns `landed_change_events` adds, and the
    commit-ordered `effective_at` and `reject_reason` of a CDC staging model, as the tail
    of its select list: the same names and order in every one.
-#}
{% macro change_event_columns() -%}
        ---------- change
        change_operation,
        is_deleted,
        is_truncate,
        is_snapshot,
        source_lsn,
        source_tx_id,
        changed_at,

        ---------- lineage
        source_row_id,
        source_file,
        kafka_partition,
        kafka_offset,
        loaded_at,
        raw_record
{%- endmacro %}
