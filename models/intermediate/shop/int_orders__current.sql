-- One row per order in its latest exported state. Exports repeat an order each day it
-- changes; the version with the latest updated_at wins.

with

order_rows as (

    select * from {{ ref('stg_shop__orders') }}
    where reject_reason is null

),

latest_per_order as (

    {{ deduplicate('order_rows', 'order_id', 'updated_at desc, loaded_at desc') }}

)

select
    order_id,
    customer_id,
    order_status,
    order_channel,
    ordered_at,
    updated_at
from latest_per_order
