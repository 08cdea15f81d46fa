{#-
    On the shared targets (the DuckDB file, production PostgreSQL) custom schemas keep
    their names (`staging`, `marts`, ...), so that an analyst writes
    `select * from marts.fct_orders` on every target. On a development target, where
    engineers share one PostgreSQL database, each build goes to schemas prefixed with the
    target's schema (`alice_marts`), jaffle-shop's and dbt's default convention, so two
    engineers never overwrite each other's models. Which targets are development targets
    is the var `schema_prefixed_targets`.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.name in var('schema_prefixed_targets', ['postgres_dev']) -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
