{% macro star_except(column) %}{{ return(adapter.dispatch('star_except', 'ripple')(column)) }}{% endmacro %}

{% macro default__star_except(column) %}* exclude ({{ column }}){% endmacro %}

{% macro bigquery__star_except(column) %}* except ({{ column }}){% endmacro %}
