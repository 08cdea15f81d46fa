-- One row per landed source row that failed validation in staging, from every source
-- table, with its reason and its raw payload. Nothing bad is dropped silently: what
-- staging flags lands here.

{%- set staged_tables = telestream.staged_source_tables() %}

with

{% for source_name, table_name, model_name, _ in staged_tables %}
rejected_{{ source_name }}_{{ table_name }} as (

    select
        '{{ source_name }}' as source_name,
        '{{ table_name }}' as source_table,
        source_row_id,
        source_file,
        reject_reason,
        raw_record,
        loaded_at
    from {{ ref(model_name) }}
    where reject_reason is not null

),
{% endfor %}

all_rejected as (

    {% for source_name, table_name, model_name, _ in staged_tables %}
    select * from rejected_{{ source_name }}_{{ table_name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from all_rejected
