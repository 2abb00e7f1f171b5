-- latest_summary holds exactly one row per account of the summary, its latest month.
with expected as (
    select cons_acct_key, max(rpt_as_of_mo) as rpt_as_of_mo
    from {{ ref('summary') }}
    group by cons_acct_key
)

select
    coalesce(expected.cons_acct_key, actual.cons_acct_key) as cons_acct_key,
    expected.rpt_as_of_mo as expected_rpt_as_of_mo,
    actual.rpt_as_of_mo as actual_rpt_as_of_mo
from expected
full outer join {{ ref('latest_summary') }} as actual
    on expected.cons_acct_key = actual.cons_acct_key
where actual.rpt_as_of_mo is distinct from expected.rpt_as_of_mo
