-- One row per order line that exists now. Items are exported once and captured by the
-- change stream and the shop database as well; the latest observation wins, by when it
-- took effect (a line's created_at, a delete's time), then by source log position
-- (exports and rows read by a query rank before any logged change, and among exports
-- the first delivery), so a line deleted in the shop is gone.

with

exported as (

    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price_eur,
        created_at,
        created_at as effective_at,
        false as is_deleted,
        -1 as source_lsn,
        loaded_at,
        source_file
    from {{ ref('stg_shop__order_items') }}
    where reject_reason is null

),

captured as (

    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price_eur,
        created_at,
        case when is_deleted then changed_at else created_at end as effective_at,
        is_deleted,
        source_lsn,
        loaded_at,
        cast(null as {{ dbt.type_string() }}) as source_file
    from {{ ref('stg_shop_cdc__order_items') }}

),

extracted as (

    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price_eur,
        created_at,
        changed_at as effective_at,
        is_deleted,
        coalesce(source_lsn, -1) as source_lsn,
        loaded_at,
        cast(null as {{ dbt.type_string() }}) as source_file
    from {{ ref('stg_shop_db__order_items') }}

),

observations as (

    select * from exported
    union all
    select * from captured
    union all
    select * from extracted

),

latest_per_item as (

    {{ deduplicate(
        'observations', 'order_item_id',
        'effective_at desc, source_lsn desc, loaded_at, source_file'
    ) }}

)

select
    order_item_id,
    order_id,
    product_id,
    quantity,
    unit_price_eur,
    cast(quantity * unit_price_eur as numeric(18, 2)) as line_amount_eur,
    created_at
from latest_per_item
where not is_deleted
