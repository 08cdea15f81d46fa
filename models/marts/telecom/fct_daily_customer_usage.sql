-- One row per customer per day with at least one call. Calls from unknown msisdns are
-- summed under customer_id -1.
--
-- Incremental (delete+insert on usage_date): a run sums again every day that has a call
-- fct_calls wrote since its last run (a new, late or re-rated call), all of that day's
-- customers, so a call moved from the unknown customer to its subscriber leaves both
-- right.

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='usage_date',
    indexes=[
        {'columns': ['usage_date']},
    ] if target.type == 'postgres' else [],
    post_hook=incremental_post_hooks(),
) }}

with

calls as (

    select * from {{ ref('fct_calls') }}
    {% if is_incremental() %}
    where
        call_date in (
            select rerated_calls.call_date
            from {{ ref('fct_calls') }} as rerated_calls
            where rerated_calls.dbt_updated_at > {{ last_incremental_run() }}
        )
    {% endif %}

),

daily_usage as (

    select
        customer_id,
        call_date as usage_date,
        count(*) as call_count,
        sum(case when call_type = 'voice' then 1 else 0 end) as voice_call_count,
        sum(case when call_type = 'voice' then duration_s else 0 end) as voice_seconds,
        sum(case when call_type = 'voice' then billed_minutes else 0 end) as billed_minutes,
        sum(case when call_type = 'sms' then 1 else 0 end) as sms_count,
        sum(case when call_type = 'data' then bytes_up + bytes_down else 0 end) as data_bytes,
        sum(case when is_dropped then 1 else 0 end) as dropped_call_count,
        sum(case when is_roaming then 1 else 0 end) as roaming_call_count,
        sum(coalesce(charge_eur, 0)) as charge_eur
    from calls
    group by customer_id, call_date

)

select
    {{ generate_surrogate_key(['customer_id', 'usage_date']) }} as customer_day_id,
    customer_id,
    usage_date,
    call_count,
    voice_call_count,
    cast(voice_seconds as bigint) as voice_seconds,
    cast(voice_seconds / 60.0 as numeric(18, 4)) as voice_minutes,
    cast(billed_minutes as bigint) as billed_minutes,
    sms_count,
    cast(data_bytes as bigint) as data_bytes,
    cast(data_bytes / 1000000.0 as numeric(18, 6)) as data_mb,
    dropped_call_count,
    roaming_call_count,
    cast(charge_eur as numeric(18, 4)) as charge_eur,
    {{ incremental_run_timestamp() }} as dbt_updated_at
from daily_usage
