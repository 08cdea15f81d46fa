-- One row per month and customer among the month's ten best shop customers by revenue.
-- Orders without a customer (the unknown member) are not ranked; ties are broken by
-- customer_id (lower first).

with

orders as (

    select * from {{ ref('fct_orders') }}
    where is_revenue and customer_id <> -1

),

customers as (

    select * from {{ ref('dim_customers') }}
    where is_current

),

monthly_customer_revenue as (

    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date,
        customer_id,
        sum(revenue_eur) as revenue_eur,
        count(*) as order_count
    from orders
    group by cast({{ dbt.date_trunc('month', 'order_date') }} as date), customer_id

),

ranked as (

    select
        monthly_customer_revenue.*,
        row_number() over (
            partition by monthly_customer_revenue.month_start_date
            order by monthly_customer_revenue.revenue_eur desc, monthly_customer_revenue.customer_id asc
        ) as revenue_rank
    from monthly_customer_revenue

)

select
    {{ generate_surrogate_key(['ranked.month_start_date', 'ranked.customer_id']) }} as monthly_top_customer_id,
    ranked.month_start_date,
    cast(ranked.revenue_rank as integer) as revenue_rank,
    ranked.customer_id,
    coalesce(customers.customer_segment, 'unknown') as customer_segment,
    cast(ranked.revenue_eur as numeric(18, 2)) as revenue_eur,
    cast(ranked.order_count as bigint) as order_count
from ranked
left join customers
    on ranked.customer_id = customers.customer_id
where ranked.revenue_rank <= 10
