-- One row per flagged period: a day's revenue of a shop channel, or an hour's call
-- volume of a region, that lies at least `anomaly_z_score_threshold` standard
-- deviations from its trailing baseline (see the `anomaly` definition).

{% set trailing = var('anomaly_trailing_periods') %}

with

daily_sales as (

    select * from {{ ref('fct_daily_sales') }}

),

cell_hours as (

    select * from {{ ref('fct_cell_hourly_kpis') }}

),

dates as (

    select date_day from {{ ref('dim_dates') }}

),

channels as (

    select distinct order_channel from daily_sales

),

covered_days as (

    select
        min(order_date) as first_date,
        max(order_date) as last_date
    from daily_sales

),

-- A channel with no order on a day sold nothing that day: the baseline counts it as 0.
channel_days as (

    select
        channels.order_channel,
        dates.date_day
    from channels
    cross join covered_days
    inner join dates
        on covered_days.first_date <= dates.date_day
        and covered_days.last_date >= dates.date_day

),

daily_revenue as (

    select
        'daily_revenue_eur' as metric_name,
        'order_channel' as dimension_name,
        channel_days.order_channel as dimension_value,
        'day' as period_grain,
        cast(channel_days.date_day as timestamp) as period_start_at,
        cast(coalesce(daily_sales.revenue_eur, 0) as numeric(18, 4)) as observed_value,
        -- the series a period is compared within
        channel_days.order_channel as series_key
    from channel_days
    left join daily_sales
        on channel_days.order_channel = daily_sales.order_channel
        and channel_days.date_day = daily_sales.order_date

),

regions as (

    select distinct coalesce(region_code, 'unknown') as region_code from cell_hours

),

network_hours as (

    select distinct
        call_hour,
        hour_of_day
    from cell_hours

),

-- Every hour in which any call was made, for every region: a region silent in an hour
-- the rest of the network was busy counts as 0 calls.
region_hours as (

    select
        regions.region_code,
        network_hours.call_hour,
        network_hours.hour_of_day
    from regions
    cross join network_hours

),

region_calls as (

    select
        coalesce(region_code, 'unknown') as region_code,
        call_hour,
        sum(call_count) as call_count
    from cell_hours
    group by coalesce(region_code, 'unknown'), call_hour

),

-- Call volume follows the time of day, so an hour is compared with the same hour on
-- earlier days.
hourly_calls as (

    select
        'hourly_call_count' as metric_name,
        'region_code' as dimension_name,
        region_hours.region_code as dimension_value,
        'hour' as period_grain,
        region_hours.call_hour as period_start_at,
        cast(coalesce(region_calls.call_count, 0) as numeric(18, 4)) as observed_value,
        region_hours.region_code || '@' || cast(region_hours.hour_of_day as {{ dbt.type_string() }}) as series_key
    from region_hours
    left join region_calls
        on region_hours.region_code = region_calls.region_code
        and region_hours.call_hour = region_calls.call_hour

),

series as (

    select * from daily_revenue
    union all
    select * from hourly_calls

),

scored as (

    select
        series.*,
        avg(series.observed_value) over trailing_window as expected_value,
        stddev_samp(series.observed_value) over trailing_window as stddev_value,
        count(series.observed_value) over trailing_window as baseline_period_count
    from series
    window trailing_window as (
        partition by metric_name, series_key
        order by period_start_at
        rows between {{ trailing }} preceding and 1 preceding
    )

),

flagged as (

    select
        scored.*,
        (scored.observed_value - scored.expected_value) / scored.stddev_value as z_score
    from scored
    where
        scored.baseline_period_count >= {{ var('anomaly_min_trailing_periods') }}
        and scored.stddev_value > 0

)

select
    {{ generate_surrogate_key(['metric_name', 'dimension_value', 'period_start_at']) }} as anomaly_id,
    metric_name,
    dimension_name,
    dimension_value,
    period_grain,
    period_start_at,
    cast(observed_value as numeric(18, 4)) as observed_value,
    cast(expected_value as numeric(18, 4)) as expected_value,
    cast(stddev_value as numeric(18, 4)) as stddev_value,
    cast(z_score as numeric(18, 4)) as z_score,
    cast(baseline_period_count as integer) as baseline_period_count,
    case when z_score > 0 then 'spike' else 'dip' end as direction
from flagged
where abs(z_score) >= {{ var('anomaly_z_score_threshold') }}
