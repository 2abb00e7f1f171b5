{{
    config(
        unique_key=['cons_acct_key', 'rpt_as_of_mo'],
        on_schema_change='append_new_columns',
        post_hook="
            -- a month deleted in the source leaves no row to merge: its row is removed here
            delete from {{ this }} as target where exists (
                select 1 from {{ ref('int_account_months_latest') }} as months
                where months._deleted_at is not null
                    and months.cons_acct_key = target.cons_acct_key and months.month_date = target.month_date
            )"
    )
}}

{#
  One row per reported account-month with a `<column>_history` array per configured column
  (var summary_columns), `summary_history_length` long: index 1 = that month, index k = k - 1
  months before, NULL where the account reported nothing.

  Full build: every account over a dense month spine (gaps as NULL rows), one window per
  column, spine rows dropped afterwards.

  Incremental: the account-months changed since the last run (new months, corrections, new
  accounts, in any mix and order) are found in silver by watermark. An account whose only
  change is one new month after its latest summarized month gets its row as a shift of that
  month's arrays, read from latest_summary (only when latest_summary has caught up with this
  model). Every other changed account is recomputed by the window, from its first changed
  month to `length - 1` months after its last one, reading only the months those rows need.
  No other account is read or written.

  A month silver flags deleted (every version of it deleted in the source) is a month the
  account did not report: NULL in the arrays, no row (the post-hook removes the row it had). It
  counts as a change of its account, recomputed by the window, and its `_loaded_at` reaches the
  rows whose arrays it left, so latest_summary sees them change.
#}

{%- set columns = var('summary_columns') -%}
{%- set length = var('summary_history_length') -%}
{%- set latest = adapter.get_relation(target.database, model.schema, 'latest_summary') if is_incremental() else none -%}

with months as (

    select * from {{ ref('int_account_months_latest') }}

),

{% if is_incremental() %}

{%- set recompute = var('summary_recompute', none) %}

changed as (

    select cons_acct_key, month_date, _deleted_at
    from months
    where {{ watermark_filter() }}
    {% if recompute %}
    -- `ripple summary --mode backfill`: the months asked for, for the accounts asked for
    union
    select cons_acct_key, month_date, _deleted_at
    from months
    where rpt_as_of_mo between '{{ recompute.start_month }}' and '{{ recompute.end_month }}'
        and cons_acct_key in (select cons_acct_key from months where {{ recompute.filter }})
    {% endif %}

),

changed_accounts as (

    select
        cons_acct_key,
        min(month_date) as first_changed,
        max(month_date) as last_changed,
        count(*) as changed_months,
        count(_deleted_at) as deleted_months
    from changed
    group by cons_acct_key

),

previous as (

    {% if latest is not none %}
    select latest_summary.*
    from {{ latest }} as latest_summary
    inner join changed_accounts on latest_summary.cons_acct_key = changed_accounts.cons_acct_key
    where (select max(_loaded_at) from {{ latest }}) >= (select max(_loaded_at) from {{ this }})
    {% else %}
    select * from {{ this }} where 1 = 0
    {% endif %}

),

forward as (

    select
        changed_accounts.cons_acct_key,
        changed_accounts.first_changed as month_date,
        {% for column in columns %}
        previous.{{ column }}_history as previous_{{ column }}_history,
        {% endfor %}
        {{ months_between('previous.month_date', 'changed_accounts.first_changed') }} as gap
    from changed_accounts
    inner join previous on changed_accounts.cons_acct_key = previous.cons_acct_key
    where changed_accounts.changed_months = 1
        and changed_accounts.deleted_months = 0
        and changed_accounts.first_changed > previous.month_date

),

shifted as (

    select
        months.cons_acct_key,
        months.rpt_as_of_mo,
        months.month_date,
        {% for column in columns %}
        {{ history_shift('months.' ~ column, 'forward.gap', 'forward.previous_' ~ column ~ '_history', length) }}
            as {{ column }}_history,
        {% endfor %}
        months._loaded_at
    from forward
    inner join months
        on forward.cons_acct_key = months.cons_acct_key and forward.month_date = months.month_date

),

recomputed_accounts as (

    select * from changed_accounts
    where cons_acct_key not in (select cons_acct_key from forward)

),

window_input as (

    select months.*, recomputed_accounts.first_changed
    from months
    inner join recomputed_accounts on months.cons_acct_key = recomputed_accounts.cons_acct_key
    where months.month_date between
        cast({{ dbt.dateadd('month', 1 - length, 'recomputed_accounts.first_changed') }} as date)
        and cast({{ dbt.dateadd('month', length - 1, 'recomputed_accounts.last_changed') }} as date)

),

{% else %}

window_input as (

    select months.*, cast(null as date) as first_changed
    from months

),

{% endif %}

bounds as (

    select
        cons_acct_key,
        min(month_date) as first_month,
        max(month_date) as last_month,
        max(first_changed) as first_changed
    from window_input
    group by cons_acct_key

),

spine as (

    {{ expand_months('bounds', 'first_month', 'last_month', ['cons_acct_key', 'first_changed']) }}

),

dense as (

    select
        spine.cons_acct_key,
        spine.month_date,
        spine.first_changed,
        -- a month flagged deleted is a gap, whose load time still counts
        case when window_input._deleted_at is null then window_input.rpt_as_of_mo end as rpt_as_of_mo,
        {% for column in columns %}
        case when window_input._deleted_at is null then window_input.{{ column }} end as {{ column }},
        {% endfor %}
        window_input._loaded_at
    from spine
    left join window_input
        on spine.cons_acct_key = window_input.cons_acct_key and spine.month_date = window_input.month_date

),

windowed as (

    select
        cons_acct_key,
        rpt_as_of_mo,
        month_date,
        first_changed,
        {% for column in columns %}
        {{ history_window(column, 'cons_acct_key', 'month_date', length) }} as {{ column }}_history,
        {% endfor %}
        max(_loaded_at) over (
            partition by cons_acct_key order by month_date desc
            rows between current row and {{ length - 1 }} following
        ) as _loaded_at
    from dense

),

rebuilt as (

    select
        cons_acct_key,
        rpt_as_of_mo,
        month_date,
        {% for column in columns %}
        {{ history_fit(column ~ '_history', length) }} as {{ column }}_history,
        {% endfor %}
        _loaded_at
    from windowed
    -- spine rows are dropped; incremental: only the rows from each account's first changed month
    where rpt_as_of_mo is not null{% if is_incremental() %} and month_date >= first_changed{% endif %}

)

{% if is_incremental() %}
select * from shifted
union all
{% endif %}
select * from rebuilt
