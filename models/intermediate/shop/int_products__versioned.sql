-- One row per product version. The catalogue is a full export each day, so a product
-- missing from the newest export was deleted: its last version ends at the first export
-- that no longer carried it.

with

product_rows as (

    select * from {{ ref('stg_shop__products') }}
    where reject_reason is null

),

exports as (

    select distinct exported_at from product_rows

),

last_seen as (

    select
        product_id,
        max(exported_at) as last_exported_at
    from product_rows
    group by product_id

),

deletions as (

    select
        last_seen.product_id,
        min(exports.exported_at) as deleted_at
    from last_seen
    inner join exports
        on last_seen.last_exported_at < exports.exported_at
    group by last_seen.product_id

),

versions as (

    {{ deduplicate('product_rows', 'product_id, updated_at', 'exported_at, loaded_at') }}

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
