with

extracted as (

    {{ extracted_rows(source('shop_db', 'customers'), [
        'customer_id', 'first_name', 'last_name', 'email', 'segment', 'city',
        'country_code', 'created_at', 'updated_at',
    ], 'updated_at') }}

),

typed as (

    select

        ---------- ids
        extracted_row_id,
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

        {{ extracted_row_columns() }}

    from extracted

)

select * from typed
