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

        ---------- change
        is_deleted,
        deleted_at,
        source_lsn,
        changed_at,

        ---------- lineage
        extracted_at,
        loaded_at

    from extracted

)

select * from typed
