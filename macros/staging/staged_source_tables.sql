{#-
    Every source table and the staging model that validates it, as
    (source_name, table_name, staging_model, landed_by) tuples: the one list the
    quarantine and the raw = clean + rejected reconciliation both walk. `landed_by` is
    `file` (Meltano: a row is its file and payload) or `stream` (the Kafka extractor: a
    row is its topic, partition and offset).
-#}
{% macro staged_source_tables() -%}
    {{ return([
        ('shop', 'customers', 'stg_shop__customers', 'file'),
        ('shop', 'products', 'stg_shop__products', 'file'),
        ('shop', 'orders', 'stg_shop__orders', 'file'),
        ('shop', 'order_items', 'stg_shop__order_items', 'file'),
        ('telecom', 'service_plans', 'stg_telecom__service_plans', 'file'),
        ('telecom', 'subscriptions', 'stg_telecom__subscriptions', 'file'),
        ('telecom', 'cells', 'stg_telecom__cells', 'file'),
        ('telecom', 'cdrs', 'stg_telecom__cdrs', 'file'),
        ('telecom_stream', 'cdrs', 'stg_telecom_stream__cdrs', 'stream'),
    ]) }}
{%- endmacro %}
