with

extracted as (

    {{ extracted_rows(source('shop_db', 'products'), [
        'product_id', 'sku', 'product_name', 'category', 'price_eur', 'created_at',
        'updated_at',
    ], 'updated_at') }}

),

typed as (

    select

        ---------- ids
        extracted_row_id,
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

        {{ extracted_row_columns() }},
        case
            when product_id is null then 'missing_product_id'
            when {{ is_log_position_collision('product_id') }} then 'conflicting_rows_at_log_position'
            when not is_deleted and updated_at is null then 'missing_updated_at'
            when not is_deleted and price_eur is null then 'missing_price'
            when price_eur < 0 then 'negative_price'
            when not is_deleted and updated_at < created_at then 'updated_before_created'
        end as reject_reason

    from extracted

),

ordered as (

    select
        *,
        {{ commit_ordered_at('changed_at', 'product_id', 'source_lsn, loaded_at') }} as effective_at
    from typed

)

select * from ordered
