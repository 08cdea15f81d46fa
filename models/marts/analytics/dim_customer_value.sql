-- One row per current customer: RFM scores over the shop orders, the named RFM segment,
-- and what the customer is worth to the shop, to the telecom and to both.

with

customers as (

    select * from {{ ref('dim_customers') }}
    where is_current and customer_id <> -1

),

revenue_orders as (

    select * from {{ ref('fct_orders') }}
    where is_revenue

),

usage as (

    select * from {{ ref('fct_daily_customer_usage') }}

),

-- Recency is measured from the last day the shop data covers, not from the wall clock,
-- so a rebuild of old data scores the same.
as_of as (

    select max(order_date) as as_of_date from {{ ref('fct_orders') }}

),

shop_totals as (

    select
        customer_id,
        count(*) as revenue_order_count,
        sum(revenue_eur) as shop_revenue_eur,
        max(order_date) as last_order_date
    from revenue_orders
    group by customer_id

),

telecom_totals as (

    select
        customer_id,
        sum(charge_eur) as telecom_charge_eur
    from usage
    group by customer_id

),

scored as (

    select
        shop_totals.customer_id,
        shop_totals.revenue_order_count,
        shop_totals.shop_revenue_eur,
        shop_totals.last_order_date,
        {{ dbt.datediff('shop_totals.last_order_date', 'as_of.as_of_date', 'day') }}
            as days_since_last_order,
        ntile(5) over (
            order by shop_totals.last_order_date asc, shop_totals.customer_id asc
        ) as recency_score,
        ntile(5) over (
            order by shop_totals.revenue_order_count asc, shop_totals.customer_id asc
        ) as frequency_score,
        ntile(5) over (
            order by shop_totals.shop_revenue_eur asc, shop_totals.customer_id asc
        ) as monetary_score
    from shop_totals
    cross join as_of

),

segmented as (

    select
        scored.*,
        case
            when scored.recency_score >= 4 and scored.frequency_score >= 4 then 'champions'
            when scored.recency_score >= 3 and scored.frequency_score >= 3 then 'loyal_customers'
            when scored.recency_score >= 4 then 'potential_loyalists'
            when scored.recency_score <= 2 and scored.frequency_score >= 3 then 'at_risk'
            when scored.recency_score <= 2 then 'hibernating'
            else 'needs_attention'
        end as rfm_segment
    from scored

)

select
    customers.customer_id,
    customers.customer_sk,
    customers.customer_segment,
    customers.is_subscriber,
    cast(coalesce(segmented.revenue_order_count, 0) as bigint) as revenue_order_count,
    segmented.last_order_date,
    cast(segmented.days_since_last_order as integer) as days_since_last_order,
    cast(segmented.recency_score as integer) as recency_score,
    cast(segmented.frequency_score as integer) as frequency_score,
    cast(segmented.monetary_score as integer) as monetary_score,
    coalesce(segmented.rfm_segment, 'no_orders') as rfm_segment,
    cast(coalesce(segmented.shop_revenue_eur, 0) as numeric(18, 2)) as shop_revenue_eur,
    cast(coalesce(telecom_totals.telecom_charge_eur, 0) as numeric(18, 4)) as telecom_charge_eur,
    cast(
        coalesce(segmented.shop_revenue_eur, 0) + coalesce(telecom_totals.telecom_charge_eur, 0)
        as numeric(18, 4)
    ) as customer_value_eur
from customers
left join segmented
    on customers.customer_id = segmented.customer_id
left join telecom_totals
    on customers.customer_id = telecom_totals.customer_id
