{#-
  Silver deduplication, shared by every `int_*_deduplicated` model: the rows of `relation`
  (a staging model) loaded after this model's watermark, one per natural key, the latest load
  winning, then the latest file and line. Merged on the key by the calling model's config,
  so a row seen twice, in one run or across runs, is kept once.
-#}
{% macro latest_version_by_key(relation, keys) %}

with new_rows as (

    select * from {{ relation }}
    {% if is_incremental() %}
    where {{ watermark_filter() }}
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by {{ keys | join(', ') }}
            order by _loaded_at desc, source_file desc, source_line desc
        ) as version_rank
    from new_rows

)

select {{ star_except('version_rank') }}
from ranked
where version_rank = 1

{% endmacro %}


{#- Every column but one. -#}
{% macro star_except(column) %}{{ return(adapter.dispatch('star_except', 'ripple')(column)) }}{% endmacro %}
{% macro default__star_except(column) %}* exclude ({{ column }}){% endmacro %}
{% macro bigquery__star_except(column) %}* except ({{ column }}){% endmacro %}
