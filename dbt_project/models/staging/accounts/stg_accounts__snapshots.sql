with source as (

    select * from {{ source('bronze_accounts', 'accounts_all') }}
    where {{ bronze_flag(source('bronze_accounts', 'accounts_all'), '_reject_reason') }} is null

),

renamed as (

    select
        cast(cons_acct_key as {{ dbt.type_bigint() }}) as cons_acct_key,
        rpt_as_of_mo,
        cast(rpt_as_of_mo || '-01' as date) as month_date,
        cast(balance_am as decimal(14, 2)) as balance_am,
        cast(credit_limit_am as decimal(14, 2)) as credit_limit_am,
        cast(past_due_am as decimal(14, 2)) as past_due_am,
        cast(payment_am as decimal(14, 2)) as payment_am,
        cast(days_past_due as integer) as days_past_due,
        account_status,
        cast(base_ts as {{ dbt.type_timestamp() }}) as base_ts,
        _loaded_at,
        {{ bronze_flag(source('bronze_accounts', 'accounts_all'), '_deleted_at') }} as _deleted_at
    from source

)

select * from renamed
-- every row, but in `ripple verify --sample`: the rows of the sampled cons_acct_keys
where {{ in_verify_sample('cons_acct_key') }}
