with

source as (

    select * from {{ source('telecom', 'subscriptions') }}

),

-- text with blanks as null (the exports write null as ''), and the delivering file
cleaned as (

    select
        {{ clean_text('subscription_id') }} as subscription_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('msisdn') }} as msisdn,
        {{ clean_text('plan_id') }} as plan_id,
        {{ clean_text('activated_at') }} as activated_at,
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
                'subscription_id', 'customer_id', 'msisdn', 'plan_id', 'activated_at',
                'updated_at',
            ]) }}
            else {{ json_object_text(['parse_error', 'raw_line']) }}
        end as raw_record
    from cleaned

),

-- raw is append-only: a file delivered twice lands its rows twice, and the same file
-- with the same payload is the same row, kept from its first landing; two different
-- rows for a subscription state (the same `subscription_id` and `updated_at`)
-- contradict each other, in one file or in two, and neither can be taken
ranked_landings as (

    select
        *,
        row_number() over (
            partition by source_file, raw_record
            order by loaded_at
        ) as landing_rank,
        min(raw_record) over (partition by subscription_id, updated_at)
        <> max(raw_record) over (partition by subscription_id, updated_at) as is_key_collision
    from with_payload

),

-- the first rule a row breaks is its reject reason
validated as (

    select
        *,
        case
            when parse_error is not null then 'malformed_row'
            when {{ is_invalid_required('subscription_id', 'integer') }}
                then 'invalid_subscription_id'
            when {{ is_invalid_required('updated_at', 'timestamp') }} then 'unparseable_updated_at'
            when {{ is_invalid_required('activated_at', 'timestamp') }}
                then 'unparseable_activated_at'
            when msisdn is null then 'missing_msisdn'
            when {{ is_invalid_required('plan_id', 'integer') }} then 'invalid_plan_id'
            when
                {{ cast_text('updated_at', 'timestamp', 'timestamp') }}
                < {{ cast_text('activated_at', 'timestamp', 'timestamp') }}
                then 'updated_before_activated'
            when {{ is_invalid_optional('customer_id', 'integer') }} then 'invalid_customer_id'
            when is_key_collision then 'key_collision'
        end as reject_reason
    from ranked_landings
    where landing_rank = 1

),

typed as (

    select

        ---------- ids
        {{ generate_surrogate_key(['source_file', 'raw_record']) }} as source_row_id,
        {{ cast_text('subscription_id', 'integer', 'bigint') }} as subscription_id,
        {{ cast_text('customer_id', 'integer', 'bigint') }} as customer_id,
        {{ cast_text('plan_id', 'integer', 'bigint') }} as plan_id,
        msisdn,

        ---------- timestamps
        {{ cast_text('activated_at', 'timestamp', 'timestamp') }} as activated_at,
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
