{#-
    Same name, arguments and output as dbt_utils.deduplicate: the first row of each
    `partition_by` group in `order_by` order, as a select over `relation` (a relation or
    a CTE's name), with exactly the columns of `relation`. Like dbt_utils, PostgreSQL
    uses `distinct on` and adapters with `qualify` (DuckDB) filter the row number
    there; unlike dbt_utils' natural-join default, no row with a null is lost.
-#}
{% macro deduplicate(relation, partition_by, order_by) -%}
    {{ return(adapter.dispatch('deduplicate', 'telestream')(relation, partition_by, order_by)) }}
{%- endmacro %}

{% macro default__deduplicate(relation, partition_by, order_by) -%}
    select *
    from {{ relation }}
    qualify row_number() over (
        partition by {{ partition_by }}
        order by {{ order_by }}
    ) = 1
{%- endmacro %}

{% macro postgres__deduplicate(relation, partition_by, order_by) -%}
    select distinct on ({{ partition_by }}) *
    from {{ relation }}
    order by {{ partition_by }}, {{ order_by }}
{%- endmacro %}
