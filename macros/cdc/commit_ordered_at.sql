{#-
    When a change's state took effect, in commit order: `event_time` (for a change
    event, its commit time), raised to the latest such time of the key's earlier
    changes by `order_by` (log position first). A later commit whose clock reads earlier
    therefore never sorts before an earlier one: the log position alone decides the
    order within a log, and changes of one transaction, which share its commit time,
    keep their order in it. Rows with a `reject_reason` take no part; rows without a
    log position (read by a query) keep `event_time`.
-#}
{% macro commit_ordered_at(event_time, key_column, order_by='source_lsn, kafka_partition, kafka_offset') -%}
    case
        when reject_reason is not null then null
        when source_lsn is null then {{ event_time }}
        else max({{ event_time }}) over (
            partition by {{ key_column }}, reject_reason is null, source_lsn is null
            order by {{ order_by }}
            rows between unbounded preceding and current row
        )
    end
{%- endmacro %}
