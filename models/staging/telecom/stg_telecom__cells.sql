with

landed as (

    {{ landed_rows(source('telecom', 'cells'), [
        'cell_id', 'cell_name', 'region_code', 'technology', 'latitude', 'longitude',
        'updated_at', 'exported_at',
    ]) }}

),

typed as (

    select

        ---------- ids
        source_row_id,
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

        ---------- lineage
        source_file,
        loaded_at,
        raw_record,
        {{ first_reject_reason([
            ["parse_error is not null", 'malformed_row'],
            ["cell_id is null", 'missing_cell_id'],
            [is_invalid_required('updated_at', 'timestamp'), 'unparseable_updated_at'],
            [is_invalid_required('exported_at', 'timestamp'), 'unparseable_exported_at'],
            [is_invalid_optional('latitude', 'coordinate'), 'invalid_coordinates'],
            [is_invalid_optional('longitude', 'coordinate'), 'invalid_coordinates'],
        ]) }} as reject_reason

    from landed

)

select * from typed
