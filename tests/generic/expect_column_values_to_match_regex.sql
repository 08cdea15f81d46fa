{#-
    Same name, arguments and failing rows as
    dbt_expectations.expect_column_values_to_match_regex: rows (of those matching
    `row_condition`) whose value does not contain a match of `regex` (a search, anchor
    with ^...$ for a full match); a null value passes. `flags` are the adapter's regex
    flags (e.g. 'i'); `is_raw` is accepted and, as in dbt_expectations on DuckDB and
    PostgreSQL, changes nothing.
-#}
{% test expect_column_values_to_match_regex(model, column_name, regex, row_condition=none, is_raw=false, flags="") %}

with

grouped_expression as (

    select {{ telestream.regexp_matches(column_name, regex, flags) }} as expression
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
