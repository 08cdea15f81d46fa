with

change_events as (

    {{ landed_change_events(source('shop_cdc', 'customers'), [
        'customer_id', 'first_name', 'last_name', 'email', 'segment', 'city',
        'country_code', 'created_at', 'updated_at',
    ]) }}

),

available as (

    {{ keep_unavailable_values('change_events', 'customer_id', [
        'first_name', 'last_name', 'email', 'segment', 'city', 'country_code',
    ]) }}

),

typed as (

    select

        ---------- ids
        change_event_id,
        {{ cast_text('customer_id', 'integer', 'bigint') }} as customer_id,

        ---------- properties
        first_name__available as first_name,
        last_name__available as last_name,
        lower(email__available) as email,
        lower(segment__available) as customer_segment,
        city__available as city,
        upper(country_code__available) as country_code,
        has_unavailable_values,

        ---------- timestamps
        {{ change_timestamp('created_at') }} as created_at,
        {{ change_timestamp('updated_at') }} as updated_at,

        {{ change_event_columns() }},
        case
            when not is_truncate and {{ is_invalid_required('customer_id', 'integer') }}
                then 'invalid_customer_id'
            when source_lsn is null or changed_at is null
                then 'missing_log_position'
            when {{ is_log_position_collision('customer_id') }}
                then 'conflicting_event_at_log_position'
            when not is_deleted and not is_truncate and updated_at is null
                then 'missing_updated_at'
            when not {{ is_change_timestamp('updated_at') }}
                then 'unparseable_updated_at'
            when not {{ is_change_timestamp('created_at') }}
                then 'unparseable_created_at'
            when not is_deleted and {{ change_timestamp('updated_at') }} < {{ change_timestamp('created_at') }}
                then 'updated_before_created'
        end as reject_reason

    from available

),

ordered as (

    select
        *,
        {{ commit_ordered_at('changed_at', 'customer_id') }}
            as effective_at
    from typed

)

select * from ordered
