{#- The one place that compares a row with the model's watermark: every incremental model's
    incremental branch calls it, so the watermark column can change here alone. -#}
{% macro watermark_filter() -%}
    _loaded_at > (
        select {{ minutes_before("coalesce(max(_loaded_at), cast('1900-01-01' as " ~ dbt.type_timestamp() ~ "))",
                                 lookback_minutes()) }}
        from {{ this }}
    )
{%- endmacro %}
