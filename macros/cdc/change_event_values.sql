{#-
    Checks and casts of a change event's text values. The extractor decoded each value
    by its declared type, but a schema may declare a column as plain text, so staging
    still checks before it casts: a value that does not fit becomes a reject reason,
    never a cast error that would stop the build.
-#}

{#- True when `column` is a timestamp as the extractor writes one (`YYYY-MM-DD
    HH:MM:SS`, with up to nine fraction digits), on the calendar. -#}
{% macro is_change_timestamp(column) -%}
    {{ telestream.regexp_matches(
        "regexp_replace(" ~ column ~ ", '[.][0-9]{1,9}$', '')",
        telestream.text_pattern('timestamp'),
    ) }}
{%- endmacro %}

{#- `column` cast to timestamp when it is one, else null. -#}
{% macro change_timestamp(column) -%}
    cast(case when {{ telestream.is_change_timestamp(column) }} then {{ column }} end as timestamp)
{%- endmacro %}

{#- True when a decimal has at most `scale` fraction digits that are not zero: more
    would be rounded by the cast, a silently rescaled number. -#}
{% macro is_decimal_of_scale(column, scale) -%}
    {{ telestream.regexp_matches(column, '^-?[0-9]{1,16}([.][0-9]{0,' ~ scale ~ '}0*)?$') }}
{%- endmacro %}

{#-
    True when another event of the same key at the same log position carries another
    row image (`raw_record`): two versions claim one commit, and neither can be trusted.
    A redelivered event (the same image at a new offset) is no collision.
-#}
{% macro is_log_position_collision(key_column) -%}
    (
        source_lsn is not null
        and min(raw_record) over (partition by {{ key_column }}, source_lsn)
        <> max(raw_record) over (partition by {{ key_column }}, source_lsn)
    )
{%- endmacro %}
