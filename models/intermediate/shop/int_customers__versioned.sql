-- One row per customer version: every distinct (customer_id, updated_at) the exports, the
-- change stream or the shop database carried, with the range of time it was the
-- customer's state. A version takes effect at its channel's effective time (doc block
-- `effective_at`: the change stream's in commit order, never reordered by updated_at);
-- of versions taking effect at one instant, the latest commit wins. A customer deleted
-- in the shop (a delete with no later change, on the change stream or in the database's
-- log), or whose table was truncated after its last change, ends its last version at
-- the earliest time a channel dates the delete.

with

exported as (

    select
        customer_id,
        first_name,
        last_name,
        email,
        customer_segment,
        city,
        country_code,
        created_at,
        updated_at,
        updated_at as effective_at,
        -1 as source_lsn,
        loaded_at
    from {{ ref('stg_shop__customers') }}
    where reject_reason is null

),

captured as (

    select
        customer_id,
        first_name,
        last_name,
        email,
        customer_segment,
        city,
        country_code,
        created_at,
        updated_at,
        effective_at,
        source_lsn,
        loaded_at
    from {{ ref('stg_shop_cdc__customers') }}
    where reject_reason is null and not is_deleted and is_truncate is not true

),

extracted as (

    select
        customer_id,
        first_name,
        last_name,
        email,
        customer_segment,
        city,
        country_code,
        created_at,
        updated_at,
        effective_at,
        coalesce(source_lsn, -1) as source_lsn,
        loaded_at
    from {{ ref('stg_shop_db__customers') }}
    where reject_reason is null and not is_deleted

),

observations as (

    select * from exported
    union all
    select * from captured
    union all
    select * from extracted

),

observed_states as (

    -- Each state once (the same key and updated_at, whichever channels carried it),
    -- from the channel with the log position: it knows when the state took effect.
    {{ deduplicate('observations', 'customer_id, updated_at', 'source_lsn desc, loaded_at') }}

),

states as (

    select
        customer_id,
        first_name,
        last_name,
        email,
        customer_segment,
        city,
        country_code,
        created_at,
        updated_at,
        effective_at,
        source_lsn,
        loaded_at
    from observed_states

),

versions as (

    -- Of states taking effect at one instant (one transaction), the last commit.
    {{ deduplicate('states', 'customer_id, effective_at', 'source_lsn desc, loaded_at desc') }}

),

change_deletions as (

    {{ cdc_deletions(ref('stg_shop_cdc__customers'), 'customer_id') }}

),

extracted_deletions as (

    {{ cdc_deletions(
        ref('stg_shop_db__customers'), 'customer_id', 'effective_at desc, coalesce(source_lsn, -1) desc'
    ) }}

),

truncations as (

    select
        customer_id,
        deleted_at
    from ({{ cdc_truncations(ref('stg_shop_cdc__customers'), 'customer_id') }}) as truncated

),

deletions as (

    select
        customer_id,
        min(deleted_at) as deleted_at
    from (
        select * from change_deletions
        union all
        select * from truncations
        union all
        select * from extracted_deletions
    ) as channel_deletions
    group by customer_id

),

dated as (

    select
        versions.customer_id,
        versions.first_name,
        versions.last_name,
        versions.email,
        versions.customer_segment,
        versions.city,
        versions.country_code,
        versions.created_at,
        versions.updated_at,
        versions.effective_at as valid_from,
        coalesce(
            lead(versions.effective_at) over (
                partition by versions.customer_id order by versions.effective_at
            ),
            deletions.deleted_at
        ) as valid_to,
        deletions.deleted_at,
        row_number() over (
            partition by versions.customer_id order by versions.effective_at
        ) as version_number
    from versions
    left join deletions
        on versions.customer_id = deletions.customer_id

),

visible as (

    -- A last version that its delete ends at once (changed and deleted in one
    -- transaction) was never a state anyone could see.
    select * from dated
    where valid_to is null or valid_to > valid_from

)

select * from visible
