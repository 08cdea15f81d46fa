-- One row per calendar day of dim_dates: the time spine MetricFlow joins metrics to
-- (cumulative metrics, days without events).

with

dates as (

    select * from {{ ref('dim_dates') }}

)

select cast(date_day as date) as date_day
from dates
