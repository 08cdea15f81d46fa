-- One row per radio cell with its region, plus the unknown member for CDRs that name a
-- cell no export has carried.

with

cells as (

    select * from {{ ref('int_cells__current') }}

),

regions as (

    select * from {{ ref('regions') }}

),

dimension as (

    select
        {{ generate_surrogate_key(['cells.cell_id']) }} as cell_sk,
        cells.cell_id,
        cells.cell_name,
        cells.region_code,
        coalesce(regions.region_name, 'Unknown') as region_name,
        regions.country_code,
        cells.radio_technology,
        cells.latitude,
        cells.longitude,
        cells.updated_at
    from cells
    left join regions
        on cells.region_code = regions.region_code

),

unknown_member as (

    select
        {{ unknown_member_key() }} as cell_sk,
        'unknown' as cell_id,
        'Unknown' as cell_name,
        cast(null as {{ dbt.type_string() }}) as region_code,
        'Unknown' as region_name,
        cast(null as {{ dbt.type_string() }}) as country_code,
        cast(null as {{ dbt.type_string() }}) as radio_technology,
        cast(null as numeric(9, 6)) as latitude,
        cast(null as numeric(9, 6)) as longitude,
        cast(null as timestamp) as updated_at

)

select * from dimension
union all
select * from unknown_member
