{#-
    SQL for the on-run-end hook: `usage` on the marts schema for the analyst role.
    The models' `grants` config gives `select` on each mart table, but a role also needs
    `usage` on the schema to reach them; no other schema is granted, so raw, staging and
    intermediate stay out of the analyst's reach. DuckDB has no roles: nothing to do.
-#}
{% macro grant_marts_usage(role) -%}
    {{ return(adapter.dispatch('grant_marts_usage', 'telestream')(role)) }}
{%- endmacro %}

{% macro default__grant_marts_usage(role) -%}
{%- endmacro %}

{#-
    Only when the schema exists: `dbt seed` or `dbt test` alone end with this hook too,
    possibly before any mart was built.
-#}
{% macro postgres__grant_marts_usage(role) -%}
    {%- set marts_schema = generate_schema_name('marts', none) -%}
    do $grant$
    begin
        if exists (select 1 from pg_namespace where nspname = '{{ marts_schema }}') then
            execute 'grant usage on schema {{ adapter.quote(marts_schema) }} to {{ adapter.quote(role) }}';
        end if;
    end
    $grant$
{%- endmacro %}
