{% macro information_schema_columns(schema) %}
    {{- return(adapter.dispatch('information_schema_columns', 'ripple')(schema)) -}}
{% endmacro %}

{% macro default__information_schema_columns(schema) -%}
    (select table_name, column_name from information_schema.columns where table_schema = '{{ schema }}')
{%- endmacro %}

{% macro bigquery__information_schema_columns(schema) -%}
    `{{ target.database }}`.`{{ schema }}`.INFORMATION_SCHEMA.COLUMNS
{%- endmacro %}
