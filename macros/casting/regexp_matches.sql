{#-
    Whether `expression` matches the regular expression `pattern` anywhere; `flags` are
    the regex flags both adapters share (e.g. 'i' for case-insensitive).
-#}
{% macro regexp_matches(expression, pattern, flags='') -%}
    {{ return(adapter.dispatch('regexp_matches', 'telestream')(expression, pattern, flags)) }}
{%- endmacro %}

{% macro default__regexp_matches(expression, pattern, flags='') -%}
    {%- if flags -%}
        {#- regexp_match() is null both for a null input and for no match. -#}
        (case
            when {{ expression }} is not null
                then regexp_match({{ expression }}, '{{ pattern }}', '{{ flags }}') is not null
        end)
    {%- else -%}
        ({{ expression }} ~ '{{ pattern }}')
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__regexp_matches(expression, pattern, flags='') -%}
    {%- if flags -%}
        regexp_matches({{ expression }}, '{{ pattern }}', '{{ flags }}')
    {%- else -%}
        regexp_matches({{ expression }}, '{{ pattern }}')
    {%- endif -%}
{%- endmacro %}
