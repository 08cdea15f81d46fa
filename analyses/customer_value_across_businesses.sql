-- What each current customer segment is worth to the shop and to the telecom over the
-- loaded period: the question "one customer across both businesses" exists to answer.
-- Compile with `dbt compile --select customer_value_across_businesses` and run the SQL
-- in target/compiled against the warehouse.

with

customers as (

    select * from {{ ref('dim_customers') }}
    where is_current

),

shop_revenue as (

    select
        customer_id,
        sum(revenue_eur) as shop_revenue_eur
    from {{ ref('fct_orders') }}
    group by customer_id

),

telecom_charges as (

    select
        customer_id,
        sum(charge_eur) as telecom_charge_eur
    from {{ ref('fct_daily_customer_usage') }}
    group by customer_id

),

per_segment as (

    select
        customers.customer_segment,
        count(*) as customer_count,
        sum(case when customers.is_subscriber then 1 else 0 end) as subscriber_count,
        sum(coalesce(shop_revenue.shop_revenue_eur, 0)) as shop_revenue_eur,
        sum(coalesce(telecom_charges.telecom_charge_eur, 0)) as telecom_charge_eur
    from customers
    left join shop_revenue
        on customers.customer_id = shop_revenue.customer_id
    left join telecom_charges
        on customers.customer_id = telecom_charges.customer_id
    group by customers.customer_segment

)

select * from per_segment
order by shop_revenue_eur + telecom_charge_eur desc
