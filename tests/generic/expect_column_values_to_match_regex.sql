{#-
    Same name and arguments as dbt_expectations.expect_column_values_to_match_regex
    (`flags` is accepted for compatibility; patterns here need none).
-#}
{% test expect_column_values_to_match_regex(model, column_name, regex, row_condition=none, is_raw=false, flags="") %}

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
where not {{ telestream.regexp_matches('checked_value', regex) }}

{% endtest %}
