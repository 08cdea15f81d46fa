with

source as (

    select * from {{ source('telecom', 'service_plans') }}

),

-- text with blanks as null (the exports write null as ''), and the delivering file
cleaned as (

    select
        {{ clean_text('plan_id') }} as plan_id,
        {{ clean_text('plan_name') }} as plan_name,
        {{ clean_text('monthly_fee_eur') }} as monthly_fee_eur,
        {{ clean_text('price_per_minute_eur') }} as price_per_minute_eur,
        {{ clean_text('price_per_sms_eur') }} as price_per_sms_eur,
        {{ clean_text('price_per_mb_eur') }} as price_per_mb_eur,
        {{ clean_text('updated_at') }} as updated_at,
        {{ clean_text('exported_at') }} as exported_at,
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
                'plan_id', 'plan_name', 'monthly_fee_eur', 'price_per_minute_eur',
                'price_per_sms_eur', 'price_per_mb_eur', 'updated_at', 'exported_at',
            ]) }}
            else {{ json_object_text(['parse_error', 'raw_line']) }}
        end as raw_record
    from cleaned

),

-- raw is append-only: a file delivered twice lands its rows twice, and the same file
-- with the same payload is the same row, kept from its first landing; two different
-- rows for a plan in one export (the same `plan_id` and `exported_at`)
-- contradict each other, in one file or in two, and neither can be taken
ranked_landings as (

    select
        *,
        row_number() over (
            partition by source_file, raw_record
            order by loaded_at
        ) as landing_rank,
        min(raw_record) over (partition by plan_id, exported_at)
        <> max(raw_record) over (partition by plan_id, exported_at) as is_key_collision
    from with_payload

),

-- the first rule a row breaks is its reject reason
validated as (

    select
        *,
        case
            when parse_error is not null then 'malformed_row'
            when {{ is_invalid_required('plan_id', 'integer') }} then 'invalid_plan_id'
            when {{ is_invalid_required('updated_at', 'timestamp') }} then 'unparseable_updated_at'
            when {{ is_invalid_required('exported_at', 'timestamp') }}
                then 'unparseable_exported_at'
            when {{ is_invalid_required('price_per_minute_eur', 'decimal') }} then 'invalid_tariff'
            when {{ is_invalid_required('price_per_sms_eur', 'decimal') }} then 'invalid_tariff'
            when {{ is_invalid_required('price_per_mb_eur', 'decimal') }} then 'invalid_tariff'
            when {{ is_invalid_optional('monthly_fee_eur', 'decimal') }} then 'invalid_tariff'
            when {{ cast_text('monthly_fee_eur', 'decimal', 'numeric(18, 4)') }} < 0
                then 'negative_tariff'
            when {{ cast_text('price_per_minute_eur', 'decimal', 'numeric(18, 4)') }} < 0
                then 'negative_tariff'
            when {{ cast_text('price_per_sms_eur', 'decimal', 'numeric(18, 4)') }} < 0
                then 'negative_tariff'
            when {{ cast_text('price_per_mb_eur', 'decimal', 'numeric(18, 4)') }} < 0
                then 'negative_tariff'
            when is_key_collision then 'key_collision'
        end as reject_reason
    from ranked_landings
    where landing_rank = 1

),

typed as (

    select

        ---------- ids
        {{ generate_surrogate_key(['source_file', 'raw_record']) }} as source_row_id,
        {{ cast_text('plan_id', 'integer', 'bigint') }} as plan_id,

        ---------- properties
        plan_name,

        ---------- measures
        {{ cast_text('monthly_fee_eur', 'decimal', 'numeric(18, 4)') }} as monthly_fee_eur,
        {{ cast_text('price_per_minute_eur', 'decimal', 'numeric(18, 4)') }} as price_per_minute_eur,
        {{ cast_text('price_per_sms_eur', 'decimal', 'numeric(18, 4)') }} as price_per_sms_eur,
        {{ cast_text('price_per_mb_eur', 'decimal', 'numeric(18, 4)') }} as price_per_mb_eur,

        ---------- timestamps
        {{ cast_text('updated_at', 'timestamp', 'timestamp') }} as updated_at,
        {{ cast_text('exported_at', 'timestamp', 'timestamp') }} as exported_at,

        ---------- validation
        reject_reason,

        ---------- lineage
        source_file,
        loaded_at,
        raw_record

    from validated

)

select * from typed
