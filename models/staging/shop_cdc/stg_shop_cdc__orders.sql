with

source as (

    select * from {{ source('shop_cdc', 'orders') }}

),

-- tombstones (a null `op`) only tell log compaction to forget the key: the delete event
-- just before each carries the change
change_events as (

    select
        order_id,
        customer_id,
        order_status,
        channel,
        ordered_at,
        updated_at,
        op as change_operation,
        op = 'd' as is_deleted,
        op = 't' as is_truncate,
        coalesce(snapshot, 'false') <> 'false' as is_snapshot,
        lsn as source_lsn,
        tx_id as source_tx_id,
        {{ epoch_ms_to_timestamp('source_ts_ms') }} as changed_at,
        kafka_topic,
        kafka_partition,
        kafka_offset,
        {{ dbt.concat(['kafka_topic', "'/'", dbt.cast('kafka_partition', dbt.type_string())]) }}
            as source_file,
        _landed_at as loaded_at,
        {{ generate_surrogate_key(['kafka_topic', 'kafka_partition', 'kafka_offset']) }} as change_event_id,
        {{ json_object_text([
            'op', 'lsn', 'source_ts_ms',
            'order_id', 'customer_id', 'order_status', 'channel', 'ordered_at', 'updated_at',
        ]) }} as raw_record
    from source
    where op is not null

),

-- the extractor lands each offset once per consumer group; a second group (a replay
-- from the start, a new deployment) lands it again, and only the first landing counts
ranked_landings as (

    select
        *,
        row_number() over (
            partition by kafka_topic, kafka_partition, kafka_offset
            order by loaded_at
        ) as landing_rank
    from change_events

),

unavailable_runs as (

    select
        *,
        {{ unavailable_value_run('order_status', 'order_id') }} as order_status__run,
        {{ unavailable_value_run('channel', 'order_id') }} as channel__run
    from ranked_landings
    where landing_rank = 1

),

-- an unchanged TOASTed column arrives as the connector's placeholder: the key's
-- previous value in commit order
available as (

    select
        *,
        {{ available_value('order_status', 'order_id') }} as order_status__available,
        {{ available_value('channel', 'order_id') }} as channel__available,
        (
            {{ is_unavailable_value('order_status') }}
            or {{ is_unavailable_value('channel') }}
        ) is true as has_unavailable_values
    from unavailable_runs

),

-- the first rule an event breaks is its reject reason
validated as (

    select
        *,
        case
            when not is_truncate and {{ is_invalid_required('order_id', 'integer') }}
                then 'invalid_order_id'
            when source_lsn is null or changed_at is null
                then 'missing_log_position'
            when {{ is_log_position_collision('order_id') }}
                then 'conflicting_event_at_log_position'
            when not {{ is_text_of_kind('customer_id', 'integer') }}
                then 'invalid_customer_id'
            when not is_deleted and not is_truncate and updated_at is null
                then 'missing_updated_at'
            when not {{ is_change_timestamp('updated_at') }}
                then 'unparseable_updated_at'
            when not {{ is_change_timestamp('ordered_at') }}
                then 'unparseable_ordered_at'
            when not is_deleted and {{ change_timestamp('updated_at') }} < {{ change_timestamp('ordered_at') }}
                then 'updated_before_ordered'
        end as reject_reason
    from available

),

typed as (

    select

        ---------- ids
        change_event_id,
        {{ cast_text('order_id', 'integer', 'bigint') }} as order_id,
        {{ cast_text('customer_id', 'integer', 'bigint') }} as customer_id,

        ---------- properties
        lower(order_status__available) as order_status,
        lower(channel__available) as order_channel,
        has_unavailable_values,

        ---------- timestamps
        {{ change_timestamp('ordered_at') }} as ordered_at,
        {{ change_timestamp('updated_at') }} as updated_at,

        ---------- change
        change_operation,
        is_deleted,
        is_truncate,
        is_snapshot,
        source_lsn,
        source_tx_id,
        changed_at,

        ---------- lineage
        change_event_id as source_row_id,
        source_file,
        kafka_partition,
        kafka_offset,
        loaded_at,
        raw_record,

        ---------- validation
        reject_reason

    from validated

),

ordered as (

    select
        *,
        {{ commit_ordered_at('changed_at', 'order_id') }} as effective_at
    from typed

)

select * from ordered
