{#-
    Every source table and the staging model that validates it, as
    (source_name, table_name, staging_model, landed_by) tuples: the one list the
    quarantine and the raw = clean + rejected reconciliation both walk. `landed_by` is
    `file` (Meltano: a row is its file and payload), `stream` (the Kafka extractor: a
    row is its topic, partition and offset), `change_stream` (the same, tombstones left
    out: they are compaction markers, not rows) or `extracted` (tap-postgres: a row is
    its image, log position and whether it is a delete).
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
        ('shop_cdc', 'customers', 'stg_shop_cdc__customers', 'change_stream'),
        ('shop_cdc', 'products', 'stg_shop_cdc__products', 'change_stream'),
        ('shop_cdc', 'orders', 'stg_shop_cdc__orders', 'change_stream'),
        ('shop_cdc', 'order_items', 'stg_shop_cdc__order_items', 'change_stream'),
        ('shop_db', 'customers', 'stg_shop_db__customers', 'extracted'),
        ('shop_db', 'products', 'stg_shop_db__products', 'extracted'),
        ('shop_db', 'orders', 'stg_shop_db__orders', 'extracted'),
        ('shop_db', 'order_items', 'stg_shop_db__order_items', 'extracted'),
    ]) }}
{%- endmacro %}
