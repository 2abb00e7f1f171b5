{{
    config(
        materialized='incremental',
        unique_key=['cons_acct_key', 'rpt_as_of_mo'],
        on_schema_change='append_new_columns'
    )
}}

{# One row per account-month: the version with the latest base_ts. Incremental: the
   account-months with a version loaded since the last run are re-decided among all their
   versions, so a version that lands late with an older base_ts does not win.
   A version deleted in the source (`_deleted_at`, set by ripple's delete check with a new
   `_loaded_at`) never wins over one still there: an older version takes its place. A month
   whose every version is deleted keeps a row, flagged by `_deleted_at`: delete+insert cannot
   remove a key the run produces no row for, and the summary needs to see the month go. #}

with versions as (

    select snapshots.*
    from {{ ref('stg_accounts__snapshots') }} as snapshots
    {% if is_incremental() %}
    inner join (
        select distinct cons_acct_key, rpt_as_of_mo
        from {{ ref('stg_accounts__snapshots') }}
        where {{ watermark_filter() }}
    ) as changed
        on snapshots.cons_acct_key = changed.cons_acct_key and snapshots.rpt_as_of_mo = changed.rpt_as_of_mo
    {% endif %}

),

ranked as (

    select
        *,
        max(_loaded_at) over (partition by cons_acct_key, rpt_as_of_mo) as latest_load,
        row_number() over (
            partition by cons_acct_key, rpt_as_of_mo
            order by case when _deleted_at is null then 0 else 1 end, base_ts desc, _loaded_at desc
        ) as version_rank
    from versions

)

select
    cons_acct_key,
    rpt_as_of_mo,
    month_date,
    balance_am,
    credit_limit_am,
    past_due_am,
    payment_am,
    days_past_due,
    account_status,
    base_ts,
    latest_load as _loaded_at,
    _deleted_at
from ranked
where version_rank = 1
