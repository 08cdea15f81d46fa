-- Which products sold best in the last loaded month, and how much of the month's
-- top-ten revenue each brought?

with

top_products as (

    select * from {{ ref('fct_monthly_top_products') }}

),

last_month as (

    select max(month_start_date) as month_start_date from top_products

)

select
    top_products.revenue_rank,
    top_products.product_name,
    top_products.product_category,
    top_products.revenue_eur,
    top_products.revenue_eur / sum(top_products.revenue_eur) over () as share_of_top_ten
from top_products
inner join last_month
    on top_products.month_start_date = last_month.month_start_date
order by top_products.revenue_rank
