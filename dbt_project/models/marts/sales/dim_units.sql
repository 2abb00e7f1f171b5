{{ config(materialized='table') }}

{# Restaurant units as they are now (a small table, rebuilt each run). #}

select unit_id, unit_name, city, state, opened_on, updated_at, _deleted_at is not null as is_deleted
from {{ ref('stg_reference__units') }}
