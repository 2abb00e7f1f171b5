{#- BigQuery bills a MERGE for every partition of the target it scans and prunes only on
    literal filters (a subquery does not prune): hence a literal lower bound, read first. -#}
{% macro bigquery__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
    {%- set predicates = [] + (incremental_predicates or []) -%}
    {%- set partition_by = adapter.parse_partition_by(config.get('partition_by')) -%}
    {%- if execute and (config.get('meta') or {}).get('prune_merge_by_partition') and partition_by is not none -%}
        {%- set earliest = run_query(
            "select cast(min(" ~ partition_by.field ~ ") as string) from " ~ source ~ " as new_rows") -%}
        {%- set value = earliest.columns[0].values()[0] if earliest.rows | length else none -%}
        {%- if value is not none -%}
            {%- do predicates.append(merge_partition_bound(partition_by, value)) -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(dbt.default__get_merge_sql(target, source, unique_key, dest_columns, predicates)) }}
{%- endmacro %}

{% macro merge_partition_bound(partition_by, value) -%}
    {{ return("DBT_INTERNAL_DEST." ~ partition_by.field ~ " >= " ~ partition_by.data_type ~ " '" ~ value ~ "'") }}
{%- endmacro %}
