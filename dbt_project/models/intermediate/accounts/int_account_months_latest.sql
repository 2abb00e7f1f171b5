{{
    config(
        materialized='incremental',
        unique_key=['cons_acct_key', 'rpt_as_of_mo'],
        on_schema_change='append_new_columns'
    )
}}

{# One row per account-month: the version with the latest base_ts. Incremental: the
   account-months with a version loaded since the last run are re-decided among all their
   versions, so a version that lands late with an older base_ts does not win. #}

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
            order by base_ts desc, _loaded_at desc
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
    latest_load as _loaded_at
from ranked
where version_rank = 1
