{#-
    Every source table and the staging model that validates it, as
    (source_name, table_name, staging_model) triples: the one list the quarantine and
    the raw = clean + rejected reconciliation both walk.
-#}
{% macro staged_source_tables() -%}
    {{ return([
        ('shop', 'customers', 'stg_shop__customers'),
        ('shop', 'products', 'stg_shop__products'),
        ('shop', 'orders', 'stg_shop__orders'),
        ('shop', 'order_items', 'stg_shop__order_items'),
        ('telecom', 'service_plans', 'stg_telecom__service_plans'),
        ('telecom', 'subscriptions', 'stg_telecom__subscriptions'),
        ('telecom', 'cells', 'stg_telecom__cells'),
        ('telecom', 'cdrs', 'stg_telecom__cdrs'),
    ]) }}
{%- endmacro %}
