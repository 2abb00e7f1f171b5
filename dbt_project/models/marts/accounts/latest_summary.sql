{{ config(unique_key='cons_acct_key', on_schema_change='append_new_columns') }}

{# One row per account: its latest month's summary row. Incremental: the summary rows written
   since the last run, each account's latest of them replacing its row when it is not older.
   Each account's latest month is found first, on two narrow columns, and only then are its
   arrays read: ranking whole rows (arrays included) in one window held every summary row in
   memory and ran out of it on large histories. #}

with latest_months as (

    select
        cons_acct_key,
        max(month_date) as month_date
    from {{ ref('summary') }}
    {% if is_incremental() %}
        where {{ watermark_filter() }}
    {% endif %}
    group by cons_acct_key

)

-- the summary's columns follow the var summary_columns (one history array each): not a fixed list
select summary_rows.*  -- noqa: AM04
from {{ ref('summary') }} as summary_rows
inner join latest_months
    on summary_rows.cons_acct_key = latest_months.cons_acct_key
    and summary_rows.month_date = latest_months.month_date
{% if is_incremental() %}
    -- an account's row is replaced by a month no older than the one it holds
    left join {{ this }} as current_latest on latest_months.cons_acct_key = current_latest.cons_acct_key
    where current_latest.month_date is null or latest_months.month_date >= current_latest.month_date
{% endif %}
