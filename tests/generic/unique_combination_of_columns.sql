{#- Same name and arguments as dbt_utils.unique_combination_of_columns. -#}
{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}

{%- set columns = combination_of_columns if not quote_columns
    else combination_of_columns | map('tojson') | list -%}
{%- set column_list = columns | join(', ') -%}

with

combinations as (

    select {{ column_list }}, count(*) as occurrences
    from {{ model }}
    group by {{ column_list }}

)

select * from combinations
where occurrences > 1

{% endtest %}
