{#-
    Custom schemas are used as they are named (`staging`, `marts`, ...), not prefixed with
    the target schema, so that an analyst writes `select * from marts.fct_orders` on
    every target.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
