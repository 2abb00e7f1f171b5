{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set layer = (custom_schema_name or target.schema) | trim -%}
    {%- set suffix = var('schema_suffix', '') if node.resource_type == 'model' else '' -%}
    {{ (target.schema ~ '_' ~ layer if target.type == 'bigquery' and custom_schema_name else layer) ~ suffix }}
{%- endmacro %}
