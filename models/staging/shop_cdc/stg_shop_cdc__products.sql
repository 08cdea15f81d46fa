with

change_events as (

    {{ landed_change_events(source('shop_cdc', 'products')) }}

),

typed as (

    select

        ---------- ids
        change_event_id,
        cast(product_id as bigint) as product_id,
        sku,

        ---------- properties
        product_name,
        lower(category) as product_category,

        ---------- measures
        cast(price_eur as numeric(18, 2)) as price_eur,

        ---------- timestamps
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,

        {{ change_event_columns() }}

    from change_events

)

select * from typed
