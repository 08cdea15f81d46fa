-- One row per customer that exists now, in its latest version: what the customers
-- snapshot captures on each run.

select * from {{ ref('int_customers__versioned') }}
where valid_to is null
