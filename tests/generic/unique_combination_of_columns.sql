{#-
    Same name, arguments and failing rows as dbt_utils.unique_combination_of_columns:
    each combination of `combination_of_columns` found more than once.
-#}
{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}

{%- if quote_columns -%}
    {%- set columns = [] -%}
    {%- for column in combination_of_columns -%}
        {%- do columns.append(adapter.quote(column)) -%}
    {%- endfor -%}
{%- else -%}
    {%- set columns = combination_of_columns -%}
{%- endif -%}
{%- set column_list = columns | join(', ') -%}

with

validation_errors as (

    select {{ column_list }}
    from {{ model }}
    group by {{ column_list }}
    having count(*) > 1

)

select * from validation_errors

{% endtest %}
