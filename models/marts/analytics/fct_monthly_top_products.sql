-- One row per month and product among the month's ten best sellers by revenue. Ties
-- are broken by product_id (lower first), so the ranking is the same on every build.

with

order_items as (

    select * from {{ ref('fct_order_items') }}

),

-- A discontinued product has no current version: name every product by its latest one.
product_versions as (

    select
        product_id,
        product_name,
        product_category,
        row_number() over (partition by product_id order by valid_from desc) as recency_rank
    from {{ ref('dim_products') }}

),

products as (

    select * from product_versions
    where recency_rank = 1

),

monthly_product_revenue as (

    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date,
        product_id,
        sum(revenue_eur) as revenue_eur,
        sum(case when is_revenue then quantity else 0 end) as unit_count,
        count(distinct case when is_revenue then order_id end) as order_count
    from order_items
    where is_revenue
    group by cast({{ dbt.date_trunc('month', 'order_date') }} as date), product_id

),

ranked as (

    select
        monthly_product_revenue.*,
        row_number() over (
            partition by monthly_product_revenue.month_start_date
            order by monthly_product_revenue.revenue_eur desc, monthly_product_revenue.product_id asc
        ) as revenue_rank
    from monthly_product_revenue

)

select
    {{ generate_surrogate_key(['ranked.month_start_date', 'ranked.product_id']) }} as monthly_top_product_id,
    ranked.month_start_date,
    cast(ranked.revenue_rank as integer) as revenue_rank,
    ranked.product_id,
    coalesce(products.product_name, 'Unknown') as product_name,
    coalesce(products.product_category, 'unknown') as product_category,
    cast(ranked.revenue_eur as numeric(18, 2)) as revenue_eur,
    cast(ranked.unit_count as bigint) as unit_count,
    cast(ranked.order_count as bigint) as order_count
from ranked
left join products
    on ranked.product_id = products.product_id
where ranked.revenue_rank <= 10
