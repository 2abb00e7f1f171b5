{% macro in_verify_sample(key) -%}
    {#- the condition is written by ripple (ingest/commands/verify.py, sample_condition), which
        applies the same one to the live tables: both sides pick the same entities -#}
    {%- set condition = var('verify_sample', none) -%}
    {{ condition.replace('{key}', key) if condition else 'true' }}
{%- endmacro %}
