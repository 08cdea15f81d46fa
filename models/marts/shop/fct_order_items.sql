-- One row per order line, joined to the product version valid when the order was
-- placed (a line's created_at is its order's ordered_at, so a line whose order header
-- is missing still finds its product). A line whose product had already been deleted
-- points at the unknown product.

with

order_items as (

    select * from {{ ref('int_order_items__deduplicated') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

product_versions as (

    select * from {{ ref('int_products__versioned') }}

),

lines as (

    select
        order_items.order_item_id,
        order_items.order_id,
        coalesce(orders.customer_sk, {{ unknown_member_key() }}) as customer_sk,
        case
            when product_versions.product_id is null then {{ unknown_member_key() }}
            else {{ generate_surrogate_key(['product_versions.product_id', 'product_versions.valid_from']) }}
        end as product_sk,
        order_items.product_id,
        orders.order_status,
        coalesce(orders.is_revenue, false) as is_revenue,
        order_items.quantity,
        order_items.unit_price_eur,
        order_items.line_amount_eur,
        orders.ordered_at,
        orders.order_date
    from order_items
    left join orders
        on order_items.order_id = orders.order_id
    left join product_versions
        on order_items.product_id = product_versions.product_id
        and order_items.created_at >= product_versions.valid_from
        and (order_items.created_at < product_versions.valid_to or product_versions.valid_to is null)

)

select
    order_item_id,
    order_id,
    customer_sk,
    product_sk,
    product_id,
    order_status,
    is_revenue,
    quantity,
    unit_price_eur,
    line_amount_eur,
    cast(case when is_revenue then line_amount_eur else 0 end as numeric(18, 2)) as revenue_eur,
    ordered_at,
    order_date
from lines
