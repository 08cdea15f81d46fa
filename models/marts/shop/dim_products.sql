-- One row per product version (SCD2), plus the unknown member. A discontinued product
-- keeps its history; its last version ends when it was deleted.

with

product_versions as (

    select * from {{ ref('int_products__versioned') }}

),

dimension as (

    select
        {{ generate_surrogate_key(['product_id', 'valid_from']) }} as product_sk,
        product_id,
        sku,
        product_name,
        product_category,
        price_eur,
        deleted_at is not null as is_deleted,
        created_at,
        deleted_at,
        version_number,
        valid_from,
        valid_to,
        valid_to is null as is_current
    from product_versions

),

unknown_member as (

    select
        {{ unknown_member_key() }} as product_sk,
        cast(-1 as bigint) as product_id,
        cast(null as {{ dbt.type_string() }}) as sku,
        'Unknown' as product_name,
        'unknown' as product_category,
        cast(null as numeric(18, 2)) as price_eur,
        false as is_deleted,
        cast(null as timestamp) as created_at,
        cast(null as timestamp) as deleted_at,
        cast(1 as bigint) as version_number,
        {{ unknown_valid_from() }} as valid_from,
        cast(null as timestamp) as valid_to,
        true as is_current

)

select * from dimension
union all
select * from unknown_member
