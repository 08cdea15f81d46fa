with

change_events as (

    {{ landed_change_events(source('shop_cdc', 'customers')) }}

),

typed as (

    select

        ---------- ids
        change_event_id,
        cast(customer_id as bigint) as customer_id,

        ---------- properties
        first_name,
        last_name,
        lower(email) as email,
        lower(segment) as customer_segment,
        city,
        upper(country_code) as country_code,

        ---------- timestamps
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,

        {{ change_event_columns() }}

    from change_events

)

select * from typed
