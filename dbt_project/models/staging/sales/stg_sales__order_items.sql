with source as (

    select * from {{ source('bronze_sales', 'sales_order_items') }}
    where _reject_reason is null

),

renamed as (

    select
        id_pedido as order_id,
        cast(numero_item as integer) as item_number,
        cast(id_produto as integer) as product_id,
        cast(quantidade as integer) as quantity,
        -- the price as charged on the order, not the product's price today
        cast(preco_unitario as decimal(10, 2)) as unit_price,
        cast(valor_item as decimal(12, 2)) as line_total,
        _source_file as source_file,
        _source_line as source_line,
        _loaded_at
    from source

)

select * from renamed
-- every row, but in `ripple verify --sample`: the rows of the sampled order_ids
where {{ in_verify_sample('order_id') }}
