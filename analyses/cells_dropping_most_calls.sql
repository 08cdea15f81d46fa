-- Which cells drop the most voice calls, over every loaded day, and when are they
-- busiest? Cells with fewer than 20 voice calls are left out (their rate is noise).

with

cell_days as (

    select * from {{ ref('fct_cell_daily_kpis') }}

),

per_cell as (

    select
        cell_id,
        region_name,
        sum(voice_call_count) as voice_call_count,
        sum(dropped_call_count) as dropped_call_count,
        sum(dropped_call_count) * 1.0 / sum(voice_call_count) as dropped_call_rate,
        avg(busy_hour) as average_busy_hour
    from cell_days
    group by cell_id, region_name
    having sum(voice_call_count) >= 20

)

select * from per_cell
order by dropped_call_rate desc, cell_id asc
limit 10
