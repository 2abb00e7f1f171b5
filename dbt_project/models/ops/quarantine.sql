{# Every rejected row or file of every source, with the reason and its raw content. The rows
   live in their bronze table, flagged by `_reject_reason`: a file's landed in the same
   transaction as the good rows of their file; a database source's (a NaN its numeric(p,s)
   column cannot hold) merged on the primary key like any row, so that the row's correction
   replaces it. A database row since deleted in the source is no longer there to correct: left out. #}

{% set file_tables = bronze_tables_with(['_source_file', '_reject_reason']) %}
{% set database_tables = bronze_tables_with(['_reject_reason']) | reject('in', file_tables) | list %}

{% for table in file_tables + database_tables %}
{% set relation = layer_relation("bronze", table) %}
select
    '{{ table }}' as source_name,
    {% if table in file_tables %}
    _source_file as source_file,
    _source_line as source_line,
    _business_date as business_date,
    {% else %}
    cast(null as {{ dbt.type_string() }}) as source_file,
    cast(null as {{ dbt.type_bigint() }}) as source_line,
    cast(null as date) as business_date,
    {% endif %}
    _reject_reason as reason,
    _raw_record as raw_record,
    _loaded_at as loaded_at
from {{ relation }}
where _reject_reason is not null
    {% if table not in file_tables %}and {{ bronze_flag(relation, '_deleted_at') }} is null{% endif %}
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
