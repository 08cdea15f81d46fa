{#-
    The window of the nightly tests on the large CDR models, as a condition: the rows
    the runs of the last `cdr_lookback_days` days wrote or re-rated (`dbt_updated_at`),
    so that a nightly run tests the new day and its late records, not all history; with
    `--vars '{full_history_tests: true}'` (the weekly `make test-full-history`) all
    history. On a full refresh every row was just written, so every row is tested.

    The generic tests' `where` configs cannot call macros: they spell the same
    condition with `var()` (models/*/telecom/_*__models.yml); keep the two alike.
-#}
{% macro nightly_test_window(column='dbt_updated_at') -%}
    {%- if var('full_history_tests') -%}
        true
    {%- else -%}
        {{ column }} >= current_date - {{ var('cdr_lookback_days') }}
    {%- endif -%}
{%- endmacro %}
