-- One row per call: valid CDR records with the same cdr_id are one call, kept from its
-- first delivery. The same call arrives twice when two switches deliver it, when a later
-- drop repeats it, or when it comes both in a switch's file and on the real-time feed.

with

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

valid_records as (

    select * from filed_records
    union all
    select * from streamed_records

),

first_delivery as (

    {{ deduplicate('valid_records', 'cdr_id', 'loaded_at, source_file, position_in_delivery') }}

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
    loaded_at
from first_delivery
