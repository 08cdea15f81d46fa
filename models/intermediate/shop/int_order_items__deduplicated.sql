-- One row per order line that exists now. Items are exported once and captured by the
-- change stream and the shop database as well; the latest observation wins, by when it
-- took effect (the channel's effective time, doc block `effective_at`: an export's
-- created_at, the change stream's commit order), then by source log position (exports
-- and rows read by a query rank before any logged change, and among exports the first
-- delivery), so a line deleted in the shop, or truncated with its table, is gone.

with

exported as (

    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price_eur,
        created_at,
        created_at as effective_at,
        false as is_deleted,
        -1 as source_lsn,
        loaded_at,
        source_file
    from {{ ref('stg_shop__order_items') }}
    where reject_reason is null

),

captured as (

    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price_eur,
        created_at,
        effective_at,
        is_deleted,
        source_lsn,
        loaded_at,
        cast(null as {{ dbt.type_string() }}) as source_file
    from {{ ref('stg_shop_cdc__order_items') }}
    where reject_reason is null and is_truncate is not true

),

truncated as (

    select
        order_item_id,
        cast(null as bigint) as order_id,
        cast(null as bigint) as product_id,
        cast(null as integer) as quantity,
        cast(null as numeric(18, 2)) as unit_price_eur,
        cast(null as timestamp) as created_at,
        deleted_at as effective_at,
        true as is_deleted,
        source_lsn,
        cast(null as timestamp) as loaded_at,
        cast(null as {{ dbt.type_string() }}) as source_file
    from ({{ cdc_truncations(ref('stg_shop_cdc__order_items'), 'order_item_id') }}) as truncations

),

extracted as (

    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price_eur,
        created_at,
        effective_at,
        is_deleted,
        coalesce(source_lsn, -1) as source_lsn,
        loaded_at,
        cast(null as {{ dbt.type_string() }}) as source_file
    from {{ ref('stg_shop_db__order_items') }}
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

    -- A state a log carried (same key and created_at) takes effect when the log says it
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
                    partition by channel_observations.order_item_id, channel_observations.created_at
                ),
                channel_observations.effective_at
            )
        end as ranked_at
    from channel_observations

),

latest_per_item as (

    {{ deduplicate(
        'observations', 'order_item_id',
        'ranked_at desc, source_lsn desc, loaded_at, source_file'
    ) }}

)

select
    order_item_id,
    order_id,
    product_id,
    quantity,
    unit_price_eur,
    cast(quantity * unit_price_eur as numeric(18, 2)) as line_amount_eur,
    created_at
from latest_per_item
where not is_deleted
