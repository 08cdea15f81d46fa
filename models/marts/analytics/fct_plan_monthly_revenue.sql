-- One row per service plan version and month with an active subscription or a rated
-- call: subscriptions, monthly fees, usage charges and ARPU. A subscription counts in
-- a month from its activation on, on the plan version it had at the month's end (or at
-- the last loaded call, for the running month), and pays that version's whole fee.

with

subscription_versions as (

    select * from {{ ref('int_subscriptions__versioned') }}

),

plan_versions as (

    select * from {{ ref('dim_service_plans') }}
    where plan_id <> -1

),

calls as (

    select * from {{ ref('fct_calls') }}

),

months as (

    select distinct month_start_date from {{ ref('dim_dates') }}

),

loaded_calls as (

    select
        min(call_date) as first_call_date,
        max(started_at) as last_started_at
    from calls

),

reporting_months as (

    select
        months.month_start_date,
        case
            when {{ dbt.dateadd('month', 1, 'months.month_start_date') }} < loaded_calls.last_started_at
                then cast({{ dbt.dateadd('month', 1, 'months.month_start_date') }} as timestamp)
            else loaded_calls.last_started_at
        end as reference_at
    from months
    cross join loaded_calls
    where
        months.month_start_date >= cast({{ dbt.date_trunc('month', 'loaded_calls.first_call_date') }} as date)
        and months.month_start_date <= loaded_calls.last_started_at

),

subscription_months as (

    select
        reporting_months.month_start_date,
        subscription_versions.subscription_id,
        plan_versions.service_plan_sk,
        plan_versions.monthly_fee_eur
    from reporting_months
    inner join subscription_versions
        on reporting_months.reference_at > subscription_versions.activated_at
        and reporting_months.reference_at > subscription_versions.valid_from
        and (
            reporting_months.reference_at <= subscription_versions.valid_to
            or subscription_versions.valid_to is null
        )
    inner join plan_versions
        on subscription_versions.plan_id = plan_versions.plan_id
        and reporting_months.reference_at > plan_versions.valid_from
        and (reporting_months.reference_at <= plan_versions.valid_to or plan_versions.valid_to is null)

),

fees as (

    select
        service_plan_sk,
        month_start_date,
        count(*) as active_subscription_count,
        sum(monthly_fee_eur) as monthly_fee_eur
    from subscription_months
    group by service_plan_sk, month_start_date

),

-- Unrated calls (unknown msisdn) carry no charge and no plan: they are left out.
usage as (

    select
        service_plan_sk,
        cast({{ dbt.date_trunc('month', 'call_date') }} as date) as month_start_date,
        count(*) as call_count,
        sum(charge_eur) as usage_charge_eur
    from calls
    where is_rated
    group by service_plan_sk, cast({{ dbt.date_trunc('month', 'call_date') }} as date)

),

combined as (

    select
        coalesce(fees.service_plan_sk, usage.service_plan_sk) as service_plan_sk,
        coalesce(fees.month_start_date, usage.month_start_date) as month_start_date,
        coalesce(fees.active_subscription_count, 0) as active_subscription_count,
        coalesce(fees.monthly_fee_eur, 0) as monthly_fee_eur,
        coalesce(usage.call_count, 0) as call_count,
        coalesce(usage.usage_charge_eur, 0) as usage_charge_eur
    from fees
    full outer join usage
        on fees.service_plan_sk = usage.service_plan_sk
        and fees.month_start_date = usage.month_start_date

)

select
    {{ generate_surrogate_key(['combined.service_plan_sk', 'combined.month_start_date']) }} as plan_month_id,
    combined.service_plan_sk,
    plan_versions.plan_id,
    plan_versions.plan_name,
    plan_versions.version_number as plan_version_number,
    combined.month_start_date,
    cast(combined.active_subscription_count as bigint) as active_subscription_count,
    cast(combined.call_count as bigint) as call_count,
    cast(combined.monthly_fee_eur as numeric(18, 4)) as monthly_fee_eur,
    cast(combined.usage_charge_eur as numeric(18, 4)) as usage_charge_eur,
    cast(combined.monthly_fee_eur + combined.usage_charge_eur as numeric(18, 4)) as total_revenue_eur,
    cast(
        case
            when combined.active_subscription_count > 0
                then (combined.monthly_fee_eur + combined.usage_charge_eur) / combined.active_subscription_count
        end as numeric(18, 4)
    ) as arpu_eur
from combined
inner join plan_versions
    on combined.service_plan_sk = plan_versions.service_plan_sk
