-- What was unusual lately: every period fct_anomalies flagged on the latest day that
-- has any, strongest first.

with

anomalies as (

    select * from {{ ref('fct_anomalies') }}

),

last_day as (

    select max(cast(period_start_at as date)) as last_date from anomalies

)

select
    anomalies.metric_name,
    anomalies.dimension_value,
    anomalies.period_start_at,
    anomalies.observed_value,
    anomalies.expected_value,
    anomalies.z_score,
    anomalies.direction
from anomalies
inner join last_day
    on cast(anomalies.period_start_at as date) = last_day.last_date
order by abs(anomalies.z_score) desc
