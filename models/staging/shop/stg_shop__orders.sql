with

source as (

    select * from {{ source('shop', 'orders') }}

),

-- text with blanks as null (the exports write null as ''), and the delivering file
cleaned as (

    select
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('order_status') }} as order_status,
        {{ clean_text('channel') }} as channel,
        {{ clean_text('ordered_at') }} as ordered_at,
        {{ clean_text('updated_at') }} as updated_at,
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
                'order_id', 'customer_id', 'order_status', 'channel', 'ordered_at', 'updated_at',
            ]) }}
            else {{ json_object_text(['parse_error', 'raw_line']) }}
        end as raw_record
    from cleaned

),

-- raw is append-only: a file delivered twice lands its rows twice, and the same file
-- with the same payload is the same row, kept from its first landing; two different
-- rows for an order state (the same `order_id` and `updated_at`)
-- contradict each other, in one file or in two, and neither can be taken
ranked_landings as (

    select
        *,
        row_number() over (
            partition by source_file, raw_record
            order by loaded_at
        ) as landing_rank,
        min(raw_record) over (partition by order_id, updated_at)
        <> max(raw_record) over (partition by order_id, updated_at) as is_key_collision
    from with_payload

),

-- the first rule a row breaks is its reject reason
validated as (

    select
        *,
        case
            when parse_error is not null then 'malformed_row'
            when {{ is_invalid_required('order_id', 'integer') }} then 'invalid_order_id'
            when {{ is_invalid_required('ordered_at', 'timestamp') }} then 'unparseable_ordered_at'
            when {{ is_invalid_required('updated_at', 'timestamp') }} then 'unparseable_updated_at'
            when {{ is_invalid_optional('customer_id', 'integer') }} then 'invalid_customer_id'
            when order_status is null then 'missing_order_status'
            when {{ is_outside_dim_dates(cast_text('ordered_at', 'timestamp', 'timestamp')) }}
                then 'ordered_at_out_of_range'
            when
                {{ cast_text('updated_at', 'timestamp', 'timestamp') }}
                < {{ cast_text('ordered_at', 'timestamp', 'timestamp') }}
                then 'updated_before_ordered'
            when is_key_collision then 'key_collision'
        end as reject_reason
    from ranked_landings
    where landing_rank = 1

),

typed as (

    select

        ---------- ids
        {{ generate_surrogate_key(['source_file', 'raw_record']) }} as source_row_id,
        {{ cast_text('order_id', 'integer', 'bigint') }} as order_id,
        {{ cast_text('customer_id', 'integer', 'bigint') }} as customer_id,

        ---------- properties
        lower(order_status) as order_status,
        lower(channel) as order_channel,

        ---------- timestamps
        {{ cast_text('ordered_at', 'timestamp', 'timestamp') }} as ordered_at,
        {{ cast_text('updated_at', 'timestamp', 'timestamp') }} as updated_at,

        ---------- validation
        reject_reason,

        ---------- lineage
        source_file,
        loaded_at,
        raw_record

    from validated

)

select * from typed
