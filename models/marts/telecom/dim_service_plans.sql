-- One row per service plan version (SCD2: a tariff change makes a new version), plus the
-- unknown member for calls that could not be rated.

with

plan_versions as (

    select * from {{ ref('int_service_plans__versioned') }}

),

dimension as (

    select
        {{ generate_surrogate_key(['plan_id', 'valid_from']) }} as service_plan_sk,
        plan_id,
        plan_name,
        monthly_fee_eur,
        price_per_minute_eur,
        price_per_sms_eur,
        price_per_mb_eur,
        version_number,
        valid_from,
        valid_to,
        valid_to is null as is_current
    from plan_versions

),

unknown_member as (

    select
        {{ unknown_member_key() }} as service_plan_sk,
        cast(-1 as bigint) as plan_id,
        'Unknown' as plan_name,
        cast(null as numeric(18, 4)) as monthly_fee_eur,
        cast(null as numeric(18, 4)) as price_per_minute_eur,
        cast(null as numeric(18, 4)) as price_per_sms_eur,
        cast(null as numeric(18, 4)) as price_per_mb_eur,
        cast(1 as bigint) as version_number,
        {{ unknown_valid_from() }} as valid_from,
        cast(null as timestamp) as valid_to,
        true as is_current

)

select * from dimension
union all
select * from unknown_member
