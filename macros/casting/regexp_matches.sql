{#- Whether `expression` matches the regular expression `pattern` anywhere. -#}
{% macro regexp_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches', 'telestream')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_matches(expression, pattern) -%}
    ({{ expression }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regexp_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}
