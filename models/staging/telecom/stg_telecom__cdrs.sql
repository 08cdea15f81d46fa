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

        ---------- ids
        source_row_id,
        cdr_id,
        {{ cast_text('record_no', 'integer', 'bigint') }} as record_no,
        switch_id,
        msisdn,
        cell_id,

        ---------- properties
        lower(call_type) as call_type,
        lower(termination_cause) as termination_cause,
        {{ cast_text('lower(is_roaming)', 'boolean', 'boolean') }} as is_roaming,

        ---------- measures
        {{ cast_text('duration_s', 'integer', 'bigint') }} as duration_s,
        {{ cast_text('bytes_up', 'integer', 'bigint') }} as bytes_up,
        {{ cast_text('bytes_down', 'integer', 'bigint') }} as bytes_down,

        ---------- timestamps
        {{ cast_text('started_at', 'timestamp', 'timestamp') }} as started_at,

        ---------- lineage
        source_file,
        loaded_at,
        raw_record,
        {#- The order is the contract's: the first reason that applies is the reason. -#}
        {{ first_reject_reason([
            ["cdr_id is null", 'missing_cdr_id'],
            [is_invalid_required('started_at', 'timestamp'), 'unparseable_started_at'],
            [is_invalid_required('duration_s', 'integer'), 'non_numeric_duration'],
            [cast_text('duration_s', 'integer', 'bigint') ~ " < 0", 'negative_duration'],
            [is_invalid_required('bytes_up', 'integer'), 'non_numeric_bytes'],
            [is_invalid_required('bytes_down', 'integer'), 'non_numeric_bytes'],
            ["lower(call_type) not in ('voice', 'sms', 'data') or call_type is null", 'unknown_call_type'],
            [is_invalid_required('lower(is_roaming)', 'boolean'), 'invalid_roaming_flag'],
        ]) }} as reject_reason

    from landed

)

select * from typed
