{#- A table of a layer (bronze, silver, gold, ops), under the schema that layer has on this
    target (see generate_schema_name). -#}
{% macro layer_relation(layer, table) %}
    {{- return(api.Relation.create(database=target.database, schema=generate_schema_name(layer, none),
                                   identifier=table)) -}}
{% endmacro %}

{#- Bronze tables of file sources present in the warehouse (they carry `_source_file`), for the
    ops views that span every file source. Found at run time, so a source added to
    ingest/sources.toml shows up without touching the dbt project. -#}
{% macro file_source_tables() %}
    {% if not execute %}{{ return([]) }}{% endif %}
    {% set columns = information_schema_columns(generate_schema_name('bronze', none)) %}
    {% set found = run_query(
        "select table_name from " ~ columns ~ " where column_name = '_source_file' "
        ~ "and table_name in (select table_name from " ~ columns ~ " where column_name = '_reject_reason') "
        ~ "order by table_name") %}
    {{ return(found.columns[0].values() | list) }}
{% endmacro %}

{#- The columns of every table of a schema, as a relation with table_name and column_name. -#}
{% macro information_schema_columns(schema) %}
    {{- return(adapter.dispatch('information_schema_columns', 'ripple')(schema)) -}}
{% endmacro %}
{% macro default__information_schema_columns(schema) -%}
    (select table_name, column_name from information_schema.columns where table_schema = '{{ schema }}')
{%- endmacro %}
{% macro bigquery__information_schema_columns(schema) -%}
    `{{ target.database }}`.`{{ schema }}`.INFORMATION_SCHEMA.COLUMNS
{%- endmacro %}
