{% macro months_between(earlier, later) %}
    {{- return(adapter.dispatch('months_between', 'ripple')(earlier, later)) -}}
{% endmacro %}

{% macro default__months_between(earlier, later) -%}
    date_diff('month', {{ earlier }}, {{ later }})
{%- endmacro %}

{% macro bigquery__months_between(earlier, later) -%}
    date_diff({{ later }}, {{ earlier }}, month)
{%- endmacro %}
