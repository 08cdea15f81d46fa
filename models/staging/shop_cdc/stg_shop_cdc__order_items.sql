with

change_events as (

    {{ landed_change_events(source('shop_cdc', 'order_items'), [
        'order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price_eur', 'created_at',
    ]) }}

),

available as (

    {{ keep_unavailable_values('change_events', 'order_item_id', ['unit_price_eur']) }}

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

        {{ change_event_columns() }},
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

ordered as (

    select
        *,
        {{ commit_ordered_at('changed_at', 'order_item_id') }}
            as effective_at
    from typed

)

select * from ordered
