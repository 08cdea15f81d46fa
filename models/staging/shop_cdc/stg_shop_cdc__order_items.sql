with

source as (

    select * from {{ source('shop_cdc', 'order_items') }}

),

-- tombstones (a null `op`) only tell log compaction to forget the key: the delete event
-- just before each carries the change
change_events as (

    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price_eur,
        created_at,
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
            'order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price_eur', 'created_at',
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
        {{ unavailable_value_run('unit_price_eur', 'order_item_id') }} as unit_price_eur__run
    from ranked_landings
    where landing_rank = 1

),

-- an unchanged TOASTed column arrives as the connector's placeholder: the key's
-- previous value in commit order
available as (

    select
        *,
        {{ available_value('unit_price_eur', 'order_item_id') }} as unit_price_eur__available,
        ({{ is_unavailable_value('unit_price_eur') }}) is true as has_unavailable_values
    from unavailable_runs

),

-- the first rule an event breaks is its reject reason
validated as (

    select
        *,
        case
            when not is_truncate and {{ is_invalid_required('order_item_id', 'integer') }}
                then 'invalid_order_item_id'
            when source_lsn is null or changed_at is null
                then 'missing_log_position'
            when {{ is_log_position_collision('order_item_id') }}
                then 'conflicting_event_at_log_position'
            when not is_deleted and not is_truncate and {{ is_invalid_required('order_id', 'integer') }}
                then 'invalid_order_id'
            when not is_deleted and not is_truncate and {{ is_invalid_required('product_id', 'integer') }}
                then 'invalid_product_id'
            when not is_deleted and not is_truncate and {{ is_invalid_required('quantity', 'integer') }}
                then 'invalid_quantity'
            when quantity like '-%' or quantity = '0'
                then 'non_positive_quantity'
            when not is_deleted and not is_truncate and unit_price_eur__available is null
                then 'missing_price'
            when not {{ is_decimal_of_scale('unit_price_eur__available', 2) }}
                then 'invalid_price'
            when unit_price_eur__available like '-%'
                then 'negative_price'
            when not is_deleted and not is_truncate and created_at is null
                then 'missing_created_at'
            when not {{ is_change_timestamp('created_at') }}
                then 'unparseable_created_at'
        end as reject_reason
    from available

),

typed as (

    select

        ---------- ids
        change_event_id,
        {{ cast_text('order_item_id', 'integer', 'bigint') }} as order_item_id,
        {{ cast_text('order_id', 'integer', 'bigint') }} as order_id,
        {{ cast_text('product_id', 'integer', 'bigint') }} as product_id,
        has_unavailable_values,

        ---------- measures
        {{ cast_text('quantity', 'integer', 'integer') }} as quantity,
        cast(
            case when {{ is_decimal_of_scale('unit_price_eur__available', 2) }} then unit_price_eur__available end
            as numeric(18, 2)
        ) as unit_price_eur,

        ---------- timestamps
        {{ change_timestamp('created_at') }} as created_at,

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
        {{ commit_ordered_at('changed_at', 'order_item_id') }} as effective_at
    from typed

)

select * from ordered
