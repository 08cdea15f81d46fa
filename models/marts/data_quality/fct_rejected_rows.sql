-- One row per landed source row that failed validation: where it came from, why it was
-- rejected, and its raw payload, for analysts and for reconciling raw = clean + rejected.

select
    source_row_id,
    source_name,
    source_table,
    source_file,
    reject_reason,
    raw_record,
    loaded_at
from {{ ref('int_source_rows__rejected') }}
