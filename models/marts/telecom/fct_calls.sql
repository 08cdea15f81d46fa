-- One row per call (a CDR after deduplication), rated with the plan version valid when
-- it started. Calls from unknown msisdns or cells point at the unknown members.
--
-- Incremental (delete+insert on cdr_id): a run takes the calls int_cdrs__rated rated or
-- rated again since its last run, and the held calls on the unknown cell whose cell an
-- export has carried since.

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='cdr_id',
    indexes=[
        {'columns': ['cdr_id'], 'unique': true},
        {'columns': ['dbt_updated_at']},
        {'columns': ['call_date']},
        {'columns': ['cell_sk']},
    ] if target.type == 'postgres' else [],
    post_hook=incremental_post_hooks(),
) }}

with

cells as (

    select cell_id from {{ ref('int_cells__current') }}

),

rated_calls as (

    select * from {{ ref('int_cdrs__rated') }}
    {% if is_incremental() %}
    where
        dbt_updated_at > {{ last_incremental_run() }}
        or cdr_id in (
            select held_calls.cdr_id
            from {{ this }} as held_calls
            inner join cells
                on held_calls.cell_id = cells.cell_id
            where held_calls.cell_sk = {{ unknown_member_key() }}
        )
    {% endif %}

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
        rated_calls.source_file,
        {{ incremental_run_timestamp() }} as dbt_updated_at
    from rated_calls
    left join cells
        on rated_calls.cell_id = cells.cell_id
    left join termination_causes
        on rated_calls.termination_cause = termination_causes.termination_cause

)

select * from calls
