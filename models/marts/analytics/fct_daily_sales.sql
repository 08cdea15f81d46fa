-- One row per order date and channel: the shop's day in numbers. Orders are counted on
-- their placement day in their current status (see the `revenue` definition).

with

orders as (

    select * from {{ ref('fct_orders') }}

),

daily as (

    select
        order_date,
        coalesce(order_channel, 'unknown') as order_channel,
        count(*) as order_count,
        sum(case when is_revenue then 1 else 0 end) as revenue_order_count,
        sum(revenue_eur) as revenue_eur,
        sum(item_count) as item_count,
        sum(unit_count) as unit_count,
        sum(case when order_status = 'cancelled' then 1 else 0 end) as cancelled_order_count,
        sum(case when order_status = 'returned' then 1 else 0 end) as returned_order_count
    from orders
    group by order_date, coalesce(order_channel, 'unknown')

)

select
    {{ generate_surrogate_key(['order_date', 'order_channel']) }} as daily_sales_id,
    order_date,
    order_channel,
    cast(order_count as bigint) as order_count,
    cast(revenue_order_count as bigint) as revenue_order_count,
    cast(revenue_eur as numeric(18, 2)) as revenue_eur,
    cast(
        case when revenue_order_count > 0 then revenue_eur / revenue_order_count end
        as numeric(18, 2)
    ) as average_order_value_eur,
    cast(item_count as bigint) as item_count,
    cast(unit_count as bigint) as unit_count,
    cast(cancelled_order_count as bigint) as cancelled_order_count,
    cast(returned_order_count as bigint) as returned_order_count,
    cast(cancelled_order_count * 1.0 / order_count as numeric(9, 6)) as cancelled_order_share,
    cast(returned_order_count * 1.0 / order_count as numeric(9, 6)) as returned_order_share
from daily
