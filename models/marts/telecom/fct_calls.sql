-- One row per call (a CDR after deduplication), rated with the plan version valid when
-- it started. Calls from unknown msisdns or cells point at the unknown members.

with

rated_calls as (

    select * from {{ ref('int_cdrs__rated') }}

),

cells as (

    select cell_id from {{ ref('int_cells__current') }}

),

termination_causes as (

    select * from {{ ref('termination_causes') }}

),

calls as (

    select
        rated_calls.cdr_id,
        case
            when rated_calls.customer_valid_from is null then {{ unknown_member_key() }}
            else {{ generate_surrogate_key(['rated_calls.customer_id', 'rated_calls.customer_valid_from']) }}
        end as customer_sk,
        case
            when rated_calls.plan_valid_from is null then {{ unknown_member_key() }}
            else {{ generate_surrogate_key(['rated_calls.plan_id', 'rated_calls.plan_valid_from']) }}
        end as service_plan_sk,
        case
            when cells.cell_id is null then {{ unknown_member_key() }}
            else {{ generate_surrogate_key(['cells.cell_id']) }}
        end as cell_sk,
        coalesce(rated_calls.customer_id, -1) as customer_id,
        rated_calls.subscription_id,
        rated_calls.msisdn,
        rated_calls.cell_id,
        rated_calls.switch_id,
        rated_calls.call_type,
        rated_calls.termination_cause,
        coalesce(termination_causes.is_dropped, false) as is_dropped,
        rated_calls.is_roaming,
        rated_calls.is_rated,
        rated_calls.duration_s,
        rated_calls.bytes_up,
        rated_calls.bytes_down,
        rated_calls.billed_minutes,
        rated_calls.billed_mb,
        rated_calls.charge_eur,
        rated_calls.started_at,
        rated_calls.call_date,
        rated_calls.delivered_via,
        rated_calls.source_file
    from rated_calls
    left join cells
        on rated_calls.cell_id = cells.cell_id
    left join termination_causes
        on rated_calls.termination_cause = termination_causes.termination_cause

)

select * from calls
