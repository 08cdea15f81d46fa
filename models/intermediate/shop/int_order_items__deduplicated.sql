-- One row per order line that exists now. Items are exported once and captured by the
-- change stream as well; the latest observation by source log position wins (exports
-- rank before any change event, and among exports the first delivery), so a line
-- deleted in the shop is gone.

with

exported as (

    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price_eur,
        created_at,
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
        is_deleted,
        source_lsn,
        loaded_at,
        cast(null as {{ dbt.type_string() }}) as source_file
    from {{ ref('stg_shop_cdc__order_items') }}

),

observations as (

    select * from exported
    union all
    select * from captured

),

latest_per_item as (

    {{ deduplicate(
        'observations', 'order_item_id',
        'source_lsn desc, loaded_at, source_file'
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
