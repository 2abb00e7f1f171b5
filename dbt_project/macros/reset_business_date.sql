{#-
  `ripple reset SOURCE --date D` runs this before deleting the date from bronze: it removes
  every row derived from that date, so the next ingest and build put them back. Tickets with a
  change on that day lose their fact row (it may depend on that change) and are rebuilt from
  all their events when the date is loaded again.
-#}
{% macro reset_business_date(source, business_date) %}
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
            {% do run_query("delete from " ~ relation ~ " where " ~ condition) %}
            {{ log("reset " ~ business_date ~ ": cleared " ~ relation, info=true) }}
        {% endif %}
    {% endfor %}
    {#- run-operation leaves its transaction open: all deletes land together or not at all -#}
    {% do adapter.commit() %}
{% endmacro %}
