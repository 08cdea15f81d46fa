{#-
    Same names, arguments and output as dbt_utils.generate_series and
    dbt_utils.date_spine: one row per `datepart` from `start_date` (inclusive) to
    `end_date` (exclusive), in a column `date_<datepart>` holding what `dbt.dateadd`
    returns (a timestamp on DuckDB and PostgreSQL, as in dbt_utils: cast it in the
    model). Built from a cross join of small unions, which every adapter runs.
-#}
{% macro generate_series(upper_bound) -%}
    {#- The smallest n with 2^n >= upper_bound: Jinja has no log(). -#}
    {%- set state = namespace(n_bits=1) -%}
    {%- for i in range(1, 63) -%}
        {%- if 2 ** state.n_bits < upper_bound -%}
            {%- set state.n_bits = state.n_bits + 1 -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set n_bits = state.n_bits -%}
    with

    bits as (
        select 0 as bit
        union all
        select 1 as bit
    ),

    numbers as (
        select
            {% for i in range(n_bits) -%}
                b{{ i }}.bit * {{ 2 ** i }}{% if not loop.last %} + {% endif %}
            {%- endfor %} + 1 as generated_number
        from
            {% for i in range(n_bits) -%}
                bits as b{{ i }}{% if not loop.last %} cross join {% endif %}
            {%- endfor %}
    )

    select generated_number from numbers
    where generated_number <= {{ upper_bound }}
{%- endmacro %}

{% macro date_spine(datepart, start_date, end_date) -%}
    {{ return(adapter.dispatch('date_spine', 'telestream')(datepart, start_date, end_date)) }}
{%- endmacro %}

{% macro default__date_spine(datepart, start_date, end_date) -%}
    {#- The span is computed at compile time so the series has a fixed size. -#}
    {%- set span_query -%}
        select {{ dbt.datediff(start_date, end_date, datepart) }}
    {%- endset -%}
    {%- set span = 0 -%}
    {%- if execute -%}
        {%- set span = run_query(span_query).columns[0].values()[0] | int -%}
    {%- endif -%}

    with

    series as (
        {{ telestream.generate_series([span, 1] | max) }}
    ),

    all_periods as (
        select
            {{ dbt.dateadd(datepart, 'series.generated_number - 1', start_date) }}
                as date_{{ datepart }}
        from series
    )

    select date_{{ datepart }}
    from all_periods
    where date_{{ datepart }} < {{ end_date }}
{%- endmacro %}
