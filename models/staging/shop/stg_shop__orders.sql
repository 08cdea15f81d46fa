with

landed as (

    {{ landed_rows(source('shop', 'orders'), [
        'order_id', 'customer_id', 'order_status', 'channel', 'ordered_at', 'updated_at',
    ]) }}

),

typed as (

    select

        ---------- ids
        source_row_id,
        {{ cast_text('order_id', 'integer', 'bigint') }} as order_id,
        {{ cast_text('customer_id', 'integer', 'bigint') }} as customer_id,

        ---------- properties
        lower(order_status) as order_status,
        lower(channel) as order_channel,

        ---------- timestamps
        {{ cast_text('ordered_at', 'timestamp', 'timestamp') }} as ordered_at,
        {{ cast_text('updated_at', 'timestamp', 'timestamp') }} as updated_at,

        ---------- lineage
        source_file,
        loaded_at,
        raw_record,
        {{ first_reject_reason([
            ["parse_error is not null", 'malformed_row'],
            [is_invalid_required('order_id', 'integer'), 'invalid_order_id'],
            [is_invalid_required('ordered_at', 'timestamp'), 'unparseable_ordered_at'],
            [is_invalid_required('updated_at', 'timestamp'), 'unparseable_updated_at'],
            [is_invalid_optional('customer_id', 'integer'), 'invalid_customer_id'],
            ["order_status is null", 'missing_order_status'],
        ]) }} as reject_reason

    from landed

)

select * from typed
