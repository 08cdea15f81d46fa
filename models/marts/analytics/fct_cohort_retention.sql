-- One row per signup-month cohort and month since signup, from the cohort's first month
-- to the last month with any activity: how many of the cohort still ordered or called.

with

customers as (

    select * from {{ ref('dim_customers') }}
    where is_current and customer_id <> -1

),

orders as (

    select * from {{ ref('fct_orders') }}
    where customer_id <> -1

),

usage as (

    select * from {{ ref('fct_daily_customer_usage') }}
    where customer_id <> -1

),

months as (

    select distinct month_start_date from {{ ref('dim_dates') }}

),

cohorts as (

    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as cohort_month
    from customers

),

cohort_sizes as (

    select
        cohort_month,
        count(*) as cohort_size
    from cohorts
    group by cohort_month

),

-- Any order (whatever its status) or any call makes a customer active in a month.
activity as (

    select distinct
        customer_id,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as activity_month
    from orders

    union

    select distinct
        customer_id,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as activity_month
    from usage

),

last_activity as (

    select max(activity_month) as last_activity_month from activity

),

cohort_months as (

    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_size,
        months.month_start_date as activity_month
    from cohort_sizes
    cross join last_activity
    inner join months
        on cohort_sizes.cohort_month <= months.month_start_date
        and last_activity.last_activity_month >= months.month_start_date

),

active_per_month as (

    select
        cohorts.cohort_month,
        activity.activity_month,
        count(*) as active_customer_count
    from cohorts
    inner join activity
        on cohorts.customer_id = activity.customer_id
    group by cohorts.cohort_month, activity.activity_month

)

select
    {{ generate_surrogate_key(['cohort_months.cohort_month', 'cohort_months.activity_month']) }} as cohort_month_id,
    cohort_months.cohort_month,
    cohort_months.activity_month,
    cast(
        {{ dbt.datediff('cohort_months.cohort_month', 'cohort_months.activity_month', 'month') }}
        as integer
    ) as months_since_signup,
    cast(cohort_months.cohort_size as bigint) as cohort_size,
    cast(coalesce(active_per_month.active_customer_count, 0) as bigint) as active_customer_count,
    cast(
        coalesce(active_per_month.active_customer_count, 0) * 1.0 / cohort_months.cohort_size
        as numeric(9, 6)
    ) as retention_share
from cohort_months
left join active_per_month
    on cohort_months.cohort_month = active_per_month.cohort_month
    and cohort_months.activity_month = active_per_month.activity_month
