-- One row per landed source row that failed validation in staging, from every source
-- table, with its reason and its raw payload. Nothing bad is dropped silently: what
-- staging flags lands here.

{%- set staged_tables = [
    ('shop', 'customers', 'stg_shop__customers'),
    ('shop', 'products', 'stg_shop__products'),
    ('shop', 'orders', 'stg_shop__orders'),
    ('shop', 'order_items', 'stg_shop__order_items'),
    ('telecom', 'service_plans', 'stg_telecom__service_plans'),
    ('telecom', 'subscriptions', 'stg_telecom__subscriptions'),
    ('telecom', 'cells', 'stg_telecom__cells'),
    ('telecom', 'cdrs', 'stg_telecom__cdrs'),
] %}

with

{% for source_name, table_name, model_name in staged_tables %}
rejected_{{ source_name }}_{{ table_name }} as (

    select
        '{{ source_name }}' as source_name,
        '{{ table_name }}' as source_table,
        source_row_id,
        source_file,
        reject_reason,
        raw_record,
        loaded_at
    from {{ ref(model_name) }}
    where reject_reason is not null

),
{% endfor %}

all_rejected as (

    {% for source_name, table_name, model_name in staged_tables %}
    select * from rejected_{{ source_name }}_{{ table_name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from all_rejected
