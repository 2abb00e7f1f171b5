{#- Layers are schemas with fixed names (bronze, silver, gold, ops), not `<target>_<layer>`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
