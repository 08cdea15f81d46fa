with

change_events as (

    {{ landed_change_events(source('shop_cdc', 'orders'), [
        'order_id', 'customer_id', 'order_status', 'channel', 'ordered_at', 'updated_at',
    ]) }}

),

available as (

    {{ keep_unavailable_values('change_events', 'order_id', ['order_status', 'channel']) }}

),

typed as (

    select

        ---------- ids
        change_event_id,
        {{ cast_text('order_id', 'integer', 'bigint') }} as order_id,
        {{ cast_text('customer_id', 'integer', 'bigint') }} as customer_id,

        ---------- properties
        lower(order_status__available) as order_status,
        lower(channel__available) as order_channel,
        has_unavailable_values,

        ---------- timestamps
        {{ change_timestamp('ordered_at') }} as ordered_at,
        {{ change_timestamp('updated_at') }} as updated_at,

        {{ change_event_columns() }},
        case
            when not is_truncate and {{ is_invalid_required('order_id', 'integer') }}
                then 'invalid_order_id'
            when source_lsn is null or changed_at is null
                then 'missing_log_position'
            when {{ is_log_position_collision('order_id') }}
                then 'conflicting_event_at_log_position'
            when not {{ is_text_of_kind('customer_id', 'integer') }}
                then 'invalid_customer_id'
            when not is_deleted and not is_truncate and updated_at is null
                then 'missing_updated_at'
            when not {{ is_change_timestamp('updated_at') }}
                then 'unparseable_updated_at'
            when not {{ is_change_timestamp('ordered_at') }}
                then 'unparseable_ordered_at'
            when not is_deleted and {{ change_timestamp('updated_at') }} < {{ change_timestamp('ordered_at') }}
                then 'updated_before_ordered'
        end as reject_reason

    from available

),

ordered as (

    select
        *,
        {{ commit_ordered_at('changed_at', 'order_id') }}
            as effective_at
    from typed

)

select * from ordered
