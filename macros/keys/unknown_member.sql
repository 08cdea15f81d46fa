{#-
    Facts never lose a row to a missing dimension key: they point at the unknown member,
    which every dimension carries under this key.
-#}
{% macro unknown_member_key() -%}
    '-1'
{%- endmacro %}

{#- The start of time for the first version of an SCD2 entity and the unknown member. -#}
{% macro unknown_valid_from() -%}
    cast('1900-01-01 00:00:00' as timestamp)
{%- endmacro %}
