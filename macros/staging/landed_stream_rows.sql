{#-
    The rows of a streamed raw table (landed by the Kafka extractor), once each, shaped
    like `landed_rows` gives a file's: text columns with blanks as null, a
    `source_file` naming the topic and partition (the stream's delivery unit), the load
    time, the payload as JSON text and a `source_row_id` from the message's coordinates.
    A second consumer group lands the same offsets again: only the first landing counts.
-#}
{% macro landed_stream_rows(relation, columns) -%}
    with

    landed as (

        select
            {%- for column in columns %}
            {{ telestream.clean_text(column) }} as {{ column }},
            {%- endfor %}
            kafka_topic,
            kafka_partition,
            kafka_offset,
            _landed_at as loaded_at,
            row_number() over (
                partition by kafka_topic, kafka_partition, kafka_offset
                order by _landed_at
            ) as landing_rank
        from {{ relation }}

    )

    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        {{ dbt.concat(['kafka_topic', "'/'", dbt.cast('kafka_partition', dbt.type_string())]) }}
            as source_file,
        kafka_partition,
        kafka_offset,
        loaded_at,
        {{ telestream.json_object_text(columns) }} as raw_record,
        {{ telestream.generate_surrogate_key(['kafka_topic', 'kafka_partition', 'kafka_offset']) }}
            as source_row_id
    from landed
    where landing_rank = 1
{%- endmacro %}
