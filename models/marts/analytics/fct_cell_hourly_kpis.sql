-- One row per radio cell and hour with at least one call: the network-events fact.
-- Calls on a cell no export has carried are kept under their own cell_id, in the
-- unknown region.

with

calls as (

    select * from {{ ref('fct_calls') }}

),

cells as (

    select * from {{ ref('dim_cells') }}

),

hourly as (

    select
        cell_sk,
        cell_id,
        {{ dbt.date_trunc('hour', 'started_at') }} as call_hour,
        call_date,
        count(*) as call_count,
        sum(case when call_type = 'voice' then 1 else 0 end) as voice_call_count,
        sum(case when call_type = 'sms' then 1 else 0 end) as sms_count,
        sum(case when call_type = 'data' then 1 else 0 end) as data_session_count,
        sum(case when call_type = 'voice' then duration_s else 0 end) as voice_seconds,
        sum(case when call_type = 'data' then bytes_up + bytes_down else 0 end) as data_bytes,
        sum(case when call_type = 'voice' and is_dropped then 1 else 0 end) as dropped_call_count
    from calls
    group by cell_sk, cell_id, {{ dbt.date_trunc('hour', 'started_at') }}, call_date

)

select
    {{ generate_surrogate_key(['hourly.cell_id', 'hourly.call_hour']) }} as cell_hour_id,
    hourly.cell_sk,
    hourly.cell_id,
    cells.region_code,
    cells.region_name,
    cast(hourly.call_hour as timestamp) as call_hour,
    hourly.call_date,
    cast(extract(hour from hourly.call_hour) as integer) as hour_of_day,
    cast(hourly.call_count as bigint) as call_count,
    cast(hourly.voice_call_count as bigint) as voice_call_count,
    cast(hourly.sms_count as bigint) as sms_count,
    cast(hourly.data_session_count as bigint) as data_session_count,
    cast(hourly.voice_seconds / 60.0 as numeric(18, 4)) as voice_minutes,
    cast(hourly.data_bytes / 1000000.0 as numeric(18, 6)) as data_mb,
    cast(hourly.dropped_call_count as bigint) as dropped_call_count,
    cast(
        case when hourly.voice_call_count > 0 then hourly.dropped_call_count * 1.0 / hourly.voice_call_count end
        as numeric(9, 6)
    ) as dropped_call_rate
from hourly
inner join cells
    on hourly.cell_sk = cells.cell_sk
