{#-
    A row's raw columns as a JSON object in text, so that a rejected row keeps its
    original payload whatever its table's shape.
-#}
{% macro json_object_text(columns) -%}
    {{ return(adapter.dispatch('json_object_text', 'telestream')(columns)) }}
{%- endmacro %}

{% macro default__json_object_text(columns) -%}
    cast(json_build_object(
        {%- for column in columns %}
        '{{ column }}', {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__json_object_text(columns) -%}
    cast(json_object(
        {%- for column in columns %}
        '{{ column }}', {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}
