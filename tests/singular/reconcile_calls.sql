-- Every valid CDR record is one call: fct_calls holds one row per distinct cdr_id of the
-- valid records, and no call without a valid record.

with

valid_records as (

    select count(distinct cdr_id) as distinct_calls
    from {{ ref('stg_telecom__cdrs') }}
    where reject_reason is null

),

calls as (

    select count(*) as call_rows from {{ ref('fct_calls') }}

)

select
    valid_records.distinct_calls,
    calls.call_rows
from valid_records
cross join calls
where valid_records.distinct_calls <> calls.call_rows
