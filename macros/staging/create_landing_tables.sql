{#-
    SQL for the on-run-start hook: the raw tables a loader other than the file landing
    writes (the sources whose `config.meta.landed_by` names it: the Kafka extractor,
    tap-postgres), created empty where it never ran (a build without a broker or without
    the shop database, DuckDB in development), so that the staging models over them
    always compile and run. A column the loader has not written yet is added (the
    incremental tap-postgres never writes the log extractor's `_sdc_lsn`). The columns
    are the source YAML's; tests/test_kafka_sources.py
    proves they equal what the Kafka extractor creates, and the load-time column keeps
    the extractor's default.
-#}
{% macro create_landing_tables() -%}
    {%- if execute -%}
        {%- set statements = [] -%}
        {%- for source_node in graph.sources.values()
            if source_node.config.meta.get('landed_by') -%}
            {%- set relation = adapter.quote(source_node.schema) ~ '.' ~ adapter.quote(source_node.identifier) -%}
            {%- set columns = [] -%}
            {%- for column in source_node.columns.values() -%}
                {%- set default = ' default current_timestamp' if column.name == source_node.loaded_at_field else '' -%}
                {%- do columns.append(adapter.quote(column.name) ~ ' ' ~ column.data_type ~ default) -%}
            {%- endfor -%}
            {%- do statements.append('create schema if not exists ' ~ adapter.quote(source_node.schema)) -%}
            {%- do statements.append('create table if not exists ' ~ relation ~ ' (' ~ columns | join(', ') ~ ')') -%}
            {%- for column in columns -%}
                {%- do statements.append('alter table ' ~ relation ~ ' add column if not exists ' ~ column) -%}
            {%- endfor -%}
        {%- endfor -%}
        {{ return(statements | unique | join(';\n')) }}
    {%- endif -%}
{%- endmacro %}
