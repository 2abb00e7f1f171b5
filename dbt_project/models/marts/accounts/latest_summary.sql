{{
    config(
        unique_key='cons_acct_key',
        on_schema_change='append_new_columns',
        post_hook="
            -- an account whose every month was deleted in the source leaves no row to merge
            delete from {{ this }} as target where not exists (
                select 1 from {{ ref('summary') }} as summary_rows
                where summary_rows.cons_acct_key = target.cons_acct_key
                    and summary_rows.month_date = target.month_date
            )"
    )
}}

{# One row per account: its latest month's summary row. Incremental: the summary rows written
   since the last run, each account's latest of them replacing its row when it is not older.
   Each account's latest month is found first, on two narrow columns, and only then are its
   arrays read: ranking whole rows (arrays included) in one window held every summary row in
   memory and ran out of it on large histories.
   An account whose latest month was deleted in the source (summary removed its row) is
   re-decided among all its months: its row goes back to the latest one left, or, with none
   left, the post-hook removes it. #}

with

{% if is_incremental() %}
gone as (

    select current_latest.cons_acct_key
    from {{ this }} as current_latest
    left join {{ ref('summary') }} as summary_rows
        on current_latest.cons_acct_key = summary_rows.cons_acct_key
        and current_latest.month_date = summary_rows.month_date
    where summary_rows.cons_acct_key is null

),

-- two scans, not one filter with an OR: the watermark alone lets the scan skip the files and
-- row groups written before it (with the OR every summary row's arrays were read: ~10x slower)
candidates as (

    select * from {{ ref('summary') }}
    where {{ watermark_filter() }}
    union all
    select * from {{ ref('summary') }}
    where cons_acct_key in (select gone.cons_acct_key from gone) and not coalesce({{ watermark_filter() }}, false)

),
{% endif %}

{#- a full build reads the summary itself: a CTE referenced twice may be materialized whole -#}
{%- set summary_rows = 'candidates' if is_incremental() else ref('summary') %}

latest_months as (

    select
        cons_acct_key,
        max(month_date) as month_date
    from {{ summary_rows }}
    group by cons_acct_key

)

-- the summary's columns follow the var summary_columns (one history array each): not a fixed list
select summary_rows.*  -- noqa: AM04
from {{ summary_rows }} as summary_rows
inner join latest_months
    on summary_rows.cons_acct_key = latest_months.cons_acct_key
    and summary_rows.month_date = latest_months.month_date
{% if is_incremental() %}
    -- an account's row is replaced by a month no older than the one it holds, or by any when that one is gone
    left join {{ this }} as current_latest on latest_months.cons_acct_key = current_latest.cons_acct_key
    where current_latest.month_date is null or latest_months.month_date >= current_latest.month_date
        or latest_months.cons_acct_key in (select gone.cons_acct_key from gone)
{% endif %}
