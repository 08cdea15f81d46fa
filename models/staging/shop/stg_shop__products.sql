with

landed as (

    {{ landed_rows(source('shop', 'products'), [
        'product_id', 'sku', 'product_name', 'category', 'price_eur', 'created_at',
        'updated_at', 'exported_at',
    ]) }}

),

typed as (

    select

        ---------- ids
        source_row_id,
        {{ cast_text('product_id', 'integer', 'bigint') }} as product_id,
        sku,

        ---------- properties
        product_name,
        lower(category) as product_category,

        ---------- measures
        {{ cast_text('price_eur', 'decimal', 'numeric(18, 2)') }} as price_eur,

        ---------- timestamps
        {{ cast_text('created_at', 'timestamp', 'timestamp') }} as created_at,
        {{ cast_text('updated_at', 'timestamp', 'timestamp') }} as updated_at,
        {{ cast_text('exported_at', 'timestamp', 'timestamp') }} as exported_at,

        ---------- lineage
        source_file,
        loaded_at,
        raw_record,
        {{ first_reject_reason([
            ["parse_error is not null", 'malformed_row'],
            [is_invalid_required('product_id', 'integer'), 'invalid_product_id'],
            [is_invalid_required('updated_at', 'timestamp'), 'unparseable_updated_at'],
            [is_invalid_required('exported_at', 'timestamp'), 'unparseable_exported_at'],
            [is_invalid_required('price_eur', 'decimal'), 'invalid_price'],
        ]) }} as reject_reason

    from landed

)

select * from typed
