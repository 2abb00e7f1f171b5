{% macro latest_version_by_key(relation, keys) %}
select {{ star_except('version_rank') }}
from (
    select
        *,
        row_number() over (
            partition by {{ keys | join(', ') }}
            order by _loaded_at desc, source_file desc, source_line desc
        ) as version_rank
    from {{ relation }}
) as ranked
where version_rank = 1
{% endmacro %}
