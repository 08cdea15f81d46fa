{#-
    One row per key whose latest change event (by `order_by`: source log position for a
    Debezium topic, stg_shop_cdc__*) is a delete: the key and `deleted_at`, the delete's
    `changed_at`. A key deleted and created again later has a newer event, so it is not
    deleted. `change_events` has `is_deleted` and `changed_at`: a Debezium topic's or the
    shop database's staging model (stg_shop_db__*, ordered by `changed_at` first: its
    rows read by a query have no log position).
-#}
{% macro cdc_deletions(change_events, key_column, order_by='source_lsn desc') -%}
    with

    latest_change as (

        {{ telestream.deduplicate(change_events, key_column, order_by) }}

    )

    select
        {{ key_column }},
        changed_at as deleted_at
    from latest_change
    where is_deleted
{%- endmacro %}
