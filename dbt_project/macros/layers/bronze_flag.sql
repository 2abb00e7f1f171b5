{% macro bronze_flag(relation, flag) -%}
    {%- set types = {
        '_deleted_at': 'timestamp' if target.type == 'bigquery' else 'timestamptz',
        '_reject_reason': dbt.type_string(),
    } -%}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list if execute else [] -%}
    {%- if flag in names -%}
        {{ flag }}
    {%- else -%}
        cast(null as {{ types[flag] }})
    {%- endif -%}
{%- endmacro %}
