with source as (

    select * from {{ source('bronze_reference', 'products') }}
    where {{ bronze_flag(source('bronze_reference', 'products'), '_reject_reason') }} is null

),

renamed as (

    select
        cast(product_id as integer) as product_id,
        product_name,
        category,
        cast(price as decimal(10, 2)) as current_price,
        cast(is_active as boolean) as is_active,
        updated_at,
        _loaded_at,
        {{ bronze_flag(source('bronze_reference', 'products'), '_deleted_at') }} as _deleted_at
    from source

)

select * from renamed
