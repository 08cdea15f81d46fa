{#-
    Same name and arguments as dbt_utils.deduplicate: the first row of each
    `partition_by` group in `order_by` order, as a select over `relation` (a relation or
    a CTE's name).
-#}
{% macro deduplicate(relation, partition_by, order_by) -%}
    {{ return(adapter.dispatch('deduplicate', 'telestream')(relation, partition_by, order_by)) }}
{%- endmacro %}

{% macro default__deduplicate(relation, partition_by, order_by) -%}
    with

    ranked as (

        select
            *,
            row_number() over (
                partition by {{ partition_by }}
                order by {{ order_by }}
            ) as rank_in_partition
        from {{ relation }}

    )

    select * from ranked
    where rank_in_partition = 1
{%- endmacro %}
