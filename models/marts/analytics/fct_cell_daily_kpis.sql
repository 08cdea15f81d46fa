-- One row per radio cell and day with at least one call: the day's totals and its busy
-- hour (the hour with the most calls; on a tie, the earliest).

with

hourly as (

    select * from {{ ref('fct_cell_hourly_kpis') }}

),

busy_hours as (

    select
        cell_id,
        call_date,
        hour_of_day as busy_hour,
        call_count as busy_hour_call_count,
        row_number() over (
            partition by cell_id, call_date
            order by call_count desc, call_hour asc
        ) as hour_rank
    from hourly

),

daily as (

    select
        cell_sk,
        cell_id,
        region_code,
        region_name,
        call_date,
        sum(call_count) as call_count,
        sum(voice_call_count) as voice_call_count,
        sum(sms_count) as sms_count,
        sum(data_session_count) as data_session_count,
        sum(voice_minutes) as voice_minutes,
        sum(data_mb) as data_mb,
        sum(dropped_call_count) as dropped_call_count
    from hourly
    group by cell_sk, cell_id, region_code, region_name, call_date

)

select
    {{ generate_surrogate_key(['daily.cell_id', 'daily.call_date']) }} as cell_day_id,
    daily.cell_sk,
    daily.cell_id,
    daily.region_code,
    daily.region_name,
    daily.call_date,
    cast(daily.call_count as bigint) as call_count,
    cast(daily.voice_call_count as bigint) as voice_call_count,
    cast(daily.sms_count as bigint) as sms_count,
    cast(daily.data_session_count as bigint) as data_session_count,
    cast(daily.voice_minutes as numeric(18, 4)) as voice_minutes,
    cast(daily.data_mb as numeric(18, 6)) as data_mb,
    cast(daily.dropped_call_count as bigint) as dropped_call_count,
    cast(
        case when daily.voice_call_count > 0 then daily.dropped_call_count * 1.0 / daily.voice_call_count end
        as numeric(9, 6)
    ) as dropped_call_rate,
    busy_hours.busy_hour,
    cast(busy_hours.busy_hour_call_count as bigint) as busy_hour_call_count
from daily
inner join busy_hours
    on daily.cell_id = busy_hours.cell_id
    and daily.call_date = busy_hours.call_date
    and busy_hours.hour_rank = 1
