{#-
    Same name, arguments and failing rows as
    dbt_expectations.expect_column_values_to_be_between: rows (of those matching
    `row_condition`) whose value lies outside [min_value, max_value] (open bounds with
    `strictly`); a null value passes. One bound may be omitted, not both.
-#}
{% test expect_column_values_to_be_between(model, column_name, min_value=none, max_value=none, row_condition=none, strictly=false) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("You have to provide either a min_value, max_value or both.") }}
{%- endif -%}

with

grouped_expression as (

    select
        (
            1 = 1
            {%- if min_value is not none %}
            and {{ column_name }} {{ '>' if strictly else '>=' }} {{ min_value }}
            {%- endif %}
            {%- if max_value is not none %}
            and {{ column_name }} {{ '<' if strictly else '<=' }} {{ max_value }}
            {%- endif %}
        ) as expression
    from {{ model }}
    {%- if row_condition %}
    where {{ row_condition }}
    {%- endif %}

),

validation_errors as (

    select * from grouped_expression
    where not (expression = true)

)

select * from validation_errors

{% endtest %}
