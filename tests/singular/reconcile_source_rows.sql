-- Raw = clean + rejected, per source table: every distinct landed row (a file's: file
-- and payload; a stream's: topic, partition and offset, a change stream's tombstones
-- aside; the shop database's: image, log position and delete flag) is either a valid
-- staging row or a quarantined one. Returns the tables that do not add up.

{%- set staged_tables = telestream.staged_source_tables() %}

with

{% for source_name, table_name, model_name, landed_by in staged_tables %}
{%- set relation = source(source_name, table_name) -%}
{%- set landed_filter = 'true' -%}
{%- if landed_by in ('stream', 'change_stream') -%}
{%- set landed_columns = ['kafka_topic', 'kafka_partition', 'kafka_offset'] -%}
{%- if landed_by == 'change_stream' -%}
{%- set landed_filter = 'op is not null' -%}
{%- endif -%}
{%- elif landed_by == 'extracted' -%}
{%- set landed_columns = telestream.payload_columns(relation)
    + ['_sdc_lsn', '_sdc_deleted_at is not null as is_deleted'] -%}
{%- else -%}
{%- set landed_columns = [telestream.file_basename('_sdc_filename') ~ ' as source_file'] -%}
{%- for column in telestream.payload_columns(relation) -%}
{%- do landed_columns.append(telestream.clean_text(column) ~ ' as ' ~ column) -%}
{%- endfor -%}
{#- a malformed row's data columns are null: its raw line tells it apart -#}
{%- do landed_columns.append('_sdc_raw_line') -%}
{%- endif %}
counts_{{ source_name }}_{{ table_name }} as (

    select
        '{{ source_name }}_{{ table_name }}' as source_table,
        (
            select count(*) from (
                select distinct {{ landed_columns | join(', ') }}
                from {{ relation }}
                where {{ landed_filter }}
            ) as distinct_landed_rows
        ) as raw_rows,
        (
            select count(*) from {{ ref(model_name) }}
            where reject_reason is null
        ) as clean_rows,
        (
            select count(*) from {{ ref('fct_rejected_rows') }}
            where source_name = '{{ source_name }}' and source_table = '{{ table_name }}'
        ) as rejected_rows

),
{% endfor %}

all_counts as (

    {% for source_name, table_name, model_name, _ in staged_tables %}
    select * from counts_{{ source_name }}_{{ table_name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from all_counts
where raw_rows <> clean_rows + rejected_rows
