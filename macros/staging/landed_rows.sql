{#-
    The rows of a raw table as landed, once each: text columns with blanks as null, the
    delivering file's name, the load time, and the row's raw payload as JSON text.

    A row the loader could not split into the contract's fields (too many or too few,
    a stray quote) has null data columns and a `parse_error`; its payload is its raw line
    and that error, so staging rejects it (`malformed_row`) with the line kept.

    Raw is append-only, so a file delivered twice (or re-read after a state reset) lands
    its rows twice. A row is the same row when the same file carries the same payload;
    only its first landing is kept. Business duplicates (the same CDR in two files, the
    same version in two exports) are different rows and are handled downstream.
-#}
{% macro landed_rows(relation, columns) -%}
    with

    landed as (

        select
            {%- for column in columns %}
            {{ telestream.clean_text(column) }} as {{ column }},
            {%- endfor %}
            {{ telestream.file_basename('_sdc_filename') }} as source_file,
            cast(_sdc_batched_at as timestamp) as loaded_at,
            _sdc_parse_error as parse_error,
            _sdc_raw_line as raw_line
        from {{ relation }}

    ),

    with_payload as (

        select
            *,
            case
                when parse_error is null then {{ telestream.json_object_text(columns) }}
                else {{ telestream.json_object_text(['parse_error', 'raw_line']) }}
            end as raw_record
        from landed

    ),

    ranked as (

        select
            *,
            row_number() over (
                partition by source_file, raw_record
                order by loaded_at
            ) as landing_rank
        from with_payload

    )

    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        source_file,
        loaded_at,
        parse_error,
        raw_record,
        {{ telestream.generate_surrogate_key(['source_file', 'raw_record']) }} as source_row_id
    from ranked
    where landing_rank = 1
{%- endmacro %}
