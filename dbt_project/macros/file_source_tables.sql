{#- Bronze tables of file sources present in the warehouse (they carry `_source_file`), for the
    ops views that span every file source. Found at run time, so a source added to
    ingest/sources.toml shows up without touching the dbt project. -#}
{% macro file_source_tables() %}
    {% if not execute %}{{ return([]) }}{% endif %}
    {% set found = run_query(
        "select table_name from information_schema.columns "
        ~ "where table_schema = 'bronze' and column_name = '_source_file' "
        ~ "and table_name in (select table_name from information_schema.columns "
        ~ "where table_schema = 'bronze' and column_name = '_reject_reason') order by table_name") %}
    {{ return(found.columns[0].values() | list) }}
{% endmacro %}
