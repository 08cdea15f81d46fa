with

source as (

    select * from {{ source('shop_db', 'order_items') }}

),

-- tap-postgres's metadata named: a delete (read from the log by tap-postgres-log)
-- carries only the key and when it was read; rows read by a query have no log position
extracted as (

    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price_eur,
        created_at,
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
            'order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price_eur',
            'created_at', 'source_lsn', 'is_deleted',
        ]) }} as extracted_row_id,
        {{ json_object_text([
            'order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price_eur',
            'created_at', 'source_lsn', 'is_deleted',
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
                order_item_id,
                order_id,
                product_id,
                quantity,
                unit_price_eur,
                created_at,
                source_lsn,
                is_deleted
            order by loaded_at, load_sequence
        ) as landing_rank
    from with_payload

),

-- the first rule a row breaks is its reject reason; a row image took effect at
-- its `created_at`, a delete when it was read
validated as (

    select
        *,
        case when is_deleted then deleted_at else created_at end as changed_at,
        case
            when order_item_id is null then 'missing_order_item_id'
            when {{ is_log_position_collision('order_item_id') }} then 'conflicting_rows_at_log_position'
            when not is_deleted and (order_id is null or product_id is null) then 'missing_order_or_product'
            when not is_deleted and quantity is null then 'missing_quantity'
            when quantity <= 0 then 'non_positive_quantity'
            when not is_deleted and unit_price_eur is null then 'missing_price'
            when unit_price_eur < 0 then 'negative_price'
            when not is_deleted and created_at is null then 'missing_created_at'
        end as reject_reason
    from ranked_landings
    where landing_rank = 1

),

typed as (

    select

        ---------- ids
        extracted_row_id,
        cast(order_item_id as bigint) as order_item_id,
        cast(order_id as bigint) as order_id,
        cast(product_id as bigint) as product_id,

        ---------- measures
        cast(quantity as integer) as quantity,
        cast(unit_price_eur as numeric(18, 2)) as unit_price_eur,

        ---------- timestamps
        cast(created_at as timestamp) as created_at,

        ---------- change
        is_deleted,
        deleted_at,
        source_lsn,
        changed_at,

        ---------- lineage
        extracted_at,
        loaded_at,
        extracted_row_id as source_row_id,
        'shop_db_order_items' as source_file,
        raw_record,

        ---------- validation
        reject_reason

    from validated

),

ordered as (

    select
        *,
        {{ commit_ordered_at('changed_at', 'order_item_id', 'source_lsn, loaded_at') }} as effective_at
    from typed

)

select * from ordered
