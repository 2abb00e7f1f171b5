{#- Per source and business date: what bronze holds and when it arrived. Read straight from
    bronze, so it is always current and costs nothing to keep. -#}

select
    'tickets' as source_name,
    _business_date as business_date,
    count(distinct _source_file) as files,
    count(*) as rows_read,
    count(*) - count(_reject_reason) as rows_loaded,
    count(_reject_reason) as rows_quarantined,
    min(_loaded_at) as first_ingested_at,
    max(_loaded_at) as last_ingested_at
from {{ source('bronze', 'tickets') }}
group by _business_date
