{#-
    Raw columns arrive as text. Staging validates each against a pattern before casting,
    and casts only values that matched: a bad value becomes a reject reason instead of a
    cast error that would stop the build. The patterns are the same on every adapter, so
    DuckDB and PostgreSQL reject the same rows.
-#}
{% macro text_pattern(kind) -%}
    {#-
        Timestamps are checked against the Gregorian calendar, not only the shape, so that
        `2026-02-30 10:00:00` is rejected instead of failing the cast: years 0001-9999
        (PostgreSQL has no year 0), days 29-31 only in months that have them, 29 February
        only in leap years (divisible by 4, and by 400 when divisible by 100: 2000, not
        1900 or 2100).
    -#}
    {%- set year = '([0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)' -%}
    {%- set leap_year = '([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)' -%}
    {%- set calendar_date = (
        '(' ~ year ~ '-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])'
        ~ '|' ~ year ~ '-(0[13-9]|1[0-2])-(29|30)'
        ~ '|' ~ year ~ '-(0[13578]|1[02])-31'
        ~ '|' ~ leap_year ~ '-02-29)'
    ) -%}
    {%- set patterns = {
        'integer': '^-?[0-9]{1,18}$',
        'decimal': '^-?[0-9]{1,14}([.][0-9]{1,6})?$',
        'coordinate': '^-?[0-9]{1,3}([.][0-9]{1,6})?$',
        'timestamp': '^' ~ calendar_date ~ ' ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$',
        'boolean': '^(true|false)$',
    } -%}
    {%- if kind not in patterns -%}
        {{ exceptions.raise_compiler_error("text_pattern: unknown kind '" ~ kind ~ "'") }}
    {%- endif -%}
    {{ return(patterns[kind]) }}
{%- endmacro %}

{#- True when `column` (text) matches the pattern of `kind`; null stays null. -#}
{% macro is_text_of_kind(column, kind) -%}
    {{ telestream.regexp_matches(column, telestream.text_pattern(kind)) }}
{%- endmacro %}

{#- `column` cast to `data_type` when it matches `kind`, else null (never an error). -#}
{% macro cast_text(column, kind, data_type) -%}
    cast(case when {{ telestream.is_text_of_kind(column, kind) }} then {{ column }} end as {{ data_type }})
{%- endmacro %}

{#- A text column with blanks turned into null: the CSV exports write null as ''. -#}
{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- True when a required text column is missing or does not match `kind`. -#}
{% macro is_invalid_required(column, kind) -%}
    ({{ column }} is null or not {{ telestream.is_text_of_kind(column, kind) }})
{%- endmacro %}

{#- True when an optional text column is present but does not match `kind`. -#}
{% macro is_invalid_optional(column, kind) -%}
    ({{ column }} is not null and not {{ telestream.is_text_of_kind(column, kind) }})
{%- endmacro %}

{#-
    True when a timestamp (typed) falls outside the calendar of `dim_dates`
    (`dim_dates_start_date` inclusive to `dim_dates_end_date` exclusive): a fact dated
    there would have no day to point at.
-#}
{% macro is_outside_dim_dates(timestamp_expression) -%}
    ({{ timestamp_expression }} < cast('{{ var("dim_dates_start_date") }}' as timestamp)
        or {{ timestamp_expression }} >= cast('{{ var("dim_dates_end_date") }}' as timestamp))
{%- endmacro %}
