{#- Layers are schemas with fixed names: bronze, silver, gold and ops on DuckDB; on BigQuery,
    where a project holds many datasets, `<prefix>_bronze` ... with the target's dataset
    (RIPPLE_BQ_DATASET_PREFIX) as the prefix. Sources' YAML names bronze and ops the same way. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set layer = (custom_schema_name or target.schema) | trim -%}
    {{ target.schema ~ '_' ~ layer if target.type == 'bigquery' and custom_schema_name else layer }}
{%- endmacro %}
