{# Per file source and business date: what bronze holds and when it arrived. Read straight
   from the bronze tables present, so it is always current and costs nothing to keep. #}

{% set tables = bronze_tables_with(['_source_file', '_reject_reason']) %}

{% for table in tables %}
select
    '{{ table }}' as source_name,
    _business_date as business_date,
    count(distinct _source_file) as files,
    count(*) as rows_read,
    count(*) - count(_reject_reason) as rows_loaded,
    count(_reject_reason) as rows_quarantined,
    min(_loaded_at) as first_ingested_at,
    max(_loaded_at) as last_ingested_at
from {{ layer_relation("bronze", table) }}
group by _business_date
{% if not loop.last %}union all{% endif %}
{% else %}
select
    cast(null as {{ dbt.type_string() }}) as source_name,
    cast(null as date) as business_date,
    cast(null as {{ dbt.type_bigint() }}) as files,
    cast(null as {{ dbt.type_bigint() }}) as rows_read,
    cast(null as {{ dbt.type_bigint() }}) as rows_loaded,
    cast(null as {{ dbt.type_bigint() }}) as rows_quarantined,
    cast(null as {{ dbt.type_timestamp() }}) as first_ingested_at,
    cast(null as {{ dbt.type_timestamp() }}) as last_ingested_at
limit 0
{% endfor %}
