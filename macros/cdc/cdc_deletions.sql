{#-
    One row per key whose latest change event (by `order_by`: source log position for a
    Debezium topic, stg_shop_cdc__*) is a delete: the key and `deleted_at`, the delete's
    `effective_at` (its commit time, in commit order). A key deleted and created again later has a newer event, so it is not
    deleted. `change_events` has `is_deleted` and `changed_at`: a Debezium topic's or the
    shop database's staging model (stg_shop_db__*, ordered by `changed_at` first: its
    rows read by a query have no log position). Rows with a `reject_reason` never count.
-#}
{% macro cdc_deletions(change_events, key_column, order_by='source_lsn desc, kafka_offset desc') -%}
    with

    valid_change as (

        select * from {{ change_events }}
        where reject_reason is null and {{ key_column }} is not null

    ),

    latest_change as (

        {{ telestream.deduplicate('valid_change', key_column, order_by) }}

    )

    select
        {{ key_column }},
        effective_at as deleted_at
    from latest_change
    where is_deleted
{%- endmacro %}

{#-
    One row per key that a truncate of its table (a change event with `is_truncate`)
    ended: every key whose latest change event, by log position, precedes a truncate and
    is not a delete, with `deleted_at` the first such truncate's commit time (raised to
    the key's `effective_at`, so that commit order holds) and its `source_lsn`. A key
    created again after the truncate has a later event, so the truncate no longer ends it.
-#}
{% macro cdc_truncations(change_events, key_column) -%}
    with

    truncates as (

        select
            source_lsn as truncate_lsn,
            changed_at as truncated_at
        from {{ change_events }}
        where is_truncate

    ),

    key_events as (

        select * from {{ change_events }}
        where reject_reason is null and not is_truncate and {{ key_column }} is not null

    ),

    latest_change as (

        {{ telestream.deduplicate('key_events', key_column, 'source_lsn desc, kafka_offset desc') }}

    ),

    ended as (

        select
            latest_change.{{ key_column }},
            truncates.truncate_lsn as source_lsn,
            case
                when latest_change.effective_at > truncates.truncated_at
                    then latest_change.effective_at
                else truncates.truncated_at
            end as deleted_at,
            row_number() over (
                partition by latest_change.{{ key_column }} order by truncates.truncate_lsn
            ) as truncate_rank
        from latest_change
        inner join truncates
            on latest_change.source_lsn < truncates.truncate_lsn
        where not latest_change.is_deleted

    )

    select
        {{ key_column }},
        deleted_at,
        source_lsn
    from ended
    where truncate_rank = 1
{%- endmacro %}
