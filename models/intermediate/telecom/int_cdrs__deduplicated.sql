-- One row per call: valid CDR records with the same cdr_id (delivered by two switches,
-- or again in a later drop) are one call, kept from its first delivery.

with

valid_records as (

    select * from {{ ref('stg_telecom__cdrs') }}
    where reject_reason is null

),

first_delivery as (

    {{ deduplicate('valid_records', 'cdr_id', 'loaded_at, source_file, record_no') }}

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
    source_file,
    loaded_at
from first_delivery
