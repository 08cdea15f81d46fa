-- One row per service plan that exists now, in its latest version: what the service_plans
-- snapshot captures on each run.

select * from {{ ref('int_service_plans__versioned') }}
where valid_to is null
