-- One row per product version, from the exports, the change stream and the shop
-- database, each taking effect at its channel's effective time (doc block
-- `effective_at`: the change stream's in commit order, never reordered by updated_at;
-- of versions taking effect at one instant, the latest commit wins). A truncate of the
-- table ends every product it finds current. A product is deleted when its latest
-- change event or its latest observation in the database's log is a delete or, for what
-- the exports alone know, when it is missing from a later full export (the catalogue is
-- exported in full each day): its last version ends at the earliest time a channel dates
-- the delete.

with

exported as (

    select
        product_id,
        sku,
        product_name,
        product_category,
        price_eur,
        created_at,
        updated_at,
        updated_at as effective_at,
        -1 as source_lsn,
        loaded_at
    from {{ ref('stg_shop__products') }}
    where reject_reason is null

),

captured as (

    select
        product_id,
        sku,
        product_name,
        product_category,
        price_eur,
        created_at,
        updated_at,
        effective_at,
        source_lsn,
        loaded_at
    from {{ ref('stg_shop_cdc__products') }}
    where reject_reason is null and not is_deleted and is_truncate is not true

),

extracted as (

    select
        product_id,
        sku,
        product_name,
        product_category,
        price_eur,
        created_at,
        updated_at,
        effective_at,
        coalesce(source_lsn, -1) as source_lsn,
        loaded_at
    from {{ ref('stg_shop_db__products') }}
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
    {{ deduplicate('observations', 'product_id, updated_at', 'source_lsn desc, loaded_at') }}

),

states as (

    select
        product_id,
        sku,
        product_name,
        product_category,
        price_eur,
        created_at,
        updated_at,
        effective_at,
        source_lsn,
        loaded_at
    from observed_states

),

versions as (

    -- Of states taking effect at one instant (one transaction), the last commit.
    {{ deduplicate('states', 'product_id, effective_at', 'source_lsn desc, loaded_at desc') }}

),

export_dates as (

    select distinct exported_at
    from {{ ref('stg_shop__products') }}
    where reject_reason is null

),

last_exported as (

    select
        product_id,
        max(exported_at) as last_exported_at
    from {{ ref('stg_shop__products') }}
    where reject_reason is null
    group by product_id

),

export_deletions as (

    select
        last_exported.product_id,
        min(export_dates.exported_at) as deleted_at
    from last_exported
    inner join export_dates
        on last_exported.last_exported_at < export_dates.exported_at
    group by last_exported.product_id

),

change_deletions as (

    {{ cdc_deletions(ref('stg_shop_cdc__products'), 'product_id') }}

),

extracted_deletions as (

    {{ cdc_deletions(
        ref('stg_shop_db__products'), 'product_id', 'effective_at desc, coalesce(source_lsn, -1) desc'
    ) }}

),

truncations as (

    select
        product_id,
        deleted_at
    from ({{ cdc_truncations(ref('stg_shop_cdc__products'), 'product_id') }}) as truncated

),

deletions as (

    select
        product_id,
        min(deleted_at) as deleted_at
    from (
        select * from change_deletions
        union all
        select * from truncations
        union all
        select * from extracted_deletions
        union all
        select * from export_deletions
    ) as channel_deletions
    group by product_id

),

dated as (

    select
        versions.product_id,
        versions.sku,
        versions.product_name,
        versions.product_category,
        versions.price_eur,
        versions.created_at,
        versions.updated_at,
        versions.effective_at as valid_from,
        coalesce(
            lead(versions.effective_at) over (
                partition by versions.product_id order by versions.effective_at
            ),
            deletions.deleted_at
        ) as valid_to,
        deletions.deleted_at,
        row_number() over (
            partition by versions.product_id order by versions.effective_at
        ) as version_number
    from versions
    left join deletions
        on versions.product_id = deletions.product_id

),

visible as (

    -- A last version that its delete ends at once (changed and deleted in one
    -- transaction) was never a state anyone could see.
    select * from dated
    where valid_to is null or valid_to > valid_from

)

select * from visible
