with source as (

    select * from {{ source('bronze_reference', 'units') }}
    where {{ bronze_flag(source('bronze_reference', 'units'), '_reject_reason') }} is null

),

renamed as (

    select
        cast(unit_id as integer) as unit_id,
        unit_name,
        city,
        state,
        cast(opened_on as date) as opened_on,
        updated_at,
        _loaded_at,
        {{ bronze_flag(source('bronze_reference', 'units'), '_deleted_at') }} as _deleted_at
    from source

)

select * from renamed
