with

change_events as (

    {{ landed_change_events(source('shop_cdc', 'orders')) }}

),

typed as (

    select

        ---------- ids
        change_event_id,
        cast(order_id as bigint) as order_id,
        cast(customer_id as bigint) as customer_id,

        ---------- properties
        lower(order_status) as order_status,
        lower(channel) as order_channel,

        ---------- timestamps
        cast(ordered_at as timestamp) as ordered_at,
        cast(updated_at as timestamp) as updated_at,

        {{ change_event_columns() }}

    from change_events

)

select * from typed
