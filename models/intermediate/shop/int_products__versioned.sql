-- One row per product version, from the exports, the change stream and the shop
-- database. A product is deleted when its latest change event or its latest observation
-- in the database's log is a delete or, for what the exports alone know, when it is
-- missing from a later full export (the catalogue is exported in full each day): its
-- last version ends at the earliest time a channel dates the delete.

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
        source_lsn,
        loaded_at
    from {{ ref('stg_shop_cdc__products') }}
    where not is_deleted

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
        coalesce(source_lsn, -1) as source_lsn,
        loaded_at
    from {{ ref('stg_shop_db__products') }}
    where not is_deleted

),

observations as (

    select * from exported
    union all
    select * from captured
    union all
    select * from extracted

),

versions as (

    {{ deduplicate('observations', 'product_id, updated_at', 'source_lsn desc, loaded_at') }}

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

    {{ cdc_deletions(ref('stg_shop_db__products'), 'product_id', 'changed_at desc, coalesce(source_lsn, -1) desc') }}

),

deletions as (

    select
        product_id,
        min(deleted_at) as deleted_at
    from (
        select * from change_deletions
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
        versions.updated_at as valid_from,
        coalesce(
            lead(versions.updated_at) over (
                partition by versions.product_id order by versions.updated_at
            ),
            deletions.deleted_at
        ) as valid_to,
        deletions.deleted_at,
        row_number() over (
            partition by versions.product_id order by versions.updated_at
        ) as version_number
    from versions
    left join deletions
        on versions.product_id = deletions.product_id

)

select * from dated
