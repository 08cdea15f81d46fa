-- One row per order that exists now, in its latest state, from three channels: the
-- nightly exports (each changed order with its end-of-day state), the change stream
-- (every committed change, including today's) and the shop database (the rows changed
-- since the last extraction, or every change and delete from its log). Observations are
-- ordered by when the state took effect (the channel's effective time, see the doc block
-- `effective_at`: commit order for the change stream, never the application's
-- updated_at), then by log position, so out-of-order, replayed and skewed-clock events
-- change nothing; an order whose last observation is a delete, or whose table was
-- truncated after its last change, is gone.

with

exported as (

    select
        order_id,
        customer_id,
        order_status,
        order_channel,
        ordered_at,
        updated_at,
        updated_at as effective_at,
        false as is_deleted,
        -1 as source_lsn,
        loaded_at
    from {{ ref('stg_shop__orders') }}
    where reject_reason is null

),

captured as (

    select
        order_id,
        customer_id,
        order_status,
        order_channel,
        ordered_at,
        updated_at,
        effective_at,
        is_deleted,
        source_lsn,
        loaded_at
    from {{ ref('stg_shop_cdc__orders') }}
    where reject_reason is null and is_truncate is not true

),

truncated as (

    select
        order_id,
        cast(null as bigint) as customer_id,
        cast(null as {{ dbt.type_string() }}) as order_status,
        cast(null as {{ dbt.type_string() }}) as order_channel,
        cast(null as timestamp) as ordered_at,
        cast(null as timestamp) as updated_at,
        deleted_at as effective_at,
        true as is_deleted,
        source_lsn,
        cast(null as timestamp) as loaded_at
    from ({{ cdc_truncations(ref('stg_shop_cdc__orders'), 'order_id') }}) as truncations

),

extracted as (

    select
        order_id,
        customer_id,
        order_status,
        order_channel,
        ordered_at,
        updated_at,
        effective_at,
        is_deleted,
        coalesce(source_lsn, -1) as source_lsn,
        loaded_at
    from {{ ref('stg_shop_db__orders') }}
    where reject_reason is null

),

channel_observations as (

    select * from exported
    union all
    select * from captured
    union all
    select * from truncated
    union all
    select * from extracted

),

observations as (

    -- A state a log carried (same key and updated_at) takes effect when the log says it
    -- did, whichever channel observed it: an export of it can never outrank a later
    -- commit, such as a delete, by its application clock.
    select
        channel_observations.*,
        case
            when channel_observations.is_deleted then channel_observations.effective_at
            else coalesce(
                min(
                    case
                        when channel_observations.source_lsn >= 0 and not channel_observations.is_deleted
                            then channel_observations.effective_at
                    end
                ) over (
                    partition by channel_observations.order_id, channel_observations.updated_at
                ),
                channel_observations.effective_at
            )
        end as ranked_at
    from channel_observations

),

latest_per_order as (

    {{ deduplicate(
        'observations', 'order_id',
        'ranked_at desc, source_lsn desc, loaded_at desc'
    ) }}

)

select
    order_id,
    customer_id,
    order_status,
    order_channel,
    ordered_at,
    updated_at
from latest_per_order
where not is_deleted
