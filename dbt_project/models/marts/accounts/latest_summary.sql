{{ config(unique_key='cons_acct_key', on_schema_change='append_new_columns') }}

{# One row per account: its latest month's summary row. Incremental: the summary rows written
   since the last run, each account's latest of them replacing its row when it is not older. #}

with candidates as (

    select * from {{ ref('summary') }}
    {% if is_incremental() %}
    where {{ watermark_filter() }}
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (partition by cons_acct_key order by month_date desc) as recency_rank
    from candidates

)

select ranked.{{ star_except('recency_rank') }}
from ranked
{% if is_incremental() %}
left join {{ this }} as current_latest on ranked.cons_acct_key = current_latest.cons_acct_key
{% endif %}
where ranked.recency_rank = 1
{% if is_incremental() %}
  and (current_latest.month_date is null or ranked.month_date >= current_latest.month_date)
{% endif %}
