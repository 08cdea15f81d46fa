with

change_events as (

    {{ landed_change_events(source('shop_cdc', 'products'), [
        'product_id', 'sku', 'product_name', 'category', 'price_eur', 'created_at',
        'updated_at',
    ]) }}

),

available as (

    {{ keep_unavailable_values('change_events', 'product_id', [
        'sku', 'product_name', 'category', 'price_eur',
    ]) }}

),

typed as (

    select

        ---------- ids
        change_event_id,
        {{ cast_text('product_id', 'integer', 'bigint') }} as product_id,
        sku__available as sku,

        ---------- properties
        product_name__available as product_name,
        lower(category__available) as product_category,
        has_unavailable_values,

        ---------- measures
        cast(
            case when {{ is_decimal_of_scale('price_eur__available', 2) }} then price_eur__available end
            as numeric(18, 2)
        ) as price_eur,

        ---------- timestamps
        {{ change_timestamp('created_at') }} as created_at,
        {{ change_timestamp('updated_at') }} as updated_at,

        {{ change_event_columns() }},
        case
            when not is_truncate and {{ is_invalid_required('product_id', 'integer') }}
                then 'invalid_product_id'
            when source_lsn is null or changed_at is null
                then 'missing_log_position'
            when {{ is_log_position_collision('product_id') }}
                then 'conflicting_event_at_log_position'
            when not is_deleted and not is_truncate and updated_at is null
                then 'missing_updated_at'
            when not {{ is_change_timestamp('updated_at') }}
                then 'unparseable_updated_at'
            when not {{ is_change_timestamp('created_at') }}
                then 'unparseable_created_at'
            when not is_deleted and not is_truncate and price_eur__available is null
                then 'missing_price'
            when not {{ is_decimal_of_scale('price_eur__available', 2) }}
                then 'invalid_price'
            when price_eur__available like '-%'
                then 'negative_price'
            when not is_deleted and {{ change_timestamp('updated_at') }} < {{ change_timestamp('created_at') }}
                then 'updated_before_created'
        end as reject_reason

    from available

),

ordered as (

    select
        *,
        {{ commit_ordered_at('changed_at', 'product_id') }}
            as effective_at
    from typed

)

select * from ordered
