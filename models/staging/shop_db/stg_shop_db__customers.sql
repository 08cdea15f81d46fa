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

        {{ extracted_row_columns() }},
        case
            when customer_id is null then 'missing_customer_id'
            when {{ is_log_position_collision('customer_id') }} then 'conflicting_rows_at_log_position'
            when not is_deleted and updated_at is null then 'missing_updated_at'
            when not is_deleted and updated_at < created_at then 'updated_before_created'
        end as reject_reason

    from extracted

),

ordered as (

    select
        *,
        {{ commit_ordered_at('changed_at', 'customer_id', 'source_lsn, loaded_at') }} as effective_at
    from typed

)

select * from ordered
