with

extracted as (

    {{ extracted_rows(source('shop_db', 'orders'), [
        'order_id', 'customer_id', 'order_status', 'channel', 'ordered_at', 'updated_at',
    ], 'updated_at') }}

),

typed as (

    select

        ---------- ids
        extracted_row_id,
        cast(order_id as bigint) as order_id,
        cast(customer_id as bigint) as customer_id,

        ---------- properties
        lower(order_status) as order_status,
        lower(channel) as order_channel,

        ---------- timestamps
        cast(ordered_at as timestamp) as ordered_at,
        cast(updated_at as timestamp) as updated_at,

        {{ extracted_row_columns() }},
        case
            when order_id is null then 'missing_order_id'
            when {{ is_log_position_collision('order_id') }} then 'conflicting_rows_at_log_position'
            when not is_deleted and updated_at is null then 'missing_updated_at'
            when not is_deleted and updated_at < ordered_at then 'updated_before_ordered'
        end as reject_reason

    from extracted

),

ordered as (

    select
        *,
        {{ commit_ordered_at('changed_at', 'order_id', 'source_lsn, loaded_at') }} as effective_at
    from typed

)

select * from ordered
