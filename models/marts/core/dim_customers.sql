-- One row per customer version (SCD2), plus the unknown member. The same customer_id is
-- the shop account and the telecom subscriber: one customer across both businesses.

with

customer_versions as (

    select * from {{ ref('int_customers__versioned') }}

),

subscribers as (

    select distinct customer_id from {{ ref('int_subscriptions__versioned') }}

),

dimension as (

    select
        {{ generate_surrogate_key(['customer_versions.customer_id', 'customer_versions.valid_from']) }} as customer_sk,
        customer_versions.customer_id,
        customer_versions.first_name,
        customer_versions.last_name,
        customer_versions.email,
        customer_versions.customer_segment,
        customer_versions.city,
        customer_versions.country_code,
        subscribers.customer_id is not null as is_subscriber,
        customer_versions.created_at,
        customer_versions.version_number,
        customer_versions.valid_from,
        customer_versions.valid_to,
        customer_versions.valid_to is null as is_current
    from customer_versions
    left join subscribers
        on customer_versions.customer_id = subscribers.customer_id

),

unknown_member as (

    select
        {{ unknown_member_key() }} as customer_sk,
        cast(-1 as bigint) as customer_id,
        'Unknown' as first_name,
        'Unknown' as last_name,
        cast(null as {{ dbt.type_string() }}) as email,
        'unknown' as customer_segment,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as country_code,
        false as is_subscriber,
        cast(null as timestamp) as created_at,
        cast(1 as bigint) as version_number,
        {{ unknown_valid_from() }} as valid_from,
        cast(null as timestamp) as valid_to,
        true as is_current

)

select * from dimension
union all
select * from unknown_member
