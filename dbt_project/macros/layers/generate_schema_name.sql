{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set layer = (custom_schema_name or target.schema) | trim -%}
    {{ target.schema ~ '_' ~ layer if target.type == 'bigquery' and custom_schema_name else layer }}
{%- endmacro %}
