with

change_events as (

    {{ landed_change_events(source('shop_cdc', 'order_items')) }}

),

typed as (

    select

        ---------- ids
        change_event_id,
        cast(order_item_id as bigint) as order_item_id,
        cast(order_id as bigint) as order_id,
        cast(product_id as bigint) as product_id,

        ---------- measures
        cast(quantity as integer) as quantity,
        cast(unit_price_eur as numeric(18, 2)) as unit_price_eur,

        ---------- timestamps
        cast(created_at as timestamp) as created_at,

        {{ change_event_columns() }}

    from change_events

)

select * from typed
