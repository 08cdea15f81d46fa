{#-
    SQL expression for the `dbt_updated_at` audit column of the incremental CDR models:
    the invocation's start (dbt's clock, UTC), the same for every row one run writes.
    A model reads the rows its parent wrote after its own latest `dbt_updated_at`, so
    the parent and the child compare times of one clock, never the loaders' clocks.
-#}
{% macro incremental_run_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#-
    The latest `dbt_updated_at` of the incremental model being built (`this`), or
    1900-01-01 when it is empty: the rows of a parent written after it are new.
-#}
{% macro last_incremental_run() -%}
    (select coalesce(max(dbt_updated_at), cast('1900-01-01' as timestamp)) from {{ this }})
{%- endmacro %}

{#-
    The load time an incremental staging model (`this`) reads raw rows after: its newest
    `loaded_at` less `landing_overlap_hours`, so that a landing that began earlier but
    committed later than another is still read; 1900-01-01 when it is empty. The model
    skips the rows it holds, so the overlap never appends a row twice.
-#}
{% macro last_landing_held() -%}
    (
        select {{ dbt.dateadd(
            'hour', -(var('landing_overlap_hours') | int),
            "coalesce(max(held_records.loaded_at), cast('1900-01-01' as timestamp))",
        ) }}
        from {{ this }} as held_records
    )
{%- endmacro %}

{#-
    Post-hooks of an incremental model on PostgreSQL: `analyze`, so that the planner
    sees the rows delete+insert just wrote (autovacuum's analyze comes later, and the
    next model of the run joins this one). None elsewhere.
-#}
{% macro incremental_post_hooks() -%}
    {{ return(['analyze {{ this }}'] if target.type == 'postgres' else []) }}
{%- endmacro %}
