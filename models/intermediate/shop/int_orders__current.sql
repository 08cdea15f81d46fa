-- One row per order that exists now, in its latest state, from three channels: the
-- nightly exports (each changed order with its end-of-day state), the change stream
-- (every committed change, including today's) and the shop database (the rows changed
-- since the last extraction, or every change and delete from its log). Observations are ordered by the time the
-- state took effect (updated_at; for a delete, its commit time), then by the source's
-- log position, so out-of-order and replayed events change nothing; an order whose last
-- observation is a delete is gone.

with

exported as (

    select
        order_id,
        customer_id,
        order_status,
        order_channel,
        ordered_at,
        updated_at,
        updated_at as effective_at,
        false as is_deleted,
        -1 as source_lsn,
        loaded_at
    from {{ ref('stg_shop__orders') }}
    where reject_reason is null

),

captured as (

    select
        order_id,
        customer_id,
        order_status,
        order_channel,
        ordered_at,
        updated_at,
        case when is_deleted then changed_at else updated_at end as effective_at,
        is_deleted,
        source_lsn,
        loaded_at
    from {{ ref('stg_shop_cdc__orders') }}

),

extracted as (

    select
        order_id,
        customer_id,
        order_status,
        order_channel,
        ordered_at,
        updated_at,
        changed_at as effective_at,
        is_deleted,
        coalesce(source_lsn, -1) as source_lsn,
        loaded_at
    from {{ ref('stg_shop_db__orders') }}

),

observations as (

    select * from exported
    union all
    select * from captured
    union all
    select * from extracted

),

latest_per_order as (

    {{ deduplicate(
        'observations', 'order_id',
        'effective_at desc, source_lsn desc, loaded_at desc'
    ) }}

)

select
    order_id,
    customer_id,
    order_status,
    order_channel,
    ordered_at,
    updated_at
from latest_per_order
where not is_deleted
