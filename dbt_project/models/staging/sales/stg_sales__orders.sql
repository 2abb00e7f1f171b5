with source as (

    select * from {{ source('bronze_sales', 'sales_orders') }}
    where _reject_reason is null

),

renamed as (

    select
        id_pedido as order_id,
        cast(id_unidade as integer) as unit_id,
        {{ to_utc('data_hora_pedido', var('sales_timezone')) }} as ordered_at,
        -- the local business day of the order
        cast(data_hora_pedido as date) as business_date,
        case tipo_pedido
            when 'salao' then 'dine_in'
            when 'balcao' then 'takeout'
            else tipo_pedido
        end as order_type,
        case status_pedido
            when 'concluido' then 'completed'
            when 'cancelado' then 'cancelled'
            else status_pedido
        end as order_status,
        forma_pagamento as payment_method,
        cast(coalesce(taxa_entrega, 0) as decimal(10, 2)) as delivery_fee,
        cast(valor_total as decimal(12, 2)) as order_total,
        _source_file as source_file,
        _source_line as source_line,
        _loaded_at
    from source

)

select * from renamed
-- every row, but in `ripple verify --sample`: the rows of the sampled order_ids
where {{ in_verify_sample('order_id') }}
