{#-
    The columns a source table got from its files: every column but the loader's and
    the tap's `_sdc_*` metadata. Empty at parse time, when no relation is queried.
-#}
{% macro payload_columns(relation) -%}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- if not column.name.startswith('_sdc_') -%}
                {%- do columns.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}
