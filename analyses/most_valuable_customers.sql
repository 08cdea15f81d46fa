-- Who are the twenty customers worth most to the company, across the shop and the
-- telecom, and what is their RFM segment?

with

customer_value as (

    select * from {{ ref('dim_customer_value') }}

)

select
    customer_id,
    customer_segment,
    rfm_segment,
    shop_revenue_eur,
    telecom_charge_eur,
    customer_value_eur
from customer_value
order by customer_value_eur desc, customer_id asc
limit 20
