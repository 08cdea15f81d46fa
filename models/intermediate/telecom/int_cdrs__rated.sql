-- One row per call, with the subscription, customer and plan versions valid when the
-- call started, and its charge under that plan version (see the `call_rating` doc).
--
-- Incremental (delete+insert on cdr_id): a run rates the calls deduplicated since its
-- last run, and rates again the held calls a version landed since then may change: a
-- subscription, plan or customer version that arrived after the calls it covers (a call
-- held on the unknown customer until its subscription lands). A new version changes the
-- rating only of calls from its `valid_from` on, of the msisdns (subscriptions, plans)
-- or customers it belongs to. Each run records, per loader (files, stream, shop
-- database), the newest version load time it saw; the next run takes the versions
-- landed after it (the same loader's clock on both sides).

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='cdr_id',
    indexes=[
        {'columns': ['cdr_id'], 'unique': true},
        {'columns': ['dbt_updated_at']},
        {'columns': ['customer_id']},
    ] if target.type == 'postgres' else [],
    post_hook=incremental_post_hooks(),
) }}

with

-- The newest load time of the versions this run sees, per loader.
versions_loaded as (

    select
        (
            select max(filed.loaded_at) from (
                select loaded_at from {{ ref('stg_telecom__subscriptions') }}
                union all
                select loaded_at from {{ ref('stg_telecom__service_plans') }}
                union all
                select loaded_at from {{ ref('stg_shop__customers') }}
            ) as filed
        ) as file_versions_loaded_at,
        (select max(loaded_at) from {{ ref('stg_shop_cdc__customers') }}) as stream_versions_loaded_at,
        (select max(loaded_at) from {{ ref('stg_shop_db__customers') }}) as database_versions_loaded_at

),

deduplicated_calls as (

    select * from {{ ref('int_cdrs__deduplicated') }}

),

subscriptions as (

    select * from {{ ref('int_subscriptions__versioned') }}

),

{% if is_incremental() %}

held_watermarks as (

    select
        coalesce(max(file_versions_loaded_at), cast('1900-01-01' as timestamp)) as file_loaded_at,
        coalesce(max(stream_versions_loaded_at), cast('1900-01-01' as timestamp)) as stream_loaded_at,
        coalesce(max(database_versions_loaded_at), cast('1900-01-01' as timestamp))
            as database_loaded_at
    from {{ this }}

),

subscription_changes as (

    {{ versions_landed_after(
        ref('stg_telecom__subscriptions'), 'subscription_id', 'updated_at',
        'loaded_at, source_file', '(select file_loaded_at from held_watermarks)'
    ) }}

),

plan_changes as (

    {{ versions_landed_after(
        ref('stg_telecom__service_plans'), 'plan_id', 'updated_at',
        'exported_at, loaded_at', '(select file_loaded_at from held_watermarks)'
    ) }}

),

exported_customer_changes as (

    {{ versions_landed_after(
        ref('stg_shop__customers'), 'customer_id', 'updated_at',
        'loaded_at', '(select file_loaded_at from held_watermarks)'
    ) }}

),

captured_customer_changes as (

    {{ versions_landed_after(
        ref('stg_shop_cdc__customers'), 'customer_id', 'changed_at',
        'loaded_at', '(select stream_loaded_at from held_watermarks)', 'true'
    ) }}

),

extracted_customer_changes as (

    {{ versions_landed_after(
        ref('stg_shop_db__customers'), 'customer_id', 'changed_at',
        'loaded_at', '(select database_loaded_at from held_watermarks)', 'true'
    ) }}

),

customer_deletions as (

    select
        customer_id,
        changed_at as deleted_at
    from {{ ref('stg_shop_cdc__customers') }}
    where is_deleted
    union all
    select
        customer_id,
        changed_at as deleted_at
    from {{ ref('stg_shop_db__customers') }}
    where is_deleted

),

changed_customer_versions as (

    select * from exported_customer_changes
    union all
    select * from captured_customer_changes
    union all
    select * from extracted_customer_changes

),

-- A change of a deleted customer may also undo the delete: its last version then no
-- longer ends at the delete, so the calls since the delete are rated again too.
changed_customers as (

    select
        changed.customer_id,
        min(coalesce(least(changed.changed_from, customer_deletions.deleted_at), changed.changed_from))
            as changed_from
    from changed_customer_versions as changed
    left join customer_deletions
        on changed.customer_id = customer_deletions.customer_id
    group by changed.customer_id

),

changed_msisdns as (

    select
        changes.msisdn,
        min(changes.changed_from) as changed_from
    from (
        select
            subscriptions.msisdn,
            subscription_changes.changed_from
        from subscription_changes
        inner join subscriptions
            on subscription_changes.subscription_id = subscriptions.subscription_id
        union all
        select
            subscriptions.msisdn,
            plan_changes.changed_from
        from plan_changes
        inner join subscriptions
            on plan_changes.plan_id = subscriptions.plan_id
    ) as changes
    group by changes.msisdn

),

calls_to_rate as (

    select cdr_id from deduplicated_calls
    where dbt_updated_at > {{ last_incremental_run() }}
    union
    select deduplicated_calls.cdr_id
    from deduplicated_calls
    inner join changed_msisdns
        on deduplicated_calls.msisdn = changed_msisdns.msisdn
        and deduplicated_calls.started_at >= changed_msisdns.changed_from
    union
    select held_calls.cdr_id
    from {{ this }} as held_calls
    inner join changed_customers
        on held_calls.customer_id = changed_customers.customer_id
        and held_calls.started_at >= changed_customers.changed_from

),

calls as (

    select deduplicated_calls.*
    from deduplicated_calls
    inner join calls_to_rate
        on deduplicated_calls.cdr_id = calls_to_rate.cdr_id

),

{% else %}

calls as (

    select * from deduplicated_calls

),

{% endif %}

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
        and calls.started_at < coalesce(subscriptions.valid_to, {{ end_of_time() }})
    left join customers
        on subscriptions.customer_id = customers.customer_id
        and calls.started_at >= customers.valid_from
        and calls.started_at < coalesce(customers.valid_to, {{ end_of_time() }})
    left join plans
        on subscriptions.plan_id = plans.plan_id
        and calls.started_at >= plans.valid_from
        and calls.started_at < coalesce(plans.valid_to, {{ end_of_time() }})

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
    rated.cdr_id,
    rated.switch_id,
    rated.msisdn,
    rated.cell_id,
    rated.subscription_id,
    rated.customer_id,
    rated.customer_valid_from,
    rated.plan_id,
    rated.plan_valid_from,
    rated.call_type,
    rated.termination_cause,
    rated.is_roaming,
    rated.duration_s,
    rated.bytes_up,
    rated.bytes_down,
    rated.billed_minutes,
    rated.billed_mb,
    rated.charge_eur,
    rated.plan_id is not null as is_rated,
    rated.started_at,
    rated.call_date,
    rated.delivered_via,
    rated.source_file,
    rated.loaded_at,
    versions_loaded.file_versions_loaded_at,
    versions_loaded.stream_versions_loaded_at,
    versions_loaded.database_versions_loaded_at,
    {{ incremental_run_timestamp() }} as dbt_updated_at
from rated
cross join versions_loaded
