{#-
    Same name and arguments as dbt_utils.mutually_exclusive_ranges: within each
    `partition_by` group, the [lower, upper) ranges do not overlap. A null upper bound is
    an open range, allowed only for the last one. `gaps`: 'allowed', 'not_allowed' (each
    range starts where the previous ended) or 'required'.
-#}
{% test mutually_exclusive_ranges(model, lower_bound_column, upper_bound_column, partition_by=none, gaps='allowed', zero_length_range_allowed=false) %}

{%- set partition_clause = 'partition by ' ~ partition_by if partition_by else '' -%}
{%- set allowed_gap_checks = {
    'allowed': 'next_lower_bound >= upper_bound',
    'not_allowed': 'next_lower_bound = upper_bound',
    'required': 'next_lower_bound > upper_bound',
} -%}
{%- if gaps not in allowed_gap_checks -%}
    {{ exceptions.raise_compiler_error("mutually_exclusive_ranges: gaps must be one of " ~ allowed_gap_checks.keys() | list) }}
{%- endif -%}

with

ranges as (

    select
        {{ lower_bound_column }} as lower_bound,
        {{ upper_bound_column }} as upper_bound,
        lead({{ lower_bound_column }}) over (
            {{ partition_clause }} order by {{ lower_bound_column }}
        ) as next_lower_bound,
        row_number() over (
            {{ partition_clause }} order by {{ lower_bound_column }} desc
        ) = 1 as is_last_range
    from {{ model }}

),

validated as (

    select
        *,
        lower_bound is not null as has_lower_bound,
        (upper_bound is not null or is_last_range) as is_open_only_if_last,
        (
            upper_bound is null
            or lower_bound {{ '<=' if zero_length_range_allowed else '<' }} upper_bound
        ) as is_ordered,
        (
            is_last_range
            or upper_bound is null
            or {{ allowed_gap_checks[gaps] }}
        ) as respects_next_range
    from ranges

)

select * from validated
where not (has_lower_bound and is_open_only_if_last and is_ordered and respects_next_range)

{% endtest %}
