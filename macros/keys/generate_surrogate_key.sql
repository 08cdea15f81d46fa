{#-
    Same name, arguments and output as dbt_utils.generate_surrogate_key (dbt Hub is not
    reachable here), so a project can swap to the package without changing a model.
    The var `surrogate_key_treat_nulls_as_empty_strings` works as in dbt_utils.
-#}
{% macro generate_surrogate_key(field_list) -%}
    {{ return(adapter.dispatch('generate_surrogate_key', 'telestream')(field_list)) }}
{%- endmacro %}

{% macro default__generate_surrogate_key(field_list) -%}
    {%- if var('surrogate_key_treat_nulls_as_empty_strings', false) -%}
        {%- set default_null_value = '' -%}
    {%- else -%}
        {%- set default_null_value = '_dbt_utils_surrogate_key_null_' -%}
    {%- endif -%}
    {%- set fields = [] -%}
    {%- for field in field_list -%}
        {%- do fields.append(
            "coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '" ~ default_null_value ~ "')"
        ) -%}
        {%- if not loop.last -%}
            {%- do fields.append("'-'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(fields)) }}
{%- endmacro %}
