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

        {{ extracted_row_columns() }},
        case
            when order_item_id is null then 'missing_order_item_id'
            when {{ is_log_position_collision('order_item_id') }} then 'conflicting_rows_at_log_position'
            when not is_deleted and (order_id is null or product_id is null) then 'missing_order_or_product'
            when not is_deleted and quantity is null then 'missing_quantity'
            when quantity <= 0 then 'non_positive_quantity'
            when not is_deleted and unit_price_eur is null then 'missing_price'
            when unit_price_eur < 0 then 'negative_price'
            when not is_deleted and created_at is null then 'missing_created_at'
        end as reject_reason

    from extracted

),

ordered as (

    select
        *,
        {{ commit_ordered_at('changed_at', 'order_item_id', 'source_lsn, loaded_at') }} as effective_at
    from typed

)

select * from ordered
