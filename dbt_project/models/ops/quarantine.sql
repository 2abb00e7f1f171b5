{# Every rejected row or file of every file source, with the reason and its raw content. The
   rows live in their bronze table (flagged by `_reject_reason`), landed in the same
   transaction as the good rows of their file. #}

{% set tables = file_source_tables() %}

{% for table in tables %}
select
    '{{ table }}' as source_name,
    _source_file as source_file,
    _source_line as source_line,
    _business_date as business_date,
    _reject_reason as reason,
    _raw_record as raw_record,
    _loaded_at as loaded_at
from {{ layer_relation("bronze", table) }}
where _reject_reason is not null
{% if not loop.last %}union all{% endif %}
{% else %}
select
    cast(null as {{ dbt.type_string() }}) as source_name,
    cast(null as {{ dbt.type_string() }}) as source_file,
    cast(null as {{ dbt.type_bigint() }}) as source_line,
    cast(null as date) as business_date,
    cast(null as {{ dbt.type_string() }}) as reason,
    cast(null as {{ dbt.type_string() }}) as raw_record,
    cast(null as {{ dbt.type_timestamp() }}) as loaded_at
limit 0
{% endfor %}
