{#- Same name and arguments as dbt_expectations.expect_column_values_to_be_between. -#}
{% test expect_column_values_to_be_between(model, column_name, min_value=none, max_value=none, row_condition=none, strictly=false) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("expect_column_values_to_be_between needs min_value or max_value") }}
{%- endif -%}
{%- set lower_op = '>' if strictly else '>=' -%}
{%- set upper_op = '<' if strictly else '<=' -%}

with

checked as (

    select {{ column_name }} as checked_value
    from {{ model }}
    where {{ column_name }} is not null
    {%- if row_condition %}
        and ({{ row_condition }})
    {%- endif %}

)

select * from checked
where not (
    {%- if min_value is not none %} checked_value {{ lower_op }} {{ min_value }}{% endif %}
    {%- if min_value is not none and max_value is not none %} and{% endif %}
    {%- if max_value is not none %} checked_value {{ upper_op }} {{ max_value }}{% endif %}
)

{% endtest %}
