{#-
    `relation` (a CTE of change events, as `landed_change_events` gives them) with each
    of `columns` that carries the connector's placeholder for an unchanged TOASTed value
    (`__debezium_unavailable_value`, REPLICA IDENTITY DEFAULT) replaced by the column's
    previous value for the same key, in commit order (log position, then Kafka offset):
    the placeholder means "unchanged", never a value. Null where the stream holds no
    earlier value for the key. `has_unavailable_values` flags the events that had one.

    Portable (no `ignore nulls`): a running count of real values cuts each key's events
    into runs that start with a real value, and the run's value fills its placeholders.
-#}
{% macro keep_unavailable_values(relation, key_column, columns, placeholder='__debezium_unavailable_value') -%}
    with

    runs as (

        select
            *,
            {%- for column in columns %}
            count(case when {{ column }} <> '{{ placeholder }}' or {{ column }} is null then 1 end) over (
                partition by {{ key_column }}
                order by source_lsn, kafka_partition, kafka_offset
                rows between unbounded preceding and current row
            ) as {{ column }}__run{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ relation }}

    ),

    filled as (

        select
            *,
            {%- for column in columns %}
            max(case when {{ column }} <> '{{ placeholder }}' then {{ column }} end) over (
                partition by {{ key_column }}, {{ column }}__run
            ) as {{ column }}__previous,
            {%- endfor %}
            (
                {%- for column in columns %}
                {{ column }} = '{{ placeholder }}'{% if not loop.last %} or{% endif %}
                {%- endfor %}
            ) is true as has_unavailable_values
        from runs

    )

    select
        {%- for column in columns %}
        case
            when {{ column }} = '{{ placeholder }}' then {{ column }}__previous
            else {{ column }}
        end as {{ column }}__available,
        {%- endfor %}
        filled.*
    from filled
{%- endmacro %}
