-- Every valid CDR record is one call, however many times and ways it was delivered:
-- fct_calls holds one row per distinct cdr_id of the valid records from the switches'
-- files and the real-time feed together, and no call without a valid record.

with

valid_records as (

    select cdr_id from {{ ref('stg_telecom__cdrs') }}
    where reject_reason is null
    union
    select cdr_id from {{ ref('stg_telecom_stream__cdrs') }}
    where reject_reason is null

),

distinct_calls as (

    select count(*) as distinct_calls from valid_records

),

calls as (

    select count(*) as call_rows from {{ ref('fct_calls') }}

)

select
    distinct_calls.distinct_calls,
    calls.call_rows
from distinct_calls
cross join calls
where distinct_calls.distinct_calls <> calls.call_rows
