{% macro deleted_at(relation) -%}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list if execute else [] -%}
    {%- if '_deleted_at' in names -%}
        _deleted_at
    {%- else -%}
        cast(null as {{ 'timestamp' if target.type == 'bigquery' else 'timestamptz' }})
    {%- endif -%}
{%- endmacro %}
