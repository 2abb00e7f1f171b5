with source as (

    select * from {{ source('bronze', 'tickets') }}
    where _reject_reason is null

),

renamed as (

    select
        ticket_id,
        lower(status) as status,
        upper(priority) as priority,
        category,
        channel,
        agent_id,
        agent_name,
        customer_id,
        subject,
        {{ to_utc('created_at', var('tickets_timezone')) }} as created_at,
        {{ to_utc('updated_at', var('tickets_timezone')) }} as updated_at,
        {{ to_utc('first_response_at', var('tickets_timezone')) }} as first_response_at,
        {{ to_utc('resolved_at', var('tickets_timezone')) }} as resolved_at,
        -- business days are local days
        cast(created_at as date) as created_date,
        cast(resolved_at as date) as resolved_date,
        _business_date as business_date,
        _source_file as source_file,
        _source_line as source_line,
        _loaded_at
    from source

)

select * from renamed
-- every row, but in `ripple verify --sample`: the rows of the sampled ticket_ids
where {{ in_verify_sample('ticket_id') }}
