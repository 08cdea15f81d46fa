-- One row per subscription that exists now, in its latest version: what the subscriptions
-- snapshot captures on each run.

select * from {{ ref('int_subscriptions__versioned') }}
where valid_to is null
