{% macro bronze_tables_with(columns) %}
    {% if not execute %}{{ return([]) }}{% endif %}
    {% set found = run_query(
        "select table_name from " ~ information_schema_columns(generate_schema_name('bronze', none))
        ~ " where column_name in ('" ~ columns | join("', '") ~ "') group by table_name"
        ~ " having count(distinct column_name) = " ~ columns | length ~ " order by table_name") %}
    {{ return(found.columns[0].values() | list) }}
{% endmacro %}
