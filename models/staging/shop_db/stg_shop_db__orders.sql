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

        {{ extracted_row_columns() }}

    from extracted

)

select * from typed
