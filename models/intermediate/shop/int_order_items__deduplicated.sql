-- One row per order line. Items are exported once; a re-export of the same line keeps
-- the first delivery.

with

item_rows as (

    select * from {{ ref('stg_shop__order_items') }}
    where reject_reason is null

),

first_delivery as (

    {{ deduplicate('item_rows', 'order_item_id', 'loaded_at, source_file') }}

)

select
    order_item_id,
    order_id,
    product_id,
    quantity,
    unit_price_eur,
    cast(quantity * unit_price_eur as numeric(18, 2)) as line_amount_eur,
    created_at
from first_delivery
