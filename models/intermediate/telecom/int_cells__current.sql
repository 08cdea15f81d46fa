-- One row per radio cell in its latest exported state.

with

cell_rows as (

    select * from {{ ref('stg_telecom__cells') }}
    where reject_reason is null

),

latest_per_cell as (

    {{ deduplicate('cell_rows', 'cell_id', 'exported_at desc, updated_at desc') }}

)

select
    cell_id,
    cell_name,
    region_code,
    radio_technology,
    latitude,
    longitude,
    updated_at
from latest_per_cell
