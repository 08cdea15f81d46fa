-- One row per order in its current state, with the customer version valid when it was
-- placed. Orders whose customer is missing point at the unknown customer.

with

orders as (

    select * from {{ ref('int_orders__current') }}

),

order_items as (

    select * from {{ ref('int_order_items__deduplicated') }}

),

customer_versions as (

    select * from {{ ref('int_customers__versioned') }}

),

order_totals as (

    select
        order_id,
        count(*) as item_count,
        sum(quantity) as unit_count,
        sum(line_amount_eur) as order_total_eur
    from order_items
    group by order_id

),

orders_enriched as (

    select
        orders.order_id,
        case
            when customer_versions.customer_id is null then {{ unknown_member_key() }}
            else {{ generate_surrogate_key(['customer_versions.customer_id', 'customer_versions.valid_from']) }}
        end as customer_sk,
        coalesce(orders.customer_id, -1) as customer_id,
        orders.order_status,
        orders.order_channel,
        orders.order_status in ({{ telestream.quoted_list(var('revenue_order_statuses')) }}) as is_revenue,
        coalesce(order_totals.item_count, 0) as item_count,
        coalesce(order_totals.unit_count, 0) as unit_count,
        cast(coalesce(order_totals.order_total_eur, 0) as numeric(18, 2)) as order_total_eur,
        orders.ordered_at,
        cast(orders.ordered_at as date) as order_date,
        orders.updated_at
    from orders
    left join order_totals
        on orders.order_id = order_totals.order_id
    left join customer_versions
        on orders.customer_id = customer_versions.customer_id
        and orders.ordered_at >= customer_versions.valid_from
        and (orders.ordered_at < customer_versions.valid_to or customer_versions.valid_to is null)

)

select
    order_id,
    customer_sk,
    customer_id,
    order_status,
    order_channel,
    is_revenue,
    item_count,
    unit_count,
    order_total_eur,
    cast(case when is_revenue then order_total_eur else 0 end as numeric(18, 2)) as revenue_eur,
    ordered_at,
    order_date,
    updated_at
from orders_enriched
