with

source as (

    select * from {{ source('shop', 'customers') }}

),

-- text with blanks as null (the exports write null as ''), and the delivering file
cleaned as (

    select
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_text('email') }} as email,
        {{ clean_text('segment') }} as segment,
        {{ clean_text('city') }} as city,
        {{ clean_text('country_code') }} as country_code,
        {{ clean_text('created_at') }} as created_at,
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
                'customer_id', 'first_name', 'last_name', 'email', 'segment', 'city',
                'country_code', 'created_at', 'updated_at',
            ]) }}
            else {{ json_object_text(['parse_error', 'raw_line']) }}
        end as raw_record
    from cleaned

),

-- raw is append-only: a file delivered twice lands its rows twice, and the same file
-- with the same payload is the same row, kept from its first landing; two different
-- rows for a customer version (the same `customer_id` and `updated_at`)
-- contradict each other, in one file or in two, and neither can be taken
ranked_landings as (

    select
        *,
        row_number() over (
            partition by source_file, raw_record
            order by loaded_at
        ) as landing_rank,
        min(raw_record) over (partition by customer_id, updated_at)
        <> max(raw_record) over (partition by customer_id, updated_at) as is_key_collision
    from with_payload

),

-- the first rule a row breaks is its reject reason
validated as (

    select
        *,
        case
            when parse_error is not null then 'malformed_row'
            when {{ is_invalid_required('customer_id', 'integer') }} then 'invalid_customer_id'
            when {{ is_invalid_required('updated_at', 'timestamp') }} then 'unparseable_updated_at'
            when {{ is_invalid_optional('created_at', 'timestamp') }} then 'unparseable_created_at'
            when
                {{ cast_text('updated_at', 'timestamp', 'timestamp') }}
                < {{ cast_text('created_at', 'timestamp', 'timestamp') }}
                then 'updated_before_created'
            when is_key_collision then 'key_collision'
        end as reject_reason
    from ranked_landings
    where landing_rank = 1

),

typed as (

    select

        ---------- ids
        {{ generate_surrogate_key(['source_file', 'raw_record']) }} as source_row_id,
        {{ cast_text('customer_id', 'integer', 'bigint') }} as customer_id,

        ---------- properties
        first_name,
        last_name,
        lower(email) as email,
        lower(segment) as customer_segment,
        city,
        upper(country_code) as country_code,

        ---------- timestamps
        {{ cast_text('created_at', 'timestamp', 'timestamp') }} as created_at,
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
