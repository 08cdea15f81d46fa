{#-
    Keys of a versioned source whose version set or chosen version changed since a
    watermark: one row per key with `changed_from`, the earliest `version_column` among
    its versions whose winning row (first in `order_by`, as the versioned model picks
    it) was landed after `watermark`. A call that started before `changed_from` is rated
    with the same version as before; a call from `changed_from` on may rate differently.
    A file reloaded with the same rows never wins (staging keeps the first landing), so
    it changes nothing.
-#}
{% macro versions_landed_after(relation, key_column, version_column, order_by, watermark, row_filter='reject_reason is null') -%}
    with

    ranked as (

        select
            {{ key_column }},
            {{ version_column }} as version_at,
            loaded_at,
            row_number() over (
                partition by {{ key_column }}, {{ version_column }}
                order by {{ order_by }}
            ) as landing_rank
        from {{ relation }}
        where {{ row_filter }}

    )

    select
        {{ key_column }},
        min(version_at) as changed_from
    from ranked
    where landing_rank = 1 and loaded_at > {{ watermark }}
    group by {{ key_column }}
{%- endmacro %}
