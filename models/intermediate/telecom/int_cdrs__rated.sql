-- One row per call, with the subscription, customer and plan versions valid when the
-- call started, and its charge under that plan version (see the `call_rating` doc).

with

calls as (

    select * from {{ ref('int_cdrs__deduplicated') }}

),

subscriptions as (

    select * from {{ ref('int_subscriptions__versioned') }}

),

customers as (

    select * from {{ ref('int_customers__versioned') }}

),

plans as (

    select * from {{ ref('int_service_plans__versioned') }}

),

calls_with_versions as (

    select
        calls.*,
        subscriptions.subscription_id,
        subscriptions.customer_id,
        customers.valid_from as customer_valid_from,
        plans.plan_id,
        plans.valid_from as plan_valid_from,
        plans.price_per_minute_eur,
        plans.price_per_sms_eur,
        plans.price_per_mb_eur
    from calls
    left join subscriptions
        on calls.msisdn = subscriptions.msisdn
        and calls.started_at >= subscriptions.valid_from
        and (calls.started_at < subscriptions.valid_to or subscriptions.valid_to is null)
    left join customers
        on subscriptions.customer_id = customers.customer_id
        and calls.started_at >= customers.valid_from
        and (calls.started_at < customers.valid_to or customers.valid_to is null)
    left join plans
        on subscriptions.plan_id = plans.plan_id
        and calls.started_at >= plans.valid_from
        and (calls.started_at < plans.valid_to or plans.valid_to is null)

),

billed_units as (

    select
        *,
        case
            when call_type = 'voice' then cast(ceil(duration_s / 60.0) as bigint)
            else 0
        end as billed_minutes,
        case
            when call_type = 'data' then cast(ceil((bytes_up + bytes_down) / 1000000.0) as bigint)
            else 0
        end as billed_mb
    from calls_with_versions

),

rated as (

    select
        *,
        cast(
            case
                when call_type = 'voice' then billed_minutes * price_per_minute_eur
                when call_type = 'sms' then price_per_sms_eur
                when call_type = 'data' then billed_mb * price_per_mb_eur
            end
            * case when is_roaming then 2 else 1 end
            as numeric(18, 4)
        ) as charge_eur
    from billed_units

)

select
    cdr_id,
    switch_id,
    msisdn,
    cell_id,
    subscription_id,
    customer_id,
    customer_valid_from,
    plan_id,
    plan_valid_from,
    call_type,
    termination_cause,
    is_roaming,
    duration_s,
    bytes_up,
    bytes_down,
    billed_minutes,
    billed_mb,
    charge_eur,
    plan_id is not null as is_rated,
    started_at,
    call_date,
    delivered_via,
    source_file,
    loaded_at
from rated
