{#-
    The typed, validated fields of a CDR and its `reject_reason`, as a select list over
    text columns named as in the contract: one definition for both deliveries (the
    switches' files and the real-time feed), so that a record is accepted or rejected,
    and for the same reason, whichever way it came. `leading_checks` go before the
    contract's (a file row the loader could not parse: `malformed_row`).
-#}
{% macro typed_cdr_fields(leading_checks=[]) -%}
        ---------- ids
        cdr_id,
        switch_id,
        msisdn,
        cell_id,

        ---------- properties
        lower(call_type) as call_type,
        lower(termination_cause) as termination_cause,
        {{ telestream.cast_text('lower(is_roaming)', 'boolean', 'boolean') }} as is_roaming,

        ---------- measures
        {{ telestream.cast_text('duration_s', 'integer', 'bigint') }} as duration_s,
        {{ telestream.cast_text('bytes_up', 'integer', 'bigint') }} as bytes_up,
        {{ telestream.cast_text('bytes_down', 'integer', 'bigint') }} as bytes_down,

        ---------- timestamps
        {{ telestream.cast_text('started_at', 'timestamp', 'timestamp') }} as started_at,

        ---------- validation
        -- the contract's order: the first reason that applies is the reason
        {{ telestream.first_reject_reason(leading_checks + [
            ["cdr_id is null", 'missing_cdr_id'],
            [telestream.is_invalid_required('started_at', 'timestamp'), 'unparseable_started_at'],
            [telestream.is_invalid_required('duration_s', 'integer'), 'non_numeric_duration'],
            [telestream.cast_text('duration_s', 'integer', 'bigint') ~ " < 0", 'negative_duration'],
            [telestream.is_invalid_required('bytes_up', 'integer'), 'non_numeric_bytes'],
            [telestream.is_invalid_required('bytes_down', 'integer'), 'non_numeric_bytes'],
            ["lower(call_type) not in ('voice', 'sms', 'data') or call_type is null", 'unknown_call_type'],
            [telestream.is_invalid_required('lower(is_roaming)', 'boolean'), 'invalid_roaming_flag'],
        ]) }} as reject_reason
{%- endmacro %}
