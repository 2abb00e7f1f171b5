{{ config(materialized='table') }}

{# Products with their current price (a small table, rebuilt each run). Revenue uses the
   price charged on each order (fact_order_items.unit_price), not this one. #}

select product_id, product_name, category, current_price, is_active, updated_at, _deleted_at is not null as is_deleted
from {{ ref('stg_reference__products') }}
