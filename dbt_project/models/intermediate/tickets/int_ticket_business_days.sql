{#- Every business day from the first to the last one landed, gaps included: daily gold
    tables have a row for each (a day with no file still has a backlog). -#}

with bounds as (

    select
        min(business_date) as first_date,
        max(business_date) as last_date
    from {{ ref('int_ticket_events_deduplicated') }}

)

{{ date_series('(select first_date from bounds)', '(select last_date from bounds)') }}
