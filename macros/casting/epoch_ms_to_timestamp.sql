{#-
    Epoch milliseconds (bigint) as a timestamp without time zone, in UTC. dbt.dateadd
    cannot do it on DuckDB, whose interval arithmetic takes a 32-bit count.
-#}
{% macro epoch_ms_to_timestamp(column) -%}
    {{ return(adapter.dispatch('epoch_ms_to_timestamp', 'telestream')(column)) }}
{%- endmacro %}

{% macro default__epoch_ms_to_timestamp(column) -%}
    (cast('1970-01-01 00:00:00' as timestamp) + {{ column }} * interval '1 millisecond')
{%- endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(column) -%}
    epoch_ms({{ column }})
{%- endmacro %}
