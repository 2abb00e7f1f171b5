with source as (

    select * from {{ source('bronze_reference', 'units') }}

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
        {{ deleted_at(source('bronze_reference', 'units')) }} as _deleted_at
    from source

)

select * from renamed
