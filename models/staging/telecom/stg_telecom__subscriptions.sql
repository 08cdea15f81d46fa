with

landed as (

    {{ landed_rows(source('telecom', 'subscriptions'), [
        'subscription_id', 'customer_id', 'msisdn', 'plan_id', 'activated_at', 'updated_at',
    ]) }}

),

typed as (

    select

        ---------- ids
        source_row_id,
        {{ cast_text('subscription_id', 'integer', 'bigint') }} as subscription_id,
        {{ cast_text('customer_id', 'integer', 'bigint') }} as customer_id,
        {{ cast_text('plan_id', 'integer', 'bigint') }} as plan_id,
        msisdn,

        ---------- timestamps
        {{ cast_text('activated_at', 'timestamp', 'timestamp') }} as activated_at,
        {{ cast_text('updated_at', 'timestamp', 'timestamp') }} as updated_at,

        ---------- lineage
        source_file,
        loaded_at,
        raw_record,
        {{ first_reject_reason([
            ["parse_error is not null", 'malformed_row'],
            [is_invalid_required('subscription_id', 'integer'), 'invalid_subscription_id'],
            [is_invalid_required('updated_at', 'timestamp'), 'unparseable_updated_at'],
            [is_invalid_required('activated_at', 'timestamp'), 'unparseable_activated_at'],
            ["msisdn is null", 'missing_msisdn'],
            [is_invalid_required('plan_id', 'integer'), 'invalid_plan_id'],
        ]) }} as reject_reason

    from landed

)

select * from typed
