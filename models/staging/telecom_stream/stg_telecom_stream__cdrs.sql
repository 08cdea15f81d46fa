with

landed as (

    {{ landed_stream_rows(source('telecom_stream', 'cdrs'), [
        'cdr_id', 'switch_id', 'msisdn', 'call_type', 'started_at', 'duration_s',
        'bytes_up', 'bytes_down', 'cell_id', 'termination_cause', 'is_roaming',
    ]) }}

),

typed as (

    select
        source_row_id,
        {{ typed_cdr_fields() }},

        ---------- lineage
        source_file,
        kafka_partition,
        kafka_offset,
        loaded_at,
        raw_record

    from landed

)

select * from typed
