with

landed as (

    {{ landed_rows(source('shop', 'customers'), [
        'customer_id', 'first_name', 'last_name', 'email', 'segment', 'city',
        'country_code', 'created_at', 'updated_at',
    ]) }}

),

typed as (

    select

        ---------- ids
        source_row_id,
        {{ cast_text('customer_id', 'integer', 'bigint') }} as customer_id,

        ---------- properties
        first_name,
        last_name,
        lower(email) as email,
        lower(segment) as customer_segment,
        city,
        upper(country_code) as country_code,

        ---------- timestamps
        {{ cast_text('created_at', 'timestamp', 'timestamp') }} as created_at,
        {{ cast_text('updated_at', 'timestamp', 'timestamp') }} as updated_at,

        ---------- lineage
        source_file,
        loaded_at,
        raw_record,
        {{ first_reject_reason([
            ["parse_error is not null", 'malformed_row'],
            [is_invalid_required('customer_id', 'integer'), 'invalid_customer_id'],
            [is_invalid_required('updated_at', 'timestamp'), 'unparseable_updated_at'],
        ]) }} as reject_reason

    from landed

)

select * from typed
