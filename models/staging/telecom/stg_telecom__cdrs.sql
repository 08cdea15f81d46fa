-- Incremental (append): a night's CDR volume makes re-reading all raw history each run
-- the largest cost of the build. A run reads the rows landed since the newest one held,
-- less an overlap (var `landing_overlap_hours`) for a landing that committed after a
-- later one, and appends those it does not hold yet: the same rows, once each, as a
-- full refresh.

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['source_row_id'], 'unique': true},
        {'columns': ['loaded_at']},
    ] if target.type == 'postgres' else [],
    post_hook=incremental_post_hooks(),
) }}

with

source as (

    select * from {{ source('telecom', 'cdrs') }}
    {% if is_incremental() %}
    where cast(_sdc_batched_at as timestamp) > {{ last_landing_held() }}
    {% endif %}

),

-- text with blanks as null (the drops write null as ''), and the delivering file
cleaned as (

    select
        {{ clean_text('record_no') }} as record_no,
        {{ clean_text('cdr_id') }} as cdr_id,
        {{ clean_text('switch_id') }} as switch_id,
        {{ clean_text('msisdn') }} as msisdn,
        {{ clean_text('call_type') }} as call_type,
        {{ clean_text('started_at') }} as started_at,
        {{ clean_text('duration_s') }} as duration_s,
        {{ clean_text('bytes_up') }} as bytes_up,
        {{ clean_text('bytes_down') }} as bytes_down,
        {{ clean_text('cell_id') }} as cell_id,
        {{ clean_text('termination_cause') }} as termination_cause,
        {{ clean_text('is_roaming') }} as is_roaming,
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
                'record_no', 'cdr_id', 'switch_id', 'msisdn', 'call_type', 'started_at',
                'duration_s', 'bytes_up', 'bytes_down', 'cell_id', 'termination_cause',
                'is_roaming',
            ]) }}
            else {{ json_object_text(['parse_error', 'raw_line']) }}
        end as raw_record
    from cleaned

),

-- raw is append-only: a file delivered twice lands its records twice, and the same file
-- with the same payload is the same record, kept from its first landing
ranked_landings as (

    select
        *,
        row_number() over (
            partition by source_file, raw_record
            order by loaded_at
        ) as landing_rank
    from with_payload

),

-- the contract's CDR rules, word for word the same in stg_telecom__cdrs and
-- stg_telecom_stream__cdrs (tests/test_cdr_rules.py proves both give a record the same
-- reason): the first rule a record breaks is its reject reason
validated as (

    select
        *,
        case
            when parse_error is not null then 'malformed_row'
            when cdr_id is null then 'missing_cdr_id'
            when {{ is_invalid_required('started_at', 'timestamp') }} then 'unparseable_started_at'
            when {{ is_invalid_required('duration_s', 'integer') }} then 'non_numeric_duration'
            when {{ cast_text('duration_s', 'integer', 'bigint') }} < 0 then 'negative_duration'
            when {{ is_invalid_required('bytes_up', 'integer') }} then 'non_numeric_bytes'
            when {{ is_invalid_required('bytes_down', 'integer') }} then 'non_numeric_bytes'
            when call_type is null or lower(call_type) not in ('voice', 'sms', 'data')
                then 'unknown_call_type'
            when {{ is_invalid_required('lower(is_roaming)', 'boolean') }}
                then 'invalid_roaming_flag'
            when {{ is_outside_dim_dates(cast_text('started_at', 'timestamp', 'timestamp')) }}
                then 'started_at_out_of_range'
            when {{ cast_text('bytes_up', 'integer', 'bigint') }} < 0 then 'negative_bytes'
            when {{ cast_text('bytes_down', 'integer', 'bigint') }} < 0 then 'negative_bytes'
            when msisdn is null then 'missing_msisdn'
        end as reject_reason
    from ranked_landings
    where landing_rank = 1

),

typed as (

    select

        ---------- ids
        {{ generate_surrogate_key(['source_file', 'raw_record']) }} as source_row_id,
        {{ cast_text('record_no', 'integer', 'bigint') }} as record_no,
        cdr_id,
        switch_id,
        msisdn,
        cell_id,

        ---------- properties
        lower(call_type) as call_type,
        lower(termination_cause) as termination_cause,
        {{ cast_text('lower(is_roaming)', 'boolean', 'boolean') }} as is_roaming,

        ---------- measures
        {{ cast_text('duration_s', 'integer', 'bigint') }} as duration_s,
        {{ cast_text('bytes_up', 'integer', 'bigint') }} as bytes_up,
        {{ cast_text('bytes_down', 'integer', 'bigint') }} as bytes_down,

        ---------- timestamps
        {{ cast_text('started_at', 'timestamp', 'timestamp') }} as started_at,

        ---------- validation
        reject_reason,

        ---------- lineage
        source_file,
        loaded_at,
        raw_record

    from validated

),

-- a row landed again within the overlap, or a file delivered again, is held already
new_records as (

    select typed.*
    from typed
    {% if is_incremental() %}
    left join {{ this }} as held_records
        on typed.source_row_id = held_records.source_row_id
    where held_records.source_row_id is null
    {% endif %}

)

select * from new_records
