{#-
    The file name without its folder. Raw rows keep the path the tap read; the name is
    what identifies a delivery, wherever the landing folder was mounted.
-#}
{% macro file_basename(path_column) -%}
    {{ return(adapter.dispatch('file_basename', 'telestream')(path_column)) }}
{%- endmacro %}

{% macro default__file_basename(path_column) -%}
    substring({{ path_column }} from '[^/]+$')
{%- endmacro %}

{% macro duckdb__file_basename(path_column) -%}
    regexp_extract({{ path_column }}, '[^/]+$')
{%- endmacro %}
