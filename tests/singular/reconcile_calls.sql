-- Every valid CDR record is one call, however many times and ways it was delivered:
-- fct_calls holds one row per distinct cdr_id of the valid records from the switches'
-- files and the real-time feed together, and no call without a valid record.
--
-- Nightly (default): over the call dates of the calls the last `cdr_lookback_days` days
-- of runs wrote (the new day, its late records, re-rated calls). With
-- `full_history_tests: true` (weekly): over all history.

with

{% if var('full_history_tests') %}

checked_days as (

    select cast('1900-01-01' as date) as first_call_date

),

{% else %}

checked_days as (

    select coalesce(min(call_date), cast('9999-12-31' as date)) as first_call_date
    from {{ ref('fct_calls') }}
    where {{ nightly_test_window() }}

),

{% endif %}

valid_records as (

    select cdr_id from {{ ref('stg_telecom__cdrs') }}
    where
        reject_reason is null
        and cast(started_at as date) >= (select checked_days.first_call_date from checked_days)
    union
    select cdr_id from {{ ref('stg_telecom_stream__cdrs') }}
    where
        reject_reason is null
        and cast(started_at as date) >= (select checked_days.first_call_date from checked_days)

),

distinct_calls as (

    select count(*) as distinct_calls from valid_records

),

calls as (

    select count(*) as call_rows from {{ ref('fct_calls') }}
    where call_date >= (select checked_days.first_call_date from checked_days)

)

select
    distinct_calls.distinct_calls,
    calls.call_rows
from distinct_calls
cross join calls
where distinct_calls.distinct_calls <> calls.call_rows
