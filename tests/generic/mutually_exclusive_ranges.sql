{#-
    Same name, arguments and failing rows as dbt_utils.mutually_exclusive_ranges: within
    each `partition_by` group, ordered by the lower bound, every range has
    lower < upper (<= with `zero_length_range_allowed`) and ends before the next one
    starts; the failing rows carry dbt_utils' columns. `gaps`: 'allowed'
    (upper <= next lower), 'not_allowed' (upper = next lower) or 'required'
    (upper < next lower). As in dbt_utils, a null bound fails: pass an
    open-ended range as `coalesce(valid_to, <far future>)`.
-#}
{% test mutually_exclusive_ranges(model, lower_bound_column, upper_bound_column, partition_by=none, gaps='allowed', zero_length_range_allowed=false) %}

{%- set gap_operators = {
    'allowed': ['<=', 'less_than_or_equal_to'],
    'not_allowed': ['=', 'equal_to'],
    'required': ['<', 'less_than'],
} -%}
{%- if gaps not in gap_operators -%}
    {{ exceptions.raise_compiler_error(
        "mutually_exclusive_ranges: gaps must be one of " ~ gap_operators.keys() | list ~ ", got '" ~ gaps ~ "'"
    ) }}
{%- endif -%}
{%- set gap_operator, gap_words = gap_operators[gaps] -%}
{%- set length_operator, length_words = (
    ['<=', 'less_than_or_equal_to'] if zero_length_range_allowed else ['<', 'less_than']
) -%}
{%- set partition_clause = 'partition by ' ~ partition_by if partition_by else '' -%}

with

window_functions as (

    select
        {%- if partition_by %}
        {{ partition_by }} as partition_by_col,
        {%- endif %}
        {{ lower_bound_column }} as lower_bound,
        {{ upper_bound_column }} as upper_bound,
        lead({{ lower_bound_column }}) over (
            {{ partition_clause }}
            order by {{ lower_bound_column }}, {{ upper_bound_column }}
        ) as next_lower_bound,
        row_number() over (
            {{ partition_clause }}
            order by {{ lower_bound_column }} desc, {{ upper_bound_column }} desc
        ) = 1 as is_last_record
    from {{ model }}

),

calc as (

    select
        *,
        coalesce(
            lower_bound {{ length_operator }} upper_bound, false
        ) as lower_bound_{{ length_words }}_upper_bound,
        coalesce(
            upper_bound {{ gap_operator }} next_lower_bound, is_last_record, false
        ) as upper_bound_{{ gap_words }}_next_lower_bound
    from window_functions

),

validation_errors as (

    select * from calc
    where not (
        lower_bound_{{ length_words }}_upper_bound
        and upper_bound_{{ gap_words }}_next_lower_bound
    )

)

select * from validation_errors

{% endtest %}
