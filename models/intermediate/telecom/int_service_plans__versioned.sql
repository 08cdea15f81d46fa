-- One row per service plan version (every distinct tariff state the daily full exports
-- carried), with the range of time its tariff applied.

with

plan_rows as (

    select * from {{ ref('stg_telecom__service_plans') }}
    where reject_reason is null

),

versions as (

    {{ deduplicate('plan_rows', 'plan_id, updated_at', 'exported_at, loaded_at') }}

),

dated as (

    select
        plan_id,
        plan_name,
        monthly_fee_eur,
        price_per_minute_eur,
        price_per_sms_eur,
        price_per_mb_eur,
        updated_at,
        updated_at as valid_from,
        lead(updated_at) over (
            partition by plan_id order by updated_at
        ) as valid_to,
        row_number() over (
            partition by plan_id order by updated_at
        ) as version_number
    from versions

)

select * from dated
