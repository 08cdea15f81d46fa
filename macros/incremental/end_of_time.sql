{#-
    The open end of an SCD2 range as a timestamp literal, for as-of joins written
    `started_at < coalesce(valid_to, end_of_time())`: DuckDB plans that as a range join,
    where `valid_to is null or started_at < valid_to` became a nested loop.
-#}
{% macro end_of_time() -%}
    cast('9999-12-31 00:00:00' as timestamp)
{%- endmacro %}
