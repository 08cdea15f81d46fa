with

source as (

    select * from {{ source('telecom', 'cells') }}

),

-- text with blanks as null (the exports write null as ''), and the delivering file
cleaned as (

    select
        {{ clean_text('cell_id') }} as cell_id,
        {{ clean_text('cell_name') }} as cell_name,
        {{ clean_text('region_code') }} as region_code,
        {{ clean_text('technology') }} as technology,
        {{ clean_text('latitude') }} as latitude,
        {{ clean_text('longitude') }} as longitude,
        {{ clean_text('updated_at') }} as updated_at,
        {{ clean_text('exported_at') }} as exported_at,
        {{ file_basename('_sdc_filename') }} as source_file,
        cast(_sdc_batched_at as timestamp) as loaded_at,
        -- set by the loader when a line does not split into the contract's fields
        _sdc_parse_error as parse_error,
        _sdc_raw_line as raw_line
    from source

),

with_payload as (

    select
        *,
        -- a malformed row keeps its raw line and the loader's error instead
        case
            when parse_error is null then {{ json_object_text([
                'cell_id', 'cell_name', 'region_code', 'technology', 'latitude', 'longitude',
                'updated_at', 'exported_at',
            ]) }}
            else {{ json_object_text(['parse_error', 'raw_line']) }}
        end as raw_record
    from cleaned

),

-- raw is append-only: a file delivered twice lands its rows twice, and the same file
-- with the same payload is the same row, kept from its first landing; two different
-- rows for a cell in one export (the same `cell_id` and `exported_at`)
-- contradict each other, in one file or in two, and neither can be taken
ranked_landings as (

    select
        *,
        row_number() over (
            partition by source_file, raw_record
            order by loaded_at
        ) as landing_rank,
        min(raw_record) over (partition by cell_id, exported_at)
        <> max(raw_record) over (partition by cell_id, exported_at) as is_key_collision
    from with_payload

),

-- the first rule a row breaks is its reject reason
validated as (

    select
        *,
        case
            when parse_error is not null then 'malformed_row'
            when cell_id is null then 'missing_cell_id'
            when {{ is_invalid_required('updated_at', 'timestamp') }} then 'unparseable_updated_at'
            when {{ is_invalid_required('exported_at', 'timestamp') }}
                then 'unparseable_exported_at'
            when {{ is_invalid_optional('latitude', 'coordinate') }} then 'invalid_coordinates'
            when {{ is_invalid_optional('longitude', 'coordinate') }} then 'invalid_coordinates'
            when abs({{ cast_text('latitude', 'coordinate', 'numeric(9, 6)') }}) > 90
                then 'invalid_coordinates'
            when abs({{ cast_text('longitude', 'coordinate', 'numeric(9, 6)') }}) > 180
                then 'invalid_coordinates'
            when is_key_collision then 'key_collision'
        end as reject_reason
    from ranked_landings
    where landing_rank = 1

),

typed as (

    select

        ---------- ids
        {{ generate_surrogate_key(['source_file', 'raw_record']) }} as source_row_id,
        cell_id,
        upper(region_code) as region_code,

        ---------- properties
        cell_name,
        upper(technology) as radio_technology,
        {{ cast_text('latitude', 'coordinate', 'numeric(9, 6)') }} as latitude,
        {{ cast_text('longitude', 'coordinate', 'numeric(9, 6)') }} as longitude,

        ---------- timestamps
        {{ cast_text('updated_at', 'timestamp', 'timestamp') }} as updated_at,
        {{ cast_text('exported_at', 'timestamp', 'timestamp') }} as exported_at,

        ---------- validation
        reject_reason,

        ---------- lineage
        source_file,
        loaded_at,
        raw_record

    from validated

)

select * from typed
