-- One row per call: valid CDR records with the same cdr_id are one call, kept from its
-- first delivery. The same call arrives twice when two switches deliver it, when a later
-- drop repeats it, or when it comes both in a switch's file and on the real-time feed.
--
-- Incremental (append): a run reads the records each delivery channel landed after the
-- newest one this table holds from it, and appends the calls it does not hold yet. A
-- held call was delivered earlier than any new record, so it stays the first delivery;
-- a late record is a new delivery like any other.

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['cdr_id'], 'unique': true},
        {'columns': ['dbt_updated_at']},
    ] if target.type == 'postgres' else [],
    post_hook=incremental_post_hooks(),
) }}

with

{% if is_incremental() %}

held_watermarks as (

    select
        coalesce(
            max(case when delivered_via = 'file' then loaded_at end),
            cast('1900-01-01' as timestamp)
        ) as file_loaded_at,
        coalesce(
            max(case when delivered_via = 'stream' then loaded_at end),
            cast('1900-01-01' as timestamp)
        ) as stream_loaded_at
    from {{ this }}

),

{% endif %}

filed_records as (

    select
        cdr_id,
        switch_id,
        msisdn,
        cell_id,
        call_type,
        termination_cause,
        is_roaming,
        duration_s,
        bytes_up,
        bytes_down,
        started_at,
        'file' as delivered_via,
        source_file,
        record_no as position_in_delivery,
        loaded_at
    from {{ ref('stg_telecom__cdrs') }}
    where reject_reason is null

),

streamed_records as (

    select
        cdr_id,
        switch_id,
        msisdn,
        cell_id,
        call_type,
        termination_cause,
        is_roaming,
        duration_s,
        bytes_up,
        bytes_down,
        started_at,
        'stream' as delivered_via,
        source_file,
        kafka_offset as position_in_delivery,
        loaded_at
    from {{ ref('stg_telecom_stream__cdrs') }}
    where reject_reason is null

),

-- an incremental run reads what each channel landed after the newest record it holds
valid_records as (

    select * from filed_records
    {% if is_incremental() %}
    where loaded_at > (select held_watermarks.file_loaded_at from held_watermarks)
    {% endif %}
    union all
    select * from streamed_records
    {% if is_incremental() %}
    where loaded_at > (select held_watermarks.stream_loaded_at from held_watermarks)
    {% endif %}

),

first_delivery as (

    {{ deduplicate('valid_records', 'cdr_id', 'loaded_at, source_file, position_in_delivery') }}

),

new_calls as (

    select first_delivery.*
    from first_delivery
    {% if is_incremental() %}
    left join {{ this }} as held_calls
        on first_delivery.cdr_id = held_calls.cdr_id
    where held_calls.cdr_id is null
    {% endif %}

)

select
    cdr_id,
    switch_id,
    msisdn,
    cell_id,
    call_type,
    termination_cause,
    is_roaming,
    duration_s,
    bytes_up,
    bytes_down,
    started_at,
    cast(started_at as date) as call_date,
    delivered_via,
    source_file,
    loaded_at,
    {{ incremental_run_timestamp() }} as dbt_updated_at
from new_calls
