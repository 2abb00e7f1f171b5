{#-
  BigQuery bills a MERGE for every partition of the target it scans, and prunes partitions
  only for filters with literal values (a subquery does not prune). For the models with
  `meta: {prune_merge_by_partition: true}` (dbt_project.yml), whose partition column is fixed by
  their unique key so that no row ever moves between partitions, the merge gets a literal
  lower bound: the earliest partition among the new rows, read from dbt's temporary table
  (one small query). Other models merge as dbt-bigquery does.
-#}
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

{#- `DBT_INTERNAL_DEST.<partition column> >= <literal>`, the literal a `value` read as text. -#}
{% macro merge_partition_bound(partition_by, value) -%}
    {{ return("DBT_INTERNAL_DEST." ~ partition_by.field ~ " >= " ~ partition_by.data_type ~ " '" ~ value ~ "'") }}
{%- endmacro %}
