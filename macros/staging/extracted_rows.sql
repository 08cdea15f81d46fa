{#-
    The rows of a raw table landed by tap-postgres (source `shop_db`), once each, with
    the extraction's metadata named: `extracted_row_id` (also `source_row_id`, for the
    quarantine), `is_deleted`, `deleted_at` (when tap-postgres-log read the delete),
    `source_lsn` (WAL position; null for rows read by a query), `changed_at` (when the
    observed state took effect: `effective_at_column` for a row image, `deleted_at` for
    a delete), `extracted_at`, `loaded_at`, `source_file` (the raw table) and
    `raw_record` (the row's columns as JSON text).

    Incremental runs read their bookmark's row again, and the log extractor's first load
    reads every row the incremental extractor may already have landed: the same row
    image at the same log position (or none) is the same observation, and only its first
    landing is kept. A delete read from the log carries only the key.
-#}
{% macro extracted_rows(relation, columns, effective_at_column) -%}
    with

    landed as (

        select
            {%- for column in columns %}
            {{ column }},
            {%- endfor %}
            _sdc_deleted_at is not null as is_deleted,
            cast(_sdc_deleted_at as timestamp) as deleted_at,
            cast(_sdc_lsn as bigint) as source_lsn,
            cast(_sdc_extracted_at as timestamp) as extracted_at,
            cast(_sdc_batched_at as timestamp) as loaded_at,
            row_number() over (
                partition by
                    {%- for column in columns %}
                    {{ column }},
                    {%- endfor %}
                    _sdc_lsn,
                    _sdc_deleted_at is not null
                order by _sdc_batched_at, _sdc_sequence
            ) as landing_rank
        from {{ relation }}

    )

    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        {{ telestream.generate_surrogate_key(columns + ['source_lsn', 'is_deleted']) }} as extracted_row_id,
        {{ telestream.generate_surrogate_key(columns + ['source_lsn', 'is_deleted']) }} as source_row_id,
        '{{ relation.identifier }}' as source_file,
        {{ telestream.json_object_text(columns + ['source_lsn', 'is_deleted']) }} as raw_record,
        is_deleted,
        deleted_at,
        source_lsn,
        case when is_deleted then deleted_at else {{ effective_at_column }} end as changed_at,
        extracted_at,
        loaded_at
    from landed
    where landing_rank = 1
{%- endmacro %}

{#-
    The change and lineage columns `extracted_rows` adds, as the tail of a shop database
    staging model's select list (before its `reject_reason`): the same names and order
    in every one.
-#}
{% macro extracted_row_columns() -%}
        ---------- change
        is_deleted,
        deleted_at,
        source_lsn,
        changed_at,

        ---------- lineage
        extracted_at,
        loaded_at,
        source_row_id,
        source_file,
        raw_record
{%- endmacro %}
