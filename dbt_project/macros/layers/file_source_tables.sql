{% macro file_source_tables() %}
    {% if not execute %}{{ return([]) }}{% endif %}
    {% set columns = information_schema_columns(generate_schema_name('bronze', none)) %}
    {% set found = run_query(
        "select table_name from " ~ columns ~ " where column_name = '_source_file' "
        ~ "and table_name in (select table_name from " ~ columns ~ " where column_name = '_reject_reason') "
        ~ "order by table_name") %}
    {{ return(found.columns[0].values() | list) }}
{% endmacro %}
