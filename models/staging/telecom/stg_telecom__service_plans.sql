with

landed as (

    {{ landed_rows(source('telecom', 'service_plans'), [
        'plan_id', 'plan_name', 'monthly_fee_eur', 'price_per_minute_eur',
        'price_per_sms_eur', 'price_per_mb_eur', 'updated_at', 'exported_at',
    ]) }}

),

typed as (

    select

        ---------- ids
        source_row_id,
        {{ cast_text('plan_id', 'integer', 'bigint') }} as plan_id,

        ---------- properties
        plan_name,

        ---------- tariffs
        {{ cast_text('monthly_fee_eur', 'decimal', 'numeric(18, 4)') }} as monthly_fee_eur,
        {{ cast_text('price_per_minute_eur', 'decimal', 'numeric(18, 4)') }} as price_per_minute_eur,
        {{ cast_text('price_per_sms_eur', 'decimal', 'numeric(18, 4)') }} as price_per_sms_eur,
        {{ cast_text('price_per_mb_eur', 'decimal', 'numeric(18, 4)') }} as price_per_mb_eur,

        ---------- timestamps
        {{ cast_text('updated_at', 'timestamp', 'timestamp') }} as updated_at,
        {{ cast_text('exported_at', 'timestamp', 'timestamp') }} as exported_at,

        ---------- lineage
        source_file,
        loaded_at,
        raw_record,
        {{ first_reject_reason([
            ["parse_error is not null", 'malformed_row'],
            [is_invalid_required('plan_id', 'integer'), 'invalid_plan_id'],
            [is_invalid_required('updated_at', 'timestamp'), 'unparseable_updated_at'],
            [is_invalid_required('exported_at', 'timestamp'), 'unparseable_exported_at'],
            [is_invalid_required('price_per_minute_eur', 'decimal'), 'invalid_tariff'],
            [is_invalid_required('price_per_sms_eur', 'decimal'), 'invalid_tariff'],
            [is_invalid_required('price_per_mb_eur', 'decimal'), 'invalid_tariff'],
        ]) }} as reject_reason

    from landed

)

select * from typed
