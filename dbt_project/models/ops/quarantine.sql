{#- Every rejected row or file, with the reason and its raw content. The rows live in their
    bronze table (flagged by `_reject_reason`), landing in the same transaction as the good
    rows of their file. -#}

select
    'tickets' as source_name,
    _source_file as source_file,
    _source_line as source_line,
    _business_date as business_date,
    _reject_reason as reason,
    _raw_record as raw_record,
    _loaded_at as loaded_at
from {{ source('bronze', 'tickets') }}
where _reject_reason is not null
