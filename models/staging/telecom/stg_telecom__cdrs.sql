with

landed as (

    {{ landed_rows(source('telecom', 'cdrs'), [
        'record_no', 'cdr_id', 'switch_id', 'msisdn', 'call_type', 'started_at',
        'duration_s', 'bytes_up', 'bytes_down', 'cell_id', 'termination_cause',
        'is_roaming',
    ]) }}

),

typed as (

    select
        source_row_id,
        {{ cast_text('record_no', 'integer', 'bigint') }} as record_no,
        {{ typed_cdr_fields(leading_checks=[["parse_error is not null", 'malformed_row']]) }},

        ---------- lineage
        source_file,
        loaded_at,
        raw_record

    from landed

)

select * from typed
