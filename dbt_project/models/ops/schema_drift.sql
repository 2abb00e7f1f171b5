{# Columns added, removed or retyped between consecutive schema versions of each source.
   Before the first ingest the history table does not exist yet: the model is then empty. #}

{% if load_relation(source('ops', 'schema_history')) is none %}

select
    cast(null as {{ dbt.type_string() }}) as source_name,
    cast(null as integer) as schema_version,
    cast(null as {{ dbt.type_timestamp() }}) as detected_at,
    cast(null as {{ dbt.type_string() }}) as run_id,
    cast(null as {{ dbt.type_string() }}) as column_name,
    cast(null as {{ dbt.type_string() }}) as change,
    cast(null as {{ dbt.type_string() }}) as previous_data_type,
    cast(null as {{ dbt.type_string() }}) as data_type
limit 0

{% else %}

with history as (

    select * from {{ source('ops', 'schema_history') }}

),

versions as (

    select distinct source_name, schema_version, first_seen_at, run_id
    from history
    where schema_version > 1

),

current_columns as (

    select versions.*, history.column_name, history.data_type
    from versions
    inner join history
        on versions.source_name = history.source_name
        and versions.schema_version = history.schema_version

),

previous_columns as (

    select versions.*, history.column_name, history.data_type
    from versions
    inner join history
        on versions.source_name = history.source_name
        and versions.schema_version - 1 = history.schema_version

)

select
    coalesce(current_columns.source_name, previous_columns.source_name) as source_name,
    coalesce(current_columns.schema_version, previous_columns.schema_version) as schema_version,
    coalesce(current_columns.first_seen_at, previous_columns.first_seen_at) as detected_at,
    coalesce(current_columns.run_id, previous_columns.run_id) as run_id,
    coalesce(current_columns.column_name, previous_columns.column_name) as column_name,
    case
        when previous_columns.column_name is null then 'added'
        when current_columns.column_name is null then 'removed'
        else 'retyped'
    end as change,
    previous_columns.data_type as previous_data_type,
    current_columns.data_type
from current_columns
full outer join previous_columns
    on current_columns.source_name = previous_columns.source_name
    and current_columns.schema_version = previous_columns.schema_version
    and current_columns.column_name = previous_columns.column_name
where current_columns.column_name is null
    or previous_columns.column_name is null
    or current_columns.data_type <> previous_columns.data_type

{% endif %}
