with

source as (

    select * from {{ source('shop_db', 'customers') }}

),

-- tap-postgres's metadata named: a delete (read from the log by tap-postgres-log)
-- carries only the key and when it was read; rows read by a query have no log position
extracted as (

    select
        customer_id,
        first_name,
        last_name,
        email,
        segment,
        city,
        country_code,
        created_at,
        updated_at,
        _sdc_deleted_at is not null as is_deleted,
        cast(_sdc_deleted_at as timestamp) as deleted_at,
        cast(_sdc_lsn as bigint) as source_lsn,
        cast(_sdc_extracted_at as timestamp) as extracted_at,
        cast(_sdc_batched_at as timestamp) as loaded_at,
        _sdc_sequence as load_sequence
    from source

),

with_payload as (

    select
        *,
        {{ generate_surrogate_key([
            'customer_id', 'first_name', 'last_name', 'email', 'segment', 'city',
            'country_code', 'created_at', 'updated_at', 'source_lsn', 'is_deleted',
        ]) }} as extracted_row_id,
        {{ json_object_text([
            'customer_id', 'first_name', 'last_name', 'email', 'segment', 'city',
            'country_code', 'created_at', 'updated_at', 'source_lsn', 'is_deleted',
        ]) }} as raw_record
    from extracted

),

-- incremental runs read their bookmark's row again, and the log extractor's first load
-- reads every row the incremental extractor may already have landed: the same row image
-- at the same log position (or none) is the same observation, kept from its first landing
ranked_landings as (

    select
        *,
        row_number() over (
            partition by
                customer_id,
                first_name,
                last_name,
                email,
                segment,
                city,
                country_code,
                created_at,
                updated_at,
                source_lsn,
                is_deleted
            order by loaded_at, load_sequence
        ) as landing_rank
    from with_payload

),

-- the first rule a row breaks is its reject reason; a row image took effect at
-- its `updated_at`, a delete when it was read
validated as (

    select
        *,
        case when is_deleted then deleted_at else updated_at end as changed_at,
        case
            when customer_id is null then 'missing_customer_id'
            when {{ is_log_position_collision('customer_id') }} then 'conflicting_rows_at_log_position'
            when not is_deleted and updated_at is null then 'missing_updated_at'
            when not is_deleted and updated_at < created_at then 'updated_before_created'
        end as reject_reason
    from ranked_landings
    where landing_rank = 1

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
        loaded_at,
        extracted_row_id as source_row_id,
        'shop_db_customers' as source_file,
        raw_record,

        ---------- validation
        reject_reason

    from validated

),

ordered as (

    select
        *,
        {{ commit_ordered_at('changed_at', 'customer_id', 'source_lsn, loaded_at') }} as effective_at
    from typed

)

select * from ordered
