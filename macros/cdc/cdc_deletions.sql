{#-
    One row per key whose latest change event (by source log position) is a delete:
    the key and `deleted_at`, the delete's commit time. A key deleted and created again
    later has a newer event, so it is not deleted. `change_events` is a staging model of
    a Debezium topic (stg_shop_cdc__*).
-#}
{% macro cdc_deletions(change_events, key_column) -%}
    with

    latest_change as (

        {{ telestream.deduplicate(change_events, key_column, 'source_lsn desc') }}

    )

    select
        {{ key_column }},
        changed_at as deleted_at
    from latest_change
    where is_deleted
{%- endmacro %}
