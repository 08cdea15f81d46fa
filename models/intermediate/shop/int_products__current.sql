-- One row per product that exists now, in its latest version: what the products
-- snapshot captures on each run.

select * from {{ ref('int_products__versioned') }}
where valid_to is null
