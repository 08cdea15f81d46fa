{#-
    `where` of the expensive data tests on the large CDR models: the rows the last
    `cdr_lookback_days` days of runs wrote or re-rated (`dbt_updated_at`), so that a
    nightly run tests the new day and its late records, not all history. With
    `--vars "{full_history_tests: true}"` (the weekly `make test-full-history`) or
    on a full refresh (every row was just written) every row is tested.
-#}
{% macro nightly_test_window(column='dbt_updated_at') -%}
    {%- if var('full_history_tests') -%}
        true
    {%- else -%}
        {%- set window_start = run_started_at - modules.datetime.timedelta(days=var('cdr_lookback_days') | int) -%}
        {{ column }} >= cast('{{ window_start.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
    {%- endif -%}
{%- endmacro %}
