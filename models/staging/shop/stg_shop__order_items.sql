with

landed as (

    {{ landed_rows(source('shop', 'order_items'), [
        'order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price_eur', 'created_at',
    ]) }}

),

typed as (

    select

        ---------- ids
        source_row_id,
        {{ cast_text('order_item_id', 'integer', 'bigint') }} as order_item_id,
        {{ cast_text('order_id', 'integer', 'bigint') }} as order_id,
        {{ cast_text('product_id', 'integer', 'bigint') }} as product_id,

        ---------- measures
        {{ cast_text('quantity', 'integer', 'integer') }} as quantity,
        {{ cast_text('unit_price_eur', 'decimal', 'numeric(18, 2)') }} as unit_price_eur,

        ---------- timestamps
        {{ cast_text('created_at', 'timestamp', 'timestamp') }} as created_at,

        ---------- lineage
        source_file,
        loaded_at,
        raw_record,
        {{ first_reject_reason([
            ["parse_error is not null", 'malformed_row'],
            [is_invalid_required('order_item_id', 'integer'), 'invalid_order_item_id'],
            [is_invalid_required('order_id', 'integer'), 'invalid_order_id'],
            [is_invalid_required('quantity', 'integer'), 'invalid_quantity'],
            [is_invalid_required('unit_price_eur', 'decimal'), 'invalid_price'],
        ]) }} as reject_reason

    from landed

)

select * from typed
