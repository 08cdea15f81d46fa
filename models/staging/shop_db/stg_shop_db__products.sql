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

        {{ extracted_row_columns() }}

    from extracted

)

select * from typed
