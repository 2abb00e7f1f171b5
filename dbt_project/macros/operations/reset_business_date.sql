{% macro reset_business_date(source, business_date, dry_run=false) %}
    {% if source != 'tickets' %}
        {{ exceptions.raise_compiler_error("reset_business_date: unknown source '" ~ source ~ "'") }}
    {% endif %}
    {% if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', business_date | string) %}
        {{ exceptions.raise_compiler_error("reset_business_date: '" ~ business_date ~ "' is not YYYY-MM-DD") }}
    {% endif %}
    {% set day = "cast('" ~ business_date ~ "' as date)" %}
    {% set events = ref('int_ticket_events_deduplicated') %}
    {% set statements = [
        (ref('fact_tickets'), "ticket_id in (select ticket_id from " ~ events ~ " where business_date = " ~ day ~ ")"),
        (ref('features_daily'), "business_date = " ~ day),
        (ref('backlog_daily'), "business_date = " ~ day),
        (ref('daily_agent_load'), "business_date = " ~ day),
        (ref('daily_ops_metrics'), "business_date = " ~ day),
        (events, "business_date = " ~ day),
    ] %}
    {% for relation, condition in statements %}
        {% if adapter.get_relation(relation.database, relation.schema, relation.identifier) %}
            {% if dry_run %}
                {% set rows = run_query("select count(*) from " ~ relation ~ " where " ~ condition).columns[0].values()[0] %}
                {{ log("reset " ~ business_date ~ ": would delete " ~ rows ~ " rows from " ~ relation, info=true) }}
            {% else %}
                {% do run_query("delete from " ~ relation ~ " where " ~ condition) %}
                {{ log("reset " ~ business_date ~ ": cleared " ~ relation, info=true) }}
            {% endif %}
        {% endif %}
    {% endfor %}
    {#- run-operation leaves its transaction open: all deletes land together or not at all -#}
    {% do adapter.commit() %}
{% endmacro %}
