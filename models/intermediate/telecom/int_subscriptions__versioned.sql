-- One row per subscription version: which customer and plan an msisdn had, and when.

with

subscription_rows as (

    select * from {{ ref('stg_telecom__subscriptions') }}
    where reject_reason is null

),

versions as (

    {{ deduplicate('subscription_rows', 'subscription_id, updated_at', 'loaded_at, source_file') }}

),

dated as (

    select
        subscription_id,
        customer_id,
        msisdn,
        plan_id,
        activated_at,
        updated_at,
        updated_at as valid_from,
        lead(updated_at) over (
            partition by subscription_id order by updated_at
        ) as valid_to,
        row_number() over (
            partition by subscription_id order by updated_at
        ) as version_number
    from versions

)

select * from dated
