-- The snapshots and the SCD2 dimensions are built two ways (state captured per run vs
-- the full raw history); their current rows must name the same versions.

with

snapshot_current as (

    select
        'customers' as entity,
        customer_id as entity_id,
        updated_at
    from {{ ref('customers_snapshot') }}
    where dbt_valid_to is null

    union all

    select
        'products' as entity,
        product_id as entity_id,
        updated_at
    from {{ ref('products_snapshot') }}
    where dbt_valid_to is null

    union all

    select
        'service_plans' as entity,
        plan_id as entity_id,
        updated_at
    from {{ ref('service_plans_snapshot') }}
    where dbt_valid_to is null

),

dimension_current as (

    select
        'customers' as entity,
        customer_id as entity_id,
        valid_from as updated_at
    from {{ ref('dim_customers') }}
    where is_current and customer_id <> -1

    union all

    select
        'products' as entity,
        product_id as entity_id,
        valid_from as updated_at
    from {{ ref('dim_products') }}
    where is_current and product_id <> -1

    union all

    select
        'service_plans' as entity,
        plan_id as entity_id,
        valid_from as updated_at
    from {{ ref('dim_service_plans') }}
    where is_current and plan_id <> -1

),

only_in_snapshot as (

    select * from snapshot_current
    except
    select * from dimension_current

),

only_in_dimension as (

    select * from dimension_current
    except
    select * from snapshot_current

),

differences as (

    select
        'only in snapshot' as difference,
        entity,
        entity_id,
        updated_at
    from only_in_snapshot

    union all

    select
        'only in dimension' as difference,
        entity,
        entity_id,
        updated_at
    from only_in_dimension

)

select * from differences
