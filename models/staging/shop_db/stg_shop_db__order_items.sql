with

extracted as (

    {{ extracted_rows(source('shop_db', 'order_items'), [
        'order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price_eur', 'created_at',
    ], 'created_at') }}

),

typed as (

    select

        ---------- ids
        extracted_row_id,
        cast(order_item_id as bigint) as order_item_id,
        cast(order_id as bigint) as order_id,
        cast(product_id as bigint) as product_id,

        ---------- measures
        cast(quantity as integer) as quantity,
        cast(unit_price_eur as numeric(18, 2)) as unit_price_eur,

        ---------- timestamps
        cast(created_at as timestamp) as created_at,

        {{ extracted_row_columns() }}

    from extracted

)

select * from typed
