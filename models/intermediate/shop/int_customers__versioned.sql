-- One row per customer version: every distinct (customer_id, updated_at) the exports
-- carried, with the range of time it was the customer's state.

with

customer_rows as (

    select * from {{ ref('stg_shop__customers') }}
    where reject_reason is null

),

versions as (

    {{ deduplicate('customer_rows', 'customer_id, updated_at', 'loaded_at, source_file') }}

),

dated as (

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
        updated_at as valid_from,
        lead(updated_at) over (
            partition by customer_id order by updated_at
        ) as valid_to,
        row_number() over (
            partition by customer_id order by updated_at
        ) as version_number
    from versions

)

select * from dated
