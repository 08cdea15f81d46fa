{#-
    Debezium's placeholder for an unchanged TOASTed value (`__debezium_unavailable_value`,
    REPLICA IDENTITY DEFAULT) means "unchanged", never a value: a change event's column
    that carries it takes the column's previous value for the same key, in commit order
    (log position, then Kafka offset), and null where the stream holds no earlier value.

    Portable (no `ignore nulls`): a running count of real values cuts each key's events
    into runs that start with a real value (`unavailable_value_run`), and the run's value
    fills its placeholders (`available_value`). Each macro is one column's expression.
-#}

{#- True when `column` carries the placeholder. -#}
{% macro is_unavailable_value(column, placeholder='__debezium_unavailable_value') -%}
    {{ column }} = '{{ placeholder }}'
{%- endmacro %}

{#- The run of `column` an event belongs to: the number of the key's events up to this
    one, in commit order, whose `column` is a real value (or null). -#}
{% macro unavailable_value_run(column, key_column, placeholder='__debezium_unavailable_value') -%}
    count(case when {{ column }} <> '{{ placeholder }}' or {{ column }} is null then 1 end) over (
        partition by {{ key_column }}
        order by source_lsn, kafka_partition, kafka_offset
        rows between unbounded preceding and current row
    )
{%- endmacro %}

{#- `column`, or, where it carries the placeholder, the real value that opened its run
    (`<column>__run`, from `unavailable_value_run`). -#}
{% macro available_value(column, key_column, placeholder='__debezium_unavailable_value') -%}
    case
        when {{ telestream.is_unavailable_value(column, placeholder) }} then max(case when {{ column }} <> '{{ placeholder }}' then {{ column }} end) over (
            partition by {{ key_column }}, {{ column }}__run
        )
        else {{ column }}
    end
{%- endmacro %}
