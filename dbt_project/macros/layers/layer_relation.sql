{% macro layer_relation(layer, table) %}
    {{- return(api.Relation.create(database=target.database, schema=generate_schema_name(layer, none),
                                   identifier=table)) -}}
{% endmacro %}
