with

source as (

    select * from {{ source('shop', 'order_items') }}

),

-- text with blanks as null (the exports write null as ''), and the delivering file
cleaned as (

    select
        {{ clean_text('order_item_id') }} as order_item_id,
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('quantity') }} as quantity,
        {{ clean_text('unit_price_eur') }} as unit_price_eur,
        {{ clean_text('created_at') }} as created_at,
        {{ file_basename('_sdc_filename') }} as source_file,
        cast(_sdc_batched_at as timestamp) as loaded_at,
        -- set by the loader when a line does not split into the contract's fields
        _sdc_parse_error as parse_error,
        _sdc_raw_line as raw_line
    from source

),

with_payload as (

    select
        *,
        -- a malformed row keeps its raw line and the loader's error instead
        case
            when parse_error is null then {{ json_object_text([
                'order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price_eur',
                'created_at',
            ]) }}
            else {{ json_object_text(['parse_error', 'raw_line']) }}
        end as raw_record
    from cleaned

),

-- raw is append-only: a file delivered twice lands its rows twice, and the same file
-- with the same payload is the same row, kept from its first landing; two different
-- rows for an order line (the same `order_item_id`)
-- contradict each other, in one file or in two, and neither can be taken
ranked_landings as (

    select
        *,
        row_number() over (
            partition by source_file, raw_record
            order by loaded_at
        ) as landing_rank,
        min(raw_record) over (partition by order_item_id)
        <> max(raw_record) over (partition by order_item_id) as is_key_collision
    from with_payload

),

-- the first rule a row breaks is its reject reason
validated as (

    select
        *,
        case
            when parse_error is not null then 'malformed_row'
            when {{ is_invalid_required('order_item_id', 'integer') }} then 'invalid_order_item_id'
            when {{ is_invalid_required('order_id', 'integer') }} then 'invalid_order_id'
            when {{ is_invalid_required('quantity', 'integer') }} then 'invalid_quantity'
            when {{ is_invalid_required('unit_price_eur', 'decimal') }} then 'invalid_price'
            when {{ cast_text('quantity', 'integer', 'integer') }} < 1 then 'invalid_quantity'
            when {{ cast_text('unit_price_eur', 'decimal', 'numeric(18, 2)') }} < 0
                then 'negative_price'
            when {{ is_invalid_optional('product_id', 'integer') }} then 'invalid_product_id'
            when {{ is_invalid_optional('created_at', 'timestamp') }} then 'unparseable_created_at'
            when is_key_collision then 'key_collision'
        end as reject_reason
    from ranked_landings
    where landing_rank = 1

),

typed as (

    select

        ---------- ids
        {{ generate_surrogate_key(['source_file', 'raw_record']) }} as source_row_id,
        {{ cast_text('order_item_id', 'integer', 'bigint') }} as order_item_id,
        {{ cast_text('order_id', 'integer', 'bigint') }} as order_id,
        {{ cast_text('product_id', 'integer', 'bigint') }} as product_id,

        ---------- measures
        {{ cast_text('quantity', 'integer', 'integer') }} as quantity,
        {{ cast_text('unit_price_eur', 'decimal', 'numeric(18, 2)') }} as unit_price_eur,

        ---------- timestamps
        {{ cast_text('created_at', 'timestamp', 'timestamp') }} as created_at,

        ---------- validation
        reject_reason,

        ---------- lineage
        source_file,
        loaded_at,
        raw_record

    from validated

)

select * from typed
