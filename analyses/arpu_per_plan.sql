-- What does a subscription of each plan bring per month, fees and usage together?

with

plan_months as (

    select * from {{ ref('fct_plan_monthly_revenue') }}

)

select
    month_start_date,
    plan_name,
    sum(active_subscription_count) as active_subscription_count,
    sum(monthly_fee_eur) as monthly_fee_eur,
    sum(usage_charge_eur) as usage_charge_eur,
    sum(total_revenue_eur) / nullif(sum(active_subscription_count), 0) as arpu_eur
from plan_months
group by month_start_date, plan_name
order by month_start_date asc, arpu_eur desc
